// Fetches the Electron binary with Electron's own installer (npm does not run it: the
// package's install script is disabled in package.json's allowScripts). Where that cannot
// work (no access to GitHub), prints one warning and exits 0: the browser workstation
// (`npm run start:web`) still works.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const electronDir = path.dirname(require.resolve('electron/package.json'));
const { version } = require('electron/package.json');

const result = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], {
  stdio: ['ignore', 'pipe', 'pipe'],
  encoding: 'utf8',
  timeout: 10 * 60_000,
});

if (result.status === 0) {
  console.log(`Electron ${version} is installed.`);
  process.exit(0);
}

// The installer prints a full stack trace on failure; keep only its first line.
const reason = (result.error?.message ?? result.stderr ?? '').trim().split('\n', 1)[0] || `exit code ${result.status}`;
console.warn(
  [
    `warning: the Electron ${version} binary could not be downloaded (${reason}).`,
    '  The Loupe desktop app cannot start on this machine; `npm run start:web` serves the same workstation in a browser.',
  ].join('\n'),
);
process.exit(0);
