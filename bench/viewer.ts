// `npm run bench -- viewer [--runs n] [--link loopback|clinic|both]`: a 50 MP photograph in the
// deep-zoom viewer, time to a fully sharp viewport at fit and at 1:1 on an off-centre region,
// cold (tiles from the service) and warm (the encrypted cache), against decoding the original
// JPEG into an <img> in the same browser; and frame times during a scripted pan and zoom.
import path from 'node:path';
import os from 'node:os';
import type { Browser, BrowserContext, CDPSession, Page } from '@playwright/test';
import { syntheticNhsNumber } from '../shared/domain/nhs-number';
import { imageLayout, renderImage, type ImageSpec } from '../service/demo/synthetic-images';
import { addUser, apiSignIn, postOneImageReferral, startServiceInstance } from '../tests/e2e/support/service-instance';
import { goToHash, signInAt } from '../tests/e2e/support/workstation-ui';
import { CLINIC_LINK, emulateLink, latestEntities, launchChromium, percentile, VIEWPORT, waitPrefetchIdle } from './browser';
import { intOption, round, summarise, table, writeResults, type Summary } from './report';

const PASSWORD = 'viewer-bench-password';

/**
 * The photograph: the demo's own generator (service/demo/synthetic-images.ts), a regional view
 * of a back with many naevi, a marker ring and hairs, at 8660 × 5774 (50.0 MP), q90.
 */
const SPEC: ImageSpec = {
  kind: 'regional',
  seed: 50_050,
  fitzpatrick: 'III',
  lesion: { seed: 5_050, morphology: 'pigmented', diameterMm: 8, irregularity: 0.5, colours: ['tan', 'brown', 'dark-brown', 'black'] },
  width: 8660,
  height: 5774,
  fieldMm: 700,
  backgroundSpots: 80,
  marked: true,
  hairs: 40,
};

/** How long the view must stay put, and the flag stay "true", before a measurement ends. */
const QUIET_MS = 600;
const MEASURE_TIMEOUT_MS = 180_000;

type LinkName = 'loopback' | 'clinic';

/**
 * In the app's page: follows the viewer's data attributes with a MutationObserver (plain
 * JavaScript in a string: see next-case.ts on tsx and `__name`). `arm` starts a measurement:
 * by a hash change (t0 just before it) or by the next keydown of a given key (t0 in a
 * capture-phase listener registered before the viewer's own). For each measurement it keeps
 * the fully-loaded flag's transitions, the time the view reached the target scale (1:1), and
 * when the viewer opened the image. `state` reports how long the pose and the flag have been
 * unchanged, so the driver knows when a measurement has settled.
 */
const PAGE_SCRIPT = `(() => {
  if (window.__vb) return;
  const vb = { armed: null, pose: '', poseAt: 0, flag: null, flagAt: 0 };
  window.__vb = vb;
  const viewer = () => document.querySelector('.viewer[role="region"][aria-label="Image viewer"]');
  const observe = () => {
    const now = performance.now();
    const v = viewer();
    const pane = v ? v.querySelector('.pane') : null;
    const pose = pane ? [pane.dataset.centerX, pane.dataset.centerY, pane.dataset.scale].join(',') : '';
    if (pose !== vb.pose) { vb.pose = pose; vb.poseAt = now; }
    const flag = v ? v.dataset.imageId + ':' + v.dataset.fullyLoaded : null;
    if (flag !== vb.flag) { vb.flag = flag; vb.flagAt = now; }
    const a = vb.armed;
    if (!a || !a.t0 || !v || v.dataset.imageId !== a.imageId) return;
    const t = now - a.t0;
    if (a.opened === null && !v.querySelector('.viewer-loading')) a.opened = t;
    const scale = pane ? Number(pane.dataset.scale) : NaN;
    if (a.targetScale !== null && a.scaleAt === null && Math.abs(scale / a.targetScale - 1) < 1e-3) a.scaleAt = t;
    const f = v.dataset.fullyLoaded;
    if (f !== a.flag) {
      a.flag = f;
      a.log.push([Math.round(t * 10) / 10, f, Math.round(scale * 1e4) / 1e4]);
      if (f === 'true') a.lastTrue = t;
    }
  };
  new MutationObserver(observe).observe(document.body, {
    subtree: true, childList: true, attributes: true,
    attributeFilter: ['data-fully-loaded', 'data-image-id', 'data-scale', 'data-center-x', 'data-center-y'],
  });
  vb.arm = (imageId, targetScale, key) => {
    const v = viewer();
    const flag = v && v.dataset.imageId === imageId ? v.dataset.fullyLoaded : null;
    vb.armed = { imageId, targetScale, key, t0: 0, opened: null, scaleAt: null, flag, flagAtArm: flag, lastTrue: null, log: [] };
  };
  vb.navigate = (hash, imageId) => {
    vb.arm(imageId, null, null);
    vb.armed.t0 = performance.now();
    location.hash = hash;
  };
  window.addEventListener('keydown', (e) => {
    const a = vb.armed;
    if (a && a.key && !a.t0 && e.key === a.key) a.t0 = performance.now();
  }, true);
  vb.state = () => {
    observe();
    const now = performance.now();
    const v = viewer();
    const pane = v ? v.querySelector('.pane') : null;
    return {
      flag: v ? v.dataset.fullyLoaded : null,
      imageId: v ? v.dataset.imageId : null,
      sincePose: now - vb.poseAt,
      sinceFlag: now - vb.flagAt,
      pose: pane ? { x: Number(pane.dataset.centerX), y: Number(pane.dataset.centerY), scale: Number(pane.dataset.scale) } : null,
      armed: vb.armed ? { ...vb.armed, log: vb.armed.log.slice() } : null,
      dpr: window.devicePixelRatio,
    };
  };
})()`;

/** In any page: requestAnimationFrame timestamps between start() and stop(). */
const FRAMES_SCRIPT = `(() => {
  if (window.__frames) return;
  const f = { gen: 0, t: [] };
  window.__frames = f;
  f.start = () => {
    const gen = ++f.gen;
    f.t = [];
    const step = (ts) => { if (f.gen !== gen) return; f.t.push(ts); requestAnimationFrame(step); };
    requestAnimationFrame(step);
  };
  f.stop = () => { f.gen++; const t = f.t; f.t = []; return t; };
})()`;

interface PageState {
  flag: string | null;
  imageId: string | null;
  sincePose: number;
  sinceFlag: number;
  pose: { x: number; y: number; scale: number } | null;
  armed: {
    imageId: string;
    targetScale: number | null;
    t0: number;
    opened: number | null;
    scaleAt: number | null;
    flagAtArm: string | null;
    lastTrue: number | null;
    log: [number, string, number][];
  } | null;
  dpr: number;
}

const state = (page: Page) => page.evaluate('window.__vb.state()') as Promise<PageState>;

/** Tile responses from the service seen by the page (CDP, on a session with Network enabled). */
function countTiles(session: CDPSession) {
  const pending = new Set<string>();
  let t = { responses: 0, bytes: 0 };
  session.on('Network.responseReceived', (e) => {
    if (/\/api\/v1\/images\/[^/]+\/image_files\//.test(e.response.url)) {
      t.responses++;
      pending.add(e.requestId);
    }
  });
  session.on('Network.loadingFinished', (e) => {
    if (pending.delete(e.requestId)) t.bytes += e.encodedDataLength;
  });
  return {
    take() {
      const out = t;
      t = { responses: 0, bytes: 0 };
      return out;
    },
  };
}

interface Measured {
  /** To every tile of the view drawn at its best level (and, for 1:1, the zoom finished). */
  sharpMs: number;
  /** Navigation only: the viewer had the image open (before any tile is drawn). */
  openedMs: number | null;
  /** 1:1 only: the zoom animation reached 1:1. */
  scaleAtMs: number | null;
  /** Transitions of data-fully-loaded after t0: [ms, flag, scale]. */
  flagLog: [number, string, number][];
  /** true → false → true more than once: the signal flapped before settling. */
  flaps: number;
  pose: { x: number; y: number; scale: number };
  tileResponses: number;
  tileBytes: number;
}

/** Waits until the armed measurement has settled (flag true, view still, for QUIET_MS) and reads it. */
async function settle(page: Page, imageId: string, what: string): Promise<PageState> {
  const deadline = Date.now() + MEASURE_TIMEOUT_MS;
  for (;;) {
    const s = await state(page);
    const a = s.armed;
    const done =
      s.imageId === imageId &&
      s.flag === 'true' &&
      s.sincePose >= QUIET_MS &&
      s.sinceFlag >= QUIET_MS &&
      (!a || (a.t0 > 0 && (a.targetScale === null || a.scaleAt !== null)));
    if (done) return s;
    if (Date.now() > deadline) throw new Error(`${what}: not settled after ${MEASURE_TIMEOUT_MS / 1000} s: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function measured(s: PageState, tiles: { responses: number; bytes: number }): Measured {
  const a = s.armed!;
  const trues = a.log.filter(([, f]) => f === 'true').length;
  // With no transition at all, the flag was already (and stayed) true: sharp when the zoom ended.
  const lastTrue = a.lastTrue ?? (a.flagAtArm === 'true' ? 0 : Number.NaN);
  const sharpMs = a.targetScale === null ? lastTrue : Math.max(a.scaleAt!, lastTrue);
  if (!Number.isFinite(sharpMs)) throw new Error(`no fully-loaded time in ${JSON.stringify(a)}`);
  return {
    sharpMs,
    openedMs: a.targetScale === null ? a.opened : null,
    scaleAtMs: a.scaleAt,
    flagLog: a.log,
    flaps: Math.max(0, trues - 1),
    pose: s.pose!,
    tileResponses: tiles.responses,
    tileBytes: tiles.bytes,
  };
}

/** Checks the viewer's DOM contract once, and says exactly what is missing. */
async function checkContract(page: Page): Promise<void> {
  const missing = (await page.evaluate(`(() => {
    const out = [];
    const v = document.querySelector('.viewer[role="region"][aria-label="Image viewer"]');
    if (!v) return ['div.viewer[role=region][aria-label="Image viewer"]'];
    if (!v.dataset.imageId) out.push('.viewer[data-image-id]');
    if (v.dataset.fullyLoaded !== 'true' && v.dataset.fullyLoaded !== 'false') out.push('.viewer[data-fully-loaded="true"|"false"]');
    const panes = v.querySelectorAll('.pane');
    if (panes.length !== 1) out.push('exactly one .pane in .viewer (found ' + panes.length + ')');
    const p = panes[0];
    if (p) for (const k of ['centerX', 'centerY', 'scale']) if (!Number.isFinite(Number(p.dataset[k])) || p.dataset[k] === undefined) out.push('.pane[data-' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()) + ']');
    if (!v.querySelector('.openseadragon-canvas')) out.push('.viewer .openseadragon-canvas (OpenSeadragon canvas, focusable)');
    return out;
  })()`)) as string[];
  if (missing.length) throw new Error(`the viewer does not meet the benchmark's DOM contract; missing: ${missing.join('; ')}`);
}

/**
 * Presses keys on the viewer (untimed), waits for the view to start moving, then to settle:
 * a key acts at once but the view moves from the next frame, and a still, sharp view before
 * that would end the wait too early.
 */
async function pressAndSettle(page: Page, keys: readonly string[], imageId: string, what: string): Promise<PageState> {
  await page.evaluate(`window.__vb.armed = null`);
  const before = (await state(page)).pose;
  await focusCanvas(page);
  for (const key of keys) await page.keyboard.press(key);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const pose = (await state(page)).pose;
    if (JSON.stringify(pose) !== JSON.stringify(before)) break;
    if (Date.now() > deadline) throw new Error(`${what}: the view did not move after ${keys.join(', ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return settle(page, imageId, what);
}

/** Focus on OpenSeadragon's canvas (the focusable surface), so the viewer's keys reach it. */
const focusCanvas = (page: Page) =>
  page.evaluate(`(() => { const c = document.querySelector('.viewer .openseadragon-canvas'); if (c) c.focus(); else if (document.activeElement) document.activeElement.blur(); })()`);

async function paneBox(page: Page) {
  const box = await page.locator('.viewer .pane').first().boundingBox();
  if (!box) throw new Error('the viewer pane is not on screen');
  return box;
}

interface Session {
  page: Page;
  tiles: ReturnType<typeof countTiles>;
}

/** Opens the referral from the Settings view (hash change), timed to a sharp fit. */
async function openTimed(s: Session, referralId: string, imageId: string): Promise<Measured> {
  s.tiles.take();
  await s.page.evaluate(`window.__vb.navigate(${JSON.stringify(`#/referrals/${referralId}`)}, ${JSON.stringify(imageId)})`);
  const st = await settle(s.page, imageId, 'fit');
  return measured(st, s.tiles.take());
}

/** From fit, pans to the off-centre region by keys (untimed), then times `1` to a sharp 1:1. */
async function actualPixelsTimed(s: Session, imageId: string): Promise<{ m: Measured; regionPose: { x: number; y: number; scale: number } }> {
  const panned = await pressAndSettle(s.page, ['ArrowRight', 'ArrowUp'], imageId, 'pan to the region');
  const dpr = panned.dpr || 1;
  s.tiles.take();
  await s.page.evaluate(`window.__vb.arm(${JSON.stringify(imageId)}, ${1 / dpr}, '1')`);
  await s.page.keyboard.press('1');
  const st = await settle(s.page, imageId, '1:1');
  return { m: measured(st, s.tiles.take()), regionPose: panned.pose! };
}

async function toSettings(page: Page): Promise<void> {
  await goToHash(page, '#/settings');
  await page.locator('.viewer').waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Clear cached images' }).waitFor();
}

async function clearCache(page: Page): Promise<void> {
  await toSettings(page);
  await page.getByRole('button', { name: 'Clear cached images' }).click();
  await page.getByText('Cached images cleared.').waitFor();
  await page.getByTestId('tile-usage').filter({ hasText: /\b0 tiles/ }).waitFor();
}

interface Baseline {
  decodeMs: number;
  /** Decoded and drawn to a canvas the size of the viewer's pane, scaled to fit (read back 1 px). */
  fitDrawnMs: number;
  width: number;
  height: number;
}

/**
 * A page of its own origin (answered by a route, no network) holding the original JPEG's bytes;
 * each run makes a fresh Blob URL, sets it as an <img>'s src and awaits decode(), then draws it
 * scaled to fit on a canvas the size of the viewer's pane.
 */
async function baselinePage(browser: Browser, jpeg: Buffer): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.route('http://viewer-bench.invalid/**', (route) => {
    if (route.request().url().endsWith('/original.jpg')) return route.fulfill({ status: 200, contentType: 'image/jpeg', body: jpeg });
    return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>img baseline</title><body style="margin:0;background:#111"></body>' });
  });
  const page = await context.newPage();
  await page.goto('http://viewer-bench.invalid/');
  await page.evaluate(`(async () => { window.__jpeg = await (await fetch('/original.jpg')).arrayBuffer(); return window.__jpeg.byteLength; })()`);
  return { context, page };
}

async function baselineOnce(page: Page, pane: { width: number; height: number }): Promise<Baseline> {
  const w = Math.round(pane.width);
  const h = Math.round(pane.height);
  return (await page.evaluate(`(async () => {
    const url = URL.createObjectURL(new Blob([window.__jpeg], { type: 'image/jpeg' }));
    const img = new Image();
    const t0 = performance.now();
    img.src = url;
    await img.decode();
    const decodeMs = performance.now() - t0;
    const canvas = document.createElement('canvas');
    canvas.width = ${w};
    canvas.height = ${h};
    document.body.append(canvas);
    const ctx = canvas.getContext('2d');
    const s = Math.min(${w} / img.naturalWidth, ${h} / img.naturalHeight);
    ctx.drawImage(img, 0, 0, img.naturalWidth * s, img.naturalHeight * s);
    ctx.getImageData(0, 0, 1, 1);
    const fitDrawnMs = performance.now() - t0;
    const out = { decodeMs, fitDrawnMs, width: img.naturalWidth, height: img.naturalHeight };
    canvas.remove();
    img.src = '';
    URL.revokeObjectURL(url);
    return out;
  })()`)) as Baseline;
}

interface FrameStats {
  frames: number;
  seconds: number;
  p50: number;
  p95: number;
  max: number;
  over50: number;
  tileResponses: number;
  /** Pan only: mouse moves delivered per second. */
  inputsPerSecond?: number;
}

function frameStats(ts: number[], tileResponses: number): FrameStats {
  const d = ts.slice(1).map((t, i) => t - ts[i]!);
  if (d.length === 0) throw new Error('no frames recorded');
  return {
    frames: d.length,
    seconds: round((ts.at(-1)! - ts[0]!) / 1000, 2),
    p50: round(percentile(d, 50), 1),
    p95: round(percentile(d, 95), 1),
    max: round(Math.max(...d), 1),
    over50: d.filter((x) => x > 50).length,
    tileResponses,
  };
}

const pause = (page: Page, ms: number) => page.waitForTimeout(ms);

/**
 * Scripted gestures, frames recorded in the page: zoom = 12 wheel steps in at a point off the
 * centre, 80 ms apart, then 12 out; pan = at 1:1, one mouse drag round a 600 × 400 px rectangle
 * in 160 moves, sent as fast as the page acknowledges them. Each recording runs on 600 ms after the last input.
 */
async function gestures(s: Session, imageId: string): Promise<{ zoom: FrameStats; pan: FrameStats }> {
  const { page } = s;
  const box = await paneBox(page);
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.4);
  s.tiles.take();
  await page.evaluate('window.__frames.start()');
  for (let i = 0; i < 12; i++) {
    await page.mouse.wheel(0, -100);
    await pause(page, 80);
  }
  await pause(page, 600);
  for (let i = 0; i < 12; i++) {
    await page.mouse.wheel(0, 100);
    await pause(page, 80);
  }
  await pause(page, 600);
  const zoom = frameStats((await page.evaluate('window.__frames.stop()')) as number[], s.tiles.take().responses);

  await page.evaluate(`window.__vb.armed = null`);
  await settle(page, imageId, 'after the zoom');
  await pressAndSettle(page, ['1'], imageId, '1:1 before the pan');
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const strokes: [number, number][] = [[-600, 0], [0, -400], [600, 0], [0, 400]];
  s.tiles.take();
  await page.mouse.move(cx + 300, cy + 200);
  await page.evaluate('window.__frames.start()');
  await page.mouse.down();
  const dragStart = Date.now();
  let [x, y] = [cx + 300, cy + 200];
  for (const [dx, dy] of strokes) {
    for (let i = 0; i < 40; i++) {
      x += dx / 40;
      y += dy / 40;
      // As fast as the page takes them (each move waits for the renderer's acknowledgement).
      await page.mouse.move(x, y);
    }
  }
  await page.mouse.up();
  const dragSeconds = (Date.now() - dragStart) / 1000;
  await pause(page, 600);
  const pan = { ...frameStats((await page.evaluate('window.__frames.stop()')) as number[], s.tiles.take().responses), inputsPerSecond: round(160 / dragSeconds, 0) };
  return { zoom, pan };
}

interface ConditionResult {
  link: LinkName;
  pane: { width: number; height: number };
  baseline: { decode: Summary; fitDrawn: Summary; runs: Baseline[] };
  cold: { fit: Measured[]; actual: Measured[] };
  warm: { fit: Measured[]; actual: Measured[] };
  regionPose: { x: number; y: number; scale: number };
  frames: { cold: { zoom: FrameStats; pan: FrameStats }; warm: { zoom: FrameStats; pan: FrameStats } };
}

async function runCondition(browser: Browser, url: string, link: LinkName, referralId: string, imageId: string, jpeg: Buffer, runs: number): Promise<ConditionResult> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const base = await baselinePage(browser, jpeg);
  try {
    const page = await context.newPage();
    let session: CDPSession;
    if (link === 'clinic') session = (await emulateLink(page, CLINIC_LINK)).session;
    else {
      session = await context.newCDPSession(page);
      await session.send('Network.enable');
    }
    const s: Session = { page, tiles: countTiles(session) };
    await signInAt(page, url, 'consultant', PASSWORD, 60_000);
    await page.evaluate(PAGE_SCRIPT);
    await page.evaluate(FRAMES_SCRIPT);
    // No prefetch: it would cache the image before the cold runs.
    await goToHash(page, '#/settings');
    await page.getByLabel('Referrals to prefetch').fill('0');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    await waitPrefetchIdle(page, { total: 0, timeoutMs: 120_000 });

    let pane = { width: 0, height: 0 };
    let regionPose = { x: 0, y: 0, scale: 0 };
    const baselineRuns: Baseline[] = [];
    const cold: ConditionResult['cold'] = { fit: [], actual: [] };
    const warm: ConditionResult['warm'] = { fit: [], actual: [] };
    const say = (m: Measured) => `${m.sharpMs.toFixed(0)} ms, ${m.tileResponses} tiles${m.flaps ? `, flag flapped ${m.flaps}×` : ''}`;
    for (let i = 0; i < runs; i++) {
      // Cold: the encrypted cache emptied, a fresh viewer (the case view was left).
      await clearCache(page);
      await pause(page, 300);
      const coldFit = await openTimed(s, referralId, imageId);
      if (i === 0) {
        await checkContract(page);
        const box = await paneBox(page);
        pane = { width: round(box.width, 0), height: round(box.height, 0) };
      }
      if (coldFit.tileResponses === 0) throw new Error('cold fit: no tile came from the service (was the cache cleared?)');
      const coldActual = await actualPixelsTimed(s, imageId);
      if (coldActual.m.tileResponses === 0) throw new Error('cold 1:1: no tile came from the service');
      regionPose = coldActual.regionPose;
      cold.fit.push(coldFit);
      cold.actual.push(coldActual.m);

      // Warm: leave the case (OpenSeadragon's in-memory tiles go with its viewer), come back.
      await toSettings(page);
      await pause(page, 300);
      const warmFit = await openTimed(s, referralId, imageId);
      const warmActual = await actualPixelsTimed(s, imageId);
      warm.fit.push(warmFit);
      warm.actual.push(warmActual.m);

      // The baseline, interleaved so machine load falls on both alike.
      const b = await baselineOnce(base.page, pane);
      baselineRuns.push(b);
      process.stderr.write(
        `  ${link} ${i + 1}/${runs}: cold fit ${say(coldFit)}; cold 1:1 ${say(coldActual.m)}; warm fit ${say(warmFit)}; warm 1:1 ${say(warmActual.m)}; <img> decode ${b.decodeMs.toFixed(0)} ms, drawn ${b.fitDrawnMs.toFixed(0)} ms\n`,
      );
    }
    // Frame times: the same script cold (cache emptied) and warm (left and reopened).
    await clearCache(page);
    await openTimed(s, referralId, imageId);
    const coldFrames = await gestures(s, imageId);
    await toSettings(page);
    await openTimed(s, referralId, imageId);
    const warmFrames = await gestures(s, imageId);
    process.stderr.write(`  ${link} frames: cold zoom p95 ${coldFrames.zoom.p95} ms, pan p95 ${coldFrames.pan.p95} ms; warm zoom p95 ${warmFrames.zoom.p95} ms, pan p95 ${warmFrames.pan.p95} ms\n`);
    return {
      link,
      pane,
      baseline: { decode: summarise(baselineRuns.map((b) => b.decodeMs)), fitDrawn: summarise(baselineRuns.map((b) => b.fitDrawnMs)), runs: baselineRuns },
      cold,
      warm,
      regionPose,
      frames: { cold: coldFrames, warm: warmFrames },
    };
  } finally {
    await context.close();
    await base.context.close();
  }
}

function linkLabel(link: LinkName): string {
  return link === 'clinic' ? `clinic link (${CLINIC_LINK.downloadBps / 1e6} Mbit/s, ${CLINIC_LINK.latencyMs} ms)` : 'loopback';
}

const stat = (ms: readonly Measured[]) => summarise(ms.map((m) => m.sharpMs));
const median = (xs: readonly number[]) => summarise(xs).median;

export async function run(args: readonly string[]): Promise<number> {
  const runs = intOption(args, '--runs', 5);
  const li = args.indexOf('--link');
  const linkArg = li === -1 ? 'both' : args[li + 1];
  if (linkArg !== 'both' && linkArg !== 'loopback' && linkArg !== 'clinic') throw new Error('--link takes loopback, clinic or both');
  const links: LinkName[] = linkArg === 'both' ? ['loopback', 'clinic'] : [linkArg];
  const loadAtStart = os.loadavg()[0]!;

  process.stderr.write(`rendering a ${SPEC.width}×${SPEC.height} photograph with the demo's generator…\n`);
  const started = Date.now();
  const layout = imageLayout(SPEC);
  const rendered = await renderImage(SPEC);
  const renderSeconds = (Date.now() - started) / 1000;
  process.stderr.write(`  ${(rendered.jpeg.length / 1e6).toFixed(1)} MB in ${renderSeconds.toFixed(1)} s\n`);

  const svc = await startServiceInstance({ demo: false });
  let browser: Browser | undefined;
  try {
    await addUser(svc, { username: 'consultant', name: 'Dr Bench Consultant', role: 'consultant', password: PASSWORD });
    await addUser(svc, { username: 'gp', name: 'Dr Bench Referrer', role: 'referrer', password: PASSWORD });
    const gp = await apiSignIn(svc.url, 'gp', PASSWORD);
    const referral = {
      patient: { nhsNumber: syntheticNhsNumber(705_005), name: { given: 'Bench', family: 'Fiftymegapixel' }, birthDate: '1962-03-09', sex: 'male' },
      pathway: 'advice',
      referrer: { name: 'Dr Bench Referrer', practiceCode: 'B12345' },
      question: 'Many moles on the back; the ringed one has changed. Please advise.',
      history: { duration: '3 months', changed: true, bleeding: false, itch: false },
      images: [{ part: 'img1', kind: 'regional', lesion: 'L1', bodySite: 'upper back', capturedAt: '2026-11-01T10:00:00Z' }],
    };
    const ingestStarted = Date.now();
    const referralId = await postOneImageReferral(svc.url, gp, referral, rendered.jpeg, 'the 50 MP referral');
    const ingestSeconds = (Date.now() - ingestStarted) / 1000;
    const { images } = await latestEntities(svc.url, await apiSignIn(svc.url, 'consultant', PASSWORD));
    const image = images.find((i) => i.referralId === referralId);
    if (!image) throw new Error(`no image record for referral ${referralId}`);
    process.stderr.write(`  submitted and tiled in ${ingestSeconds.toFixed(1)} s: image ${image.id}, ${image.width}×${image.height}, tiles ${image.tileSize}/${image.overlap}\n`);

    browser = await launchChromium();
    const results: ConditionResult[] = [];
    for (const link of links) {
      process.stderr.write(`${linkLabel(link)}: ${runs} runs of cold and warm, fit and 1:1, and the <img> baseline\n`);
      results.push(await runCondition(browser, svc.url, link, referralId, image.id, rendered.jpeg, runs));
    }

    const rows = results.flatMap((r) => {
      const base = r.baseline.decode.median;
      const row = (what: string, ms: Measured[] | null, s: Summary, tiles: number | '') => ({
        link: r.link,
        what,
        s,
        tiles,
        ratio: s.median / base,
        zoomEnds: ms && ms[0]!.scaleAtMs !== null ? round(median(ms.map((m) => m.scaleAtMs!)), 0) : ('' as const),
      });
      return [
        row('<img> decode (baseline)', null, r.baseline.decode, ''),
        row('<img> decode + drawn at fit', null, r.baseline.fitDrawn, ''),
        row('cold fit', r.cold.fit, stat(r.cold.fit), median(r.cold.fit.map((m) => m.tileResponses))),
        row('cold 1:1 region', r.cold.actual, stat(r.cold.actual), median(r.cold.actual.map((m) => m.tileResponses))),
        row('warm fit', r.warm.fit, stat(r.warm.fit), median(r.warm.fit.map((m) => m.tileResponses))),
        row('warm 1:1 region', r.warm.actual, stat(r.warm.actual), median(r.warm.actual.map((m) => m.tileResponses))),
      ];
    });
    const frameRows = results.flatMap((r) =>
      (['cold', 'warm'] as const).flatMap((cache) => (['zoom', 'pan'] as const).map((gesture) => ({ link: r.link, cache, gesture, f: r.frames[cache][gesture] }))),
    );
    const pane = results[0]!.pane;
    const mb = rendered.jpeg.length / 1e6;
    process.stdout.write(
      `\n${image.width}×${image.height} (${((image.width * image.height) / 1e6).toFixed(1)} MP) photograph, ${mb.toFixed(1)} MB JPEG q90 (demo generator), tiles ${image.tileSize}/${image.overlap}; Chromium ${VIEWPORT.width}×${VIEWPORT.height}, viewer pane ${pane.width}×${pane.height}; ${runs} runs each, time to data-fully-loaded="true" (view settled)\n\n` +
        table(rows, [
          { label: 'link', value: (r) => r.link },
          { label: 'measure', value: (r) => r.what },
          { label: 'median ms', value: (r) => round(r.s.median, 0) },
          { label: 'min ms', value: (r) => round(r.s.min, 0) },
          { label: 'max ms', value: (r) => round(r.s.max, 0) },
          { label: 'tile requests', value: (r) => r.tiles },
          { label: 'zoom ends ms', value: (r) => r.zoomEnds },
          { label: '÷ <img> decode', value: (r) => round(r.ratio, 2) },
        ]) +
        `\n\nframe times (requestAnimationFrame deltas) during the scripted zoom (12 wheel steps in, 12 out) and pan (a 600×400 px drag at 1:1)\n\n` +
        table(frameRows, [
          { label: 'link', value: (r) => r.link },
          { label: 'cache', value: (r) => r.cache },
          { label: 'gesture', value: (r) => r.gesture },
          { label: 'frames', value: (r) => r.f.frames },
          { label: 's', value: (r) => r.f.seconds },
          { label: 'p50 ms', value: (r) => r.f.p50 },
          { label: 'p95 ms', value: (r) => r.f.p95 },
          { label: 'max ms', value: (r) => r.f.max },
          { label: '> 50 ms', value: (r) => r.f.over50 },
          { label: 'tile requests', value: (r) => r.f.tileResponses },
          { label: 'moves/s', value: (r) => r.f.inputsPerSecond ?? '' },
        ]) +
        `\n\nzoom ends: the key 1's zoom animation reaching 1:1 (OpenSeadragon animationTime 0.4 s); a 1:1 view cannot be sharp sooner` +
        `\n1:1 region centred near (${results[0]!.regionPose.x.toFixed(0)}, ${results[0]!.regionPose.y.toFixed(0)}) px of the image; the clinic link would need ${((rendered.jpeg.length * 8) / CLINIC_LINK.downloadBps).toFixed(1)} s to bring the original JPEG alone\n`,
    );
    const summaryOf = (ms: Measured[]) => {
      const s = stat(ms);
      return { median: round(s.median, 1), min: round(s.min, 1), max: round(s.max, 1), tileRequestsMedian: median(ms.map((m) => m.tileResponses)), runs: ms.map((m) => ({ ...m, sharpMs: round(m.sharpMs, 1), openedMs: m.openedMs === null ? null : round(m.openedMs, 1), scaleAtMs: m.scaleAtMs === null ? null : round(m.scaleAtMs, 1) })) };
    };
    const file = await writeResults('viewer', {
      viewport: VIEWPORT,
      loadAverage1min: { start: round(loadAtStart, 2), end: round(os.loadavg()[0]!, 2) },
      data: {
        image: { width: image.width, height: image.height, megapixels: round((image.width * image.height) / 1e6, 1), jpegBytes: rendered.jpeg.length, quality: 90, tileSize: image.tileSize, overlap: image.overlap, mmPerPixel: round(layout.mmPerPixel, 5) },
        source: 'service/demo/synthetic-images.ts renderImage (regional view)',
        spec: SPEC,
        renderSeconds: round(renderSeconds, 1),
        ingestSeconds: round(ingestSeconds, 1),
      },
      runsPerMeasure: runs,
      conditions: results.map((r) => {
        const base = r.baseline.decode.median;
        return {
          link: r.link === 'clinic' ? { name: 'clinic', ...CLINIC_LINK } : { name: 'loopback' },
          pane: r.pane,
          regionPose: r.regionPose,
          baseline: {
            decode: { median: round(r.baseline.decode.median, 1), min: round(r.baseline.decode.min, 1), max: round(r.baseline.decode.max, 1) },
            fitDrawn: { median: round(r.baseline.fitDrawn.median, 1), min: round(r.baseline.fitDrawn.min, 1), max: round(r.baseline.fitDrawn.max, 1) },
            runs: r.baseline.runs.map((b) => ({ ...b, decodeMs: round(b.decodeMs, 1), fitDrawnMs: round(b.fitDrawnMs, 1) })),
          },
          cold: { fit: summaryOf(r.cold.fit), actualPixels: summaryOf(r.cold.actual) },
          warm: { fit: summaryOf(r.warm.fit), actualPixels: summaryOf(r.warm.actual) },
          ratioToImgDecode: {
            coldFit: round(stat(r.cold.fit).median / base, 3),
            coldActualPixels: round(stat(r.cold.actual).median / base, 3),
            warmFit: round(stat(r.warm.fit).median / base, 3),
            warmActualPixels: round(stat(r.warm.actual).median / base, 3),
          },
          frames: r.frames,
        };
      }),
      method:
        'A non-demo service on loopback; one referral with the photograph posted through POST /api/v1/referrals. A fresh Chromium context per link condition signs in as a consultant, sets "Referrals to prefetch" to 0. Each run: Settings → "Clear cached images" → hash change to the referral, timed in the page from just before the hash change to data-fully-loaded="true" on .viewer (cold fit); ArrowRight, ArrowUp (untimed), then the key 1, timed from its keydown (capture phase) to the view at 1:1 (.pane data-scale = 1/devicePixelRatio) and data-fully-loaded="true", whichever is later (cold 1:1); back to Settings and the same again with the cache kept (warm: OpenSeadragon\'s in-memory tiles went with its viewer). A measurement ends when the flag is "true" and neither it nor the pose has changed for 600 ms; the time is that of the last transition to "true". Tile requests are CDP Network.responseReceived for /image_files/ URLs. Baseline: in another page of the same browser, the original JPEG\'s bytes (already in the page) as a fresh Blob URL on an <img>, from setting src to decode() resolved, and to drawn scaled to fit on a canvas the pane\'s size (1-pixel getImageData read-back). Frames: requestAnimationFrame deltas in the app page during a scripted wheel zoom and a mouse-drag pan, cold (cache cleared) and warm.',
    });
    process.stdout.write(`results: ${path.relative(process.cwd(), file)}\n`);
    return 0;
  } finally {
    await browser?.close();
    await svc.stop();
  }
}
