import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

// Chromium comes from Debian (never a test tool's own download); override with CHROMIUM_PATH.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// The config is evaluated by the runner and again by each worker; the env var keeps one
// data folder for all of them.
process.env.LOUPE_E2E_DATA ??= mkdtempSync(path.join(tmpdir(), 'loupe-e2e-'));
const E2E_PORT = Number(process.env.LOUPE_E2E_PORT ?? 8371);
export const E2E_URL = `http://127.0.0.1:${E2E_PORT}`;

export default defineConfig({
  timeout: 90_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results',
  projects: [
    {
      name: 'e2e',
      testDir: 'tests/e2e',
      use: {
        baseURL: E2E_URL,
        viewport: { width: 1600, height: 1000 },
        launchOptions: {
          executablePath: CHROMIUM_PATH,
          // This machine has no network beyond loopback; keep Chromium from reaching out.
          args: ['--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
          chromiumSandbox: false,
        },
        trace: 'retain-on-failure',
      },
    },
    { name: 'electron', testDir: 'tests/electron' },
  ],
  webServer: {
    // The built service with demo data on a fresh folder: the same program a trust would run.
    command: `node out/service/main.js --port ${E2E_PORT} --data ${process.env.LOUPE_E2E_DATA} --demo`,
    url: `${E2E_URL}/api/v1/health`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
