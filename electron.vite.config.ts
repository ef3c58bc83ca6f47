import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { appShellServiceWorker } from './scripts/vite-app-shell-sw';

// One build for the three Electron bundles. The preload must be a single CommonJS file:
// sandboxed preloads cannot load ES modules or other local files.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      lib: { entry: resolve('electron/main/index.ts'), formats: ['es'] },
      externalizeDeps: true,
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: resolve('electron/preload/index.ts'),
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: 'index.cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: resolve('renderer'),
    base: './',
    // sw.js: the browser host's offline app shell (Electron serves loupe:// and never registers it).
    plugins: [react(), appShellServiceWorker()],
    build: {
      outDir: resolve('out/renderer'),
      emptyOutDir: true,
      minify: true,
      rollupOptions: { input: resolve('renderer/index.html') },
    },
  },
});
