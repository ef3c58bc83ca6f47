import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import pkg from './package.json' with { type: 'json' };

// The referral service is a plain Node program (run by `node`, or forked by the desktop app),
// bundled with the shared contract; its npm dependencies stay external and load at run time.
const external = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  ...Object.keys(pkg.dependencies),
];

export default defineConfig({
  build: {
    ssr: true,
    outDir: 'out/service',
    emptyOutDir: true,
    target: 'node20',
    sourcemap: true,
    rollupOptions: {
      // The pyramid worker is forked as its own file (service/images/pyramid-pool.ts).
      input: { main: resolve('service/main.ts'), 'pyramid-worker': resolve('service/images/pyramid-worker.ts') },
      external: (id) => external.some((e) => id === e || id.startsWith(`${e}/`)),
      output: { format: 'es', entryFileNames: '[name].js' },
    },
  },
});
