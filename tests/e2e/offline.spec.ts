/**
 * Issue #4, must-shows 1 and 5, against a real service of the test's own (demo data) and
 * Debian's Chromium with its profile on disk.
 *
 *  1. After sign-in and prefetch, five new referrals can be opened offline with every image
 *     drawn at full-screen resolution, outcomes recorded, the page reloaded and unlocked,
 *     all with no network request at all; back online, the five outcomes reach the service
 *     within 10 s and nothing else does.
 *  5. The profile folder holds no demo patient's name or NHS number in plain text (and a
 *     string deliberately written in plain text is found, so the search can fail).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, expect, test, type BrowserContext, type Page, type Request } from '@playwright/test';
import type { Outcome, Referral } from '../../shared/contract';
import { CHROMIUM_PATH } from './support/chromium-process';
import { imagesIn, lesionHistoryReferrals, outcomesIn, prefetchedReferrals, referralsIn, signInThroughUi, submitOutcome, testSeed } from './support/feed-views';
import { countRequests, type RequestCounter } from './support/network';
import { demoPatientNeedles, findPlaintext } from './support/profile-bytes';
import { allChanges, apiSignIn, DEMO_PASSWORD, startServiceInstance, type ServiceInstance } from './support/service-instance';

// As playwright.config.ts's e2e project (keep in step).
const ARGS = ['--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const SEED = testSeed();

let service: ServiceInstance;
let profileDir: string;
let context: BrowserContext | null = null;
let page: Page;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(240_000); // the demo seed builds 44 referrals' pyramids (~30-60 s)
  service = await startServiceInstance({ demo: true });
  profileDir = mkdtempSync(path.join(tmpdir(), 'loupe-e2e-profile-'));
  console.log(`offline.spec: seed ${SEED} (E2E_SEED=${SEED} repeats it); service ${service.url}; profile ${profileDir}`);
});

test.afterAll(async () => {
  await context?.close().catch(() => undefined);
  await service?.stop();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

interface PageGlobals {
  navigator: { serviceWorker: { ready: Promise<unknown>; controller: object | null } };
  localStorage: { setItem(k: string, v: string): void };
}
const controlled = (p: Page) => p.evaluate(() => (globalThis as unknown as PageGlobals).navigator.serviceWorker.controller !== null);

type RequestKind = 'in-memory' | 'app-shell' | 'network';

/**
 * What a reported request really was. `blob:`/`data:` URLs are the page reading its own
 * memory (thumbnails are shown from object URLs of cached bytes). A page request answered by
 * the app shell worker from Cache Storage (`fromServiceWorker`) never left the browser. Anything
 * else, including every fetch the worker itself makes and every failed attempt, is network.
 */
function kindOf(url: string, byServiceWorker: boolean, fromServiceWorker: boolean): RequestKind {
  if (/^(blob|data):/.test(url)) return 'in-memory';
  if (fromServiceWorker && !byServiceWorker) return 'app-shell';
  return 'network';
}

/** Every request the context reports, kept so each can be classified once it has settled. */
function classifyingLog(ctx: BrowserContext) {
  const seen: Request[] = [];
  const on = (r: Request) => seen.push(r);
  ctx.on('request', on);
  return {
    stop: () => ctx.off('request', on),
    async describe() {
      return Promise.all(
        seen.map(async (r) => {
          const response = await r.response().catch(() => null);
          const byServiceWorker = r.serviceWorker() !== null;
          const fromServiceWorker = response?.fromServiceWorker() ?? false;
          return { url: r.url(), method: r.method(), kind: kindOf(r.url(), byServiceWorker, fromServiceWorker), failure: r.failure()?.errorText ?? null };
        }),
      );
    },
  };
}

/** Reported requests other than the page reading its own memory (answered or not: none may be). */
const notInMemory = (counter: RequestCounter) => counter.requests().filter((r) => !/^(blob|data):/.test(r.url));

test('must-show 1: prefetched referrals open offline with every image fully drawn, outcomes queue and reach the service within 10 s of reconnecting', async () => {
  test.setTimeout(300_000);
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    args: ARGS,
    chromiumSandbox: false,
    viewport: { width: 1600, height: 1000 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));

  // The app shell's worker must control the page before we go offline.
  await page.goto(service.url);
  await expect(page.getByLabel('Username')).toBeVisible();
  await page.evaluate(async () => {
    await (globalThis as unknown as PageGlobals).navigator.serviceWorker.ready;
  });
  if (!(await controlled(page))) await page.reload();
  await expect.poll(() => controlled(page)).toBe(true);

  await signInThroughUi(page, 'consultant');
  await expect(page.getByRole('table', { name: 'Worklist' })).toBeVisible();

  // What the app prefetches, worked out from the service's feed the same way.
  const token = await apiSignIn(service.url, 'consultant');
  const before = await allChanges(service.url, token);
  const expected = prefetchedReferrals(referralsIn(before), 'consultant');
  // …followed by the earlier referrals holding the same lesions, for comparison over time.
  const history = lesionHistoryReferrals(expected, referralsIn(before), imagesIn(before));
  expect(history.length, 'the demo has lesions photographed in earlier referrals').toBeGreaterThan(0);
  // Advice requests, which the 'advice' decision fits: a USC referral may leave its pathway only
  // with the referrer's agreement, and the service refuses an outcome breaking that rule.
  const fresh = expected.filter((r) => r.status === 'new' && r.pathway === 'advice');
  expect(fresh.length, 'the demo has at least five new advice requests to prefetch').toBeGreaterThanOrEqual(5);
  const chosen: Referral[] = fresh.slice(0, 5);
  const outcomesBefore = new Map(outcomesIn(before).map((o) => [o.id, o.version]));

  // Prefetch done: every one of the clinician's next referrals is cached.
  const connection = page.locator('.connection');
  await expect
    .poll(
      async () => {
        const [running, done, total] = await Promise.all(['running', 'done', 'total'].map((k) => connection.getAttribute(`data-prefetch-${k}`)));
        return { running, done: Number(done), total: Number(total), complete: running === 'false' && Number(total) > 0 && done === total };
      },
      { timeout: 120_000, intervals: [250] },
    )
    .toMatchObject({ complete: true, total: expected.length + history.length });

  await context.setOffline(true);
  const counter: RequestCounter = countRequests(context); // everything, no filter
  const log = classifyingLog(context);
  const startedOffline = Date.now();

  // Every image of each chosen referral, drawn in full from the cache.
  const diagnoses = new Map<string, string>();
  for (const [i, referral] of chosen.entries()) {
    await page.evaluate((id) => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = `#/referrals/${id}`;
    }, referral.id);
    const caseView = page.locator(`article.case[data-referral-id="${referral.id}"]`);
    await expect(caseView).toBeVisible();
    const thumbs = caseView.locator('.image-strip button[data-image-id]');
    await expect(thumbs).toHaveCount(referral.imageIds.length);
    const viewer = page.getByRole('region', { name: /image viewer/i });
    for (const imageId of referral.imageIds) {
      const t0 = Date.now();
      await caseView.locator(`.image-strip button[data-image-id="${imageId}"]`).click();
      await expect(viewer).toHaveAttribute('data-image-id', imageId);
      await expect(viewer, `image ${imageId} of referral ${referral.id} drawn offline`).toHaveAttribute('data-fully-loaded', 'true', { timeout: 15_000 });
      // No gap notice: every tile of the view came from the cache.
      await expect(viewer).not.toContainText('not saved on this workstation');
      console.log(`  referral ${i + 1} image ${imageId.slice(0, 8)}: fully drawn offline in ${Date.now() - t0} ms`);
    }
    expect(notInMemory(counter), 'no request while viewing offline').toEqual([]);

    const diagnosis = `Offline e2e ${SEED} dx ${i + 1}: seborrhoeic keratosis`;
    diagnoses.set(referral.id, diagnosis);
    await submitOutcome(page, diagnosis);
    const outcome = page.getByRole('region', { name: 'Outcome' });
    await expect(outcome).toContainText(diagnosis);
    await expect(outcome).toContainText('Not yet sent');
  }
  expect(notInMemory(counter), 'no request while recording outcomes offline').toEqual([]);

  // Comparison over time offline: a prefetched case's lesion against its earlier referral.
  const series = expected.find((r) => history.some((h) => h.patient.nhsNumber === r.patient.nhsNumber))!;
  await page.evaluate((id) => {
    (globalThis as unknown as { location: { hash: string } }).location.hash = `#/referrals/${id}`;
  }, series.id);
  await expect(page.getByRole('region', { name: /image viewer/i })).toHaveAttribute('data-fully-loaded', 'true', { timeout: 15_000 });
  await page.keyboard.press('c');
  const compare = page.getByRole('region', { name: 'Compare over time' });
  for (const n of [1, 2]) {
    const pane = compare.getByRole('region', { name: new RegExp(`^Pane ${n}`) });
    await expect(pane.locator('.pane'), `comparison pane ${n} drawn offline`).toHaveAttribute('data-fully-loaded', 'true', { timeout: 15_000 });
    await expect(pane).not.toContainText('not saved on this workstation');
  }
  expect(await compare.getByRole('region', { name: /^Pane 1/ }).getAttribute('aria-label')).not.toContain('this referral');
  await page.keyboard.press('Escape');
  expect(notInMemory(counter), 'no request while comparing offline').toEqual([]);

  const status = page.getByRole('status', { name: 'Sync status' });
  await expect(status).toContainText('Offline');
  await expect(status).toContainText('5 pending');

  // Reload while offline: the shell comes from the worker, the cache opens with the password.
  const navigation = await page.reload();
  expect(navigation?.fromServiceWorker(), 'the offline reload is answered by the app shell worker').toBe(true);
  await expect(page.getByLabel('Username')).toHaveValue('consultant');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(status).toContainText('Offline');
  await expect(status).toContainText('5 pending');
  for (const referral of chosen) {
    await page.evaluate((id) => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = `#/referrals/${id}`;
    }, referral.id);
    const outcome = page.locator(`article.case[data-referral-id="${referral.id}"]`).getByRole('region', { name: 'Outcome' });
    await expect(outcome).toContainText(diagnoses.get(referral.id)!);
    await expect(outcome).toContainText('Not yet sent');
  }

  // The whole offline phase. The reload's document and assets are answered by the app shell
  // worker from Cache Storage (Playwright reports them as the page's requests, with
  // fromServiceWorker); thumbnails are blob: URLs of cached bytes. Nothing reached for the
  // network, and the worker itself fetched nothing.
  counter.stop();
  log.stop();
  const seen = await log.describe();
  const of = (kind: RequestKind) => seen.filter((r) => r.kind === kind);
  const shellPaths = [...new Set(of('app-shell').map((r) => new URL(r.url).pathname))];
  console.log(
    `offline phase (${((Date.now() - startedOffline) / 1000).toFixed(1)} s): ${counter.count()} requests reported: ` +
      `${of('in-memory').length} blob:/data: (in-memory), ${of('app-shell').length} answered by the app shell worker ` +
      `(${shellPaths.join(', ') || 'none'}), ${of('network').length} to the network`,
  );
  expect(of('network'), 'requests that reached for the network while offline').toEqual([]);
  expect(counter.count(), 'the counter and the classification saw the same requests').toBe(seen.length);
  expect(of('app-shell').length, 'the offline reload was served by the worker').toBeGreaterThan(0);
  for (const r of of('app-shell')) {
    expect(new URL(r.url).pathname.startsWith('/api/'), `${r.url}: the worker never answers the API`).toBe(false);
    expect(r.method).toBe('GET');
  }

  // Back online: within 10 s of this moment the service holds exactly the five outcomes
  // (applied once: version 1; no other outcome new or changed) and nothing is pending here.
  await context.setOffline(false);
  const summary = (o: Outcome) => ({ referralId: o.referralId, status: o.status, diagnosis: o.diagnosis.text, version: o.version });
  await expect
    .poll(
      async () => {
        const after = outcomesIn(await allChanges(service.url, token));
        return {
          added: after
            .filter((o) => !outcomesBefore.has(o.id))
            .map(summary)
            .sort((a, b) => a.referralId.localeCompare(b.referralId)),
          changed: after.filter((o) => outcomesBefore.has(o.id) && outcomesBefore.get(o.id) !== o.version).map((o) => o.id),
          status: /^Online · 0 pending\b/.test((await status.innerText()).trim()),
        };
      },
      { timeout: 10_000, intervals: [200] },
    )
    .toEqual({
      added: chosen
        .map((r) => ({ referralId: r.id, status: 'final', diagnosis: diagnoses.get(r.id)!, version: 1 }))
        .sort((a, b) => a.referralId.localeCompare(b.referralId)),
      changed: [],
      status: true,
    });
  expect(problems, problems.join('\n')).toEqual([]);
});

test('must-show 5: the profile on disk holds no patient name or NHS number in plain text', async () => {
  test.setTimeout(120_000);
  expect(context, 'runs on the profile must-show 1 prefetched').not.toBeNull();
  const token = await apiSignIn(service.url, 'consultant');
  const needles = await demoPatientNeedles(service.url, token);
  expect(needles.length).toBeGreaterThanOrEqual(60); // names and NHS numbers of every demo patient (30 or more)

  // Sanity: a string written in plain text is found, so a miss below means something.
  const sanity = `PlainSanityNeedle${SEED}Zebra`;
  await page.evaluate((v) => (globalThis as unknown as PageGlobals).localStorage.setItem('e2e-sanity', v), sanity);
  await context!.close();
  context = null;

  const started = Date.now();
  const hits = findPlaintext(profileDir, [...needles, sanity]);
  console.log(`profile search: ${needles.length} needles in ${((Date.now() - started) / 1000).toFixed(1)} s; hits ${JSON.stringify(hits.slice(0, 5))}`);
  expect(hits.filter((h) => h.needle === sanity).length, 'the plain-text sanity needle is found').toBeGreaterThan(0);
  expect(hits.filter((h) => h.needle !== sanity)).toEqual([]);
});
