// Starts the built desktop app (`npm start` builds first). Fails clearly, without trying to
// download anything, when the Electron binary is not installed.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/**
 * The Electron executable, or null. Checked before `require('electron')`, whose index.js
 * would otherwise try to download the binary (and print a stack trace) when it is missing.
 */
function electronBinary() {
  try {
    const electronDir = path.dirname(require.resolve('electron/package.json'));
    const pathFile = path.join(electronDir, 'path.txt');
    if (!existsSync(pathFile) && !process.env.ELECTRON_OVERRIDE_DIST_PATH) return null;
    const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8') : 'electron';
    const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH || path.join(electronDir, 'dist');
    if (!existsSync(path.join(distDir, relative))) return null;
    const executable = require('electron');
    return typeof executable === 'string' && existsSync(executable) ? executable : null;
  } catch {
    return null;
  }
}

const electron = electronBinary();
if (!electron) {
  console.error(
    [
      'error: no Electron binary is installed, so the Loupe desktop app cannot start.',
      '  On a machine with internet access run `npm run electron:install`, then `npm start`.',
      '  Or use `npm run start:web` to serve the same workstation in a browser.',
    ].join('\n'),
  );
  process.exit(1);
}

if (!existsSync(path.join(appDir, 'out', 'main', 'index.js'))) {
  console.error('error: out/main/index.js is missing; run `npm run build` first (`npm start` does both).');
  process.exit(1);
}

const env = { ...process.env };
delete env.ELECTRON_RUN_AS_NODE; // would make Electron behave as plain Node

const child = spawn(electron, [appDir, ...process.argv.slice(2)], { stdio: 'inherit', env, windowsHide: false });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (child.exitCode === null) child.kill(signal);
  });
}
child.on('error', (error) => {
  console.error(`error: Electron could not be started: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
