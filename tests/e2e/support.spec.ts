/**
 * Self-test of the e2e support helpers (tests/e2e/support/), independent of the app's own
 * offline features: if one of these fails, the must-show tests built on them mean nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { launchKillableChromium } from './support/chromium-process';
import { snappyDecompress } from './support/leveldb-views';
import { countRequests, emulateLink, flakyRoutes } from './support/network';
import { demoPatientNeedles, findPlaintext } from './support/profile-bytes';
import { addUser, allChanges, apiSignIn, startServiceInstance, submitReferrals } from './support/service-instance';

/** The page's storage (the Node tsconfig has no DOM types; cast inside each evaluate). */
interface PageGlobals {
  localStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
}

const temp = (prefix: string) => mkdtempSync(path.join(tmpdir(), prefix));

test('a killed Chromium leaves its profile behind, and a relaunch on it reads what was written', async ({ baseURL }) => {
  const profile = temp('loupe-e2e-profile-');
  try {
    const value = `SelfTest${randomBytes(6).toString('hex')}`;
    const first = await launchKillableChromium({ userDataDir: profile });
    await first.page.goto(`${baseURL}/favicon.svg`);
    await first.page.evaluate((v) => (globalThis as unknown as PageGlobals).localStorage.setItem('loupe.selftest', v), value);
    // Chromium commits localStorage to disk lazily: wait until it is there before the kill.
    await expect.poll(() => findPlaintext(profile, [value]).length, { timeout: 30_000 }).toBeGreaterThan(0);
    await first.kill();
    expect(first.browser.isConnected()).toBe(false);

    const second = await launchKillableChromium({ userDataDir: profile });
    await second.page.goto(`${baseURL}/favicon.svg`);
    expect(await second.page.evaluate(() => (globalThis as unknown as PageGlobals).localStorage.getItem('loupe.selftest'))).toBe(value);
    await second.kill();
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
});

test('findPlaintext finds UTF-16LE, Latin-1 and UTF-8 anywhere under the folder, and nothing else', () => {
  const dir = temp('loupe-e2e-bytes-');
  try {
    mkdirSync(path.join(dir, 'Default', 'IndexedDB'), { recursive: true });
    const noise = () => randomBytes(300);
    writeFileSync(path.join(dir, 'Default', 'IndexedDB', 'blob'), Buffer.concat([noise(), Buffer.from('Zoë Quillfeather', 'utf16le'), noise()]));
    writeFileSync(path.join(dir, 'Default', 'latin'), Buffer.concat([noise(), Buffer.from('Zoë', 'latin1'), noise()]));
    writeFileSync(path.join(dir, 'plain.txt'), 'NHS 999 123 4567');
    symlinkSync('9991234567', path.join(dir, 'SingletonLock')); // a dangling link's target counts
    const hits = findPlaintext(dir, ['Zoë Quillfeather', 'Zoë', '999 123 4567', '9991234567', 'Absent']);
    expect(hits.map((h) => `${h.file} ${h.needle} ${h.encoding} ${h.view}`).sort()).toEqual(
      [
        'Default/IndexedDB/blob Zoë Quillfeather utf16le raw',
        'Default/IndexedDB/blob Zoë utf16le raw',
        'Default/latin Zoë latin1 raw',
        'plain.txt 999 123 4567 utf8 raw',
        'SingletonLock 9991234567 utf8 raw',
      ].sort(),
    );
    // Snappy, as LevelDB tables use it: a literal "abcd", then a copy of 6 bytes from 4 back.
    expect(snappyDecompress(Buffer.from([10, 0x0c, ...Buffer.from('abcd'), 0x09, 0x04])).toString()).toBe('abcdabcdab');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Sequential fetches of the health endpoint from the page: true for an answer, false for a network error. */
const healthCalls = (page: Page, n: number) =>
  page.evaluate(async (count) => {
    const results: boolean[] = [];
    for (let i = 0; i < count; i++) results.push(await fetch('/api/v1/health').then((r) => r.ok, () => false));
    return results;
  }, n);

test('flakyRoutes: fates add up, failures are failures to the page, and a seed repeats them', async ({ page, context }) => {
  // A page of the service's origin that runs no app code (and so makes no API calls).
  await page.goto('/favicon.svg');
  const runs = [];
  for (let run = 0; run < 2; run++) {
    const flaky = await flakyRoutes(context, { failRate: 0.3, delayMs: [0, 10], seed: 42 });
    const results = await healthCalls(page, 40);
    await flaky.stop();
    const c = { ...flaky.counters };
    expect(c.total).toBe(40);
    expect(c.failedBefore + c.failedAfter + c.delivered).toBe(40);
    expect(results.filter((ok) => !ok)).toHaveLength(c.failedBefore + c.failedAfter);
    expect(c.failedBefore).toBeGreaterThan(0);
    expect(c.failedAfter).toBeGreaterThan(0);
    runs.push(c);
  }
  expect(runs[1]).toEqual(runs[0]);
});

test('countRequests counts the page and its assets; emulateLink adds latency', async ({ page, context }) => {
  const counter = countRequests(context);
  await page.goto('/');
  await expect(page.getByLabel('Username')).toBeVisible();
  expect(counter.urls().some((u) => /\/assets\/.+\.js$/.test(u))).toBe(true);
  expect(counter.count()).toBeGreaterThanOrEqual(3); // the page, its script and its styles
  counter.reset();
  expect(counter.count()).toBe(0);

  const link = await emulateLink(page, { downloadBps: 10_000_000, uploadBps: 10_000_000, latencyMs: 400 });
  const slow = await page.evaluate(async () => {
    const t = performance.now();
    await fetch('/api/v1/health');
    return performance.now() - t;
  });
  expect(slow).toBeGreaterThanOrEqual(390);
  expect(counter.urls().filter((u) => u.endsWith('/api/v1/health'))).toHaveLength(1);
  await link.clear();
  counter.stop();
  await page.evaluate(() => fetch('/api/v1/health'));
  expect(counter.count()).toBe(1);
});

test('a service instance of our own: users, referrals, the feed and the needles', async () => {
  const svc = await startServiceInstance({ demo: false });
  try {
    const password = 'self-test-password';
    await addUser(svc, { username: 'gp', name: 'Dr Self Test', role: 'referrer', password });
    await addUser(svc, { username: 'consultant', name: 'Dr Consultant', role: 'consultant', password });
    const made = await submitReferrals(svc.url, await apiSignIn(svc.url, 'gp', password), 3);
    expect(new Set(made.map((r) => r.id)).size).toBe(3);

    const token = await apiSignIn(svc.url, 'consultant', password);
    const referrals = (await allChanges(svc.url, token)).filter((c) => c.type === 'referral');
    expect(referrals.map((c) => c.id).sort()).toEqual(made.map((r) => r.id).sort());
    const needles = await demoPatientNeedles(svc.url, token);
    for (const r of made) {
      expect(needles).toEqual(expect.arrayContaining([r.family, `${r.given} ${r.family}`, r.nhsNumber, `${r.nhsNumber.slice(0, 3)} ${r.nhsNumber.slice(3, 6)} ${r.nhsNumber.slice(6)}`]));
    }
  } finally {
    await svc.stop();
  }
});
