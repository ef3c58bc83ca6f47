/**
 * What the browser benchmarks (`next-case`, `prefetch`) share: Debian's Chromium driven by
 * Playwright (never a downloaded browser), the app served by a real service instance over
 * loopback, a clinic's link emulated on the page through CDP, and byte counting from CDP's
 * own network events.
 */
import { readFile } from 'node:fs/promises';
import { chromium, type Browser, type CDPSession, type Page } from '@playwright/test';
import { type Change, type ImageRecord, type Referral, type Role } from '../shared/contract';
import { syntheticNhsNumber } from '../shared/domain/nhs-number';
import { nextReferrals } from '../renderer/src/data/worklist-scope';
import { allChanges, postOneImageReferral } from '../tests/e2e/support/service-instance';

export { CLINIC_LINK, emulateLink } from '../tests/e2e/support/network';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The e2e suite's window size (playwright.config.ts). */
export const VIEWPORT = { width: 1600, height: 1000 } as const;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // As playwright.config.ts: no network beyond loopback, so keep Chromium from reaching out.
    args: ['--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    chromiumSandbox: false,
  });
}

export interface PrefetchState {
  running: boolean;
  done: number;
  total: number;
}

export async function prefetchState(page: Page): Promise<PrefetchState> {
  const c = page.locator('.connection');
  const [running, done, total] = await Promise.all(['data-prefetch-running', 'data-prefetch-done', 'data-prefetch-total'].map((a) => c.getAttribute(a)));
  return { running: running === 'true', done: Number(done), total: Number(total) };
}

/** Waits (polling the header's attributes) until no prefetch runs and, if asked, it covered `total` referrals. */
export async function waitPrefetchIdle(page: Page, opts: { total?: number; timeoutMs?: number } = {}): Promise<PrefetchState> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15 * 60_000);
  for (;;) {
    const s = await prefetchState(page);
    if (!s.running && s.done === s.total && (opts.total === undefined || s.total === opts.total)) return s;
    if (Date.now() > deadline) throw new Error(`prefetch did not settle: ${JSON.stringify(s)}`);
    await page.waitForTimeout(100);
  }
}

/** The feed, folded to each entity's latest version. */
export async function latestEntities(url: string, token: string): Promise<{ referrals: Referral[]; images: ImageRecord[] }> {
  const latest = new Map<string, Change>();
  for (const c of await allChanges(url, token)) latest.set(`${c.type}:${c.id}`, c);
  const live = [...latest.values()].filter((c) => !c.deleted);
  return {
    referrals: live.filter((c) => c.type === 'referral').map((c) => c.data as Referral),
    images: live.filter((c) => c.type === 'image').map((c) => c.data as ImageRecord),
  };
}

/** The clinician's queue in the app's own order (what "Next case" and prefetch follow). */
export function actionableQueue(referrals: readonly Referral[], role: Role): Referral[] {
  return nextReferrals(referrals, role, Number.MAX_SAFE_INTEGER);
}

export interface ByteCounter {
  /** encodedDataLength of finished responses (headers and body as received), by category. */
  totals(): { tiles: number; thumbnails: number; otherApi: number; other: number; requests: number; failed: number };
  reset(): void;
}

/**
 * Counts what the page moved over the network from CDP's own events: for every request that
 * finished, `Network.loadingFinished.encodedDataLength` (bytes received, headers included,
 * as transferred). The session must have `Network.enable`d (emulateLink's does).
 */
export function countBytes(session: CDPSession): ByteCounter {
  const urls = new Map<string, string>();
  let t = { tiles: 0, thumbnails: 0, otherApi: 0, other: 0, requests: 0, failed: 0 };
  session.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  session.on('Network.loadingFinished', (e) => {
    const url = urls.get(e.requestId) ?? '';
    urls.delete(e.requestId);
    t.requests++;
    if (/\/api\/v1\/images\/[^/]+\/image_files\//.test(url)) t.tiles += e.encodedDataLength;
    else if (/\/api\/v1\/images\/[^/]+\/thumbnail\.jpg/.test(url)) t.thumbnails += e.encodedDataLength;
    else if (url.includes('/api/')) t.otherApi += e.encodedDataLength;
    else t.other += e.encodedDataLength;
  });
  session.on('Network.loadingFailed', (e) => {
    urls.delete(e.requestId);
    t.failed++;
  });
  return {
    totals: () => ({ ...t }),
    reset: () => {
      t = { tiles: 0, thumbnails: 0, otherApi: 0, other: 0, requests: 0, failed: 0 };
    },
  };
}

/**
 * Polls a page expression (a string, evaluated by CDP: the app's CSP forbids the eval that
 * waitForFunction(string) uses) until it is neither null nor undefined.
 */
export async function pollPage<T>(page: Page, expression: string, timeoutMs: number, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = (await page.evaluate(expression)) as T | null | undefined;
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${expression} stayed empty for ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Nearest-rank percentile of samples (p in 0..100). */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Posts one one-image referral with the JPEG at `file` as the given GP; returns its id. The
 * patient is synthetic (999-range NHS number), distinct per `n`.
 */
export async function postPhotoReferral(url: string, gpToken: string, file: string, n: number): Promise<string> {
  const bytes = await readFile(file);
  const referral = {
    patient: { nhsNumber: syntheticNhsNumber(700_000 + n * 7), name: { given: 'Bench', family: `Photo${n}` }, birthDate: '1958-06-02', sex: 'male' },
    pathway: 'advice',
    referrer: { name: 'Dr Bench Referrer', practiceCode: 'B12345' },
    question: 'Pigmented lesion on the back, changed over 3 months. Please advise.',
    history: { duration: '3 months', changed: true, bleeding: false, itch: false },
    images: [{ part: 'img1', kind: 'close-up', lesion: 'L1', bodySite: 'upper back', capturedAt: '2026-11-01T10:00:00Z' }],
  };
  return postOneImageReferral(url, gpToken, referral, bytes, `referral ${n}`);
}
