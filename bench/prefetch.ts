// `npm run bench -- prefetch [--referrals n]`: a fresh workstation signs in over a clinic's link;
// how long until its next n referrals (default 50) are cached, and how many bytes that moved,
// against the bytes of the original photographs of those referrals.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from '@playwright/test';
import { dziMaxLevel } from '../shared/dzi';
import { prefetchPlan, planTiles } from '../renderer/src/data/tiles/prefetch-plan';
import { apiSignIn, DEMO_PASSWORD, startServiceInstance } from '../tests/e2e/support/service-instance';
import { actionableQueue, CLINIC_LINK, countBytes, emulateLink, latestEntities, launchChromium, pollPage, postPhotoReferral, VIEWPORT } from './browser';
import { writePhoto } from './photo';
import { intOption, round, table, writeResults } from './report';

/** A phone camera's 12 MP photograph. */
const PHOTO = { width: 4032, height: 3024 } as const;

/**
 * In the page: the time from the sign-in form's submit to the header reporting a finished
 * prefetch of `total` referrals (plain JavaScript: see next-case.ts on tsx and `__name`).
 */
const timerScript = (total: number) => `(() => {
  const t = { t0: 0, firstProgress: null, done: null };
  window.__prefetch = t;
  document.addEventListener('submit', () => { if (!t.t0) t.t0 = performance.now(); }, true);
  const check = () => {
    const c = document.querySelector('.connection');
    if (!c || !t.t0 || t.done) return;
    const running = c.getAttribute('data-prefetch-running') === 'true';
    const done = Number(c.getAttribute('data-prefetch-done'));
    const all = Number(c.getAttribute('data-prefetch-total'));
    if (running && t.firstProgress === null && all > 0) t.firstProgress = performance.now() - t.t0;
    if (!running && all === ${total} && done === all) t.done = performance.now() - t.t0;
  };
  new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true });
})()`;

interface Timing {
  firstProgress: number | null;
  done: number | null;
}

async function waitDone(page: Page, timeoutMs: number): Promise<Timing> {
  return pollPage<Timing>(page, 'window.__prefetch.done === null ? null : { firstProgress: window.__prefetch.firstProgress, done: window.__prefetch.done }', timeoutMs, 250);
}

const size = (file: string) => stat(file).then((s) => s.size, () => 0);

export async function run(args: readonly string[]): Promise<number> {
  const count = intOption(args, '--referrals', 50);
  process.stderr.write('starting a demo service instance (seeds 44 referrals)…\n');
  const svc = await startServiceInstance({ demo: true });
  const work = await mkdtemp(path.join(tmpdir(), 'loupe-bench-prefetch-'));
  const browser = await launchChromium();
  try {
    const token = await apiSignIn(svc.url, 'consultant');
    const demoQueue = actionableQueue((await latestEntities(svc.url, token)).referrals, 'consultant');
    const added = Math.max(0, count - demoQueue.length);
    if (added > 0) {
      // The demo has fewer actionable referrals than the prefetch count: add photographs the
      // size a phone takes, each different (fresh texture and grain), one image each.
      process.stderr.write(`the demo has ${demoQueue.length} actionable referrals; adding ${added} with a ${PHOTO.width}×${PHOTO.height} photograph each…\n`);
      const gp = await apiSignIn(svc.url, 'gp');
      for (let i = 0; i < added; i++) {
        const file = path.join(work, `photo-${i}.jpg`);
        await writePhoto(file, PHOTO.width, PHOTO.height);
        await postPhotoReferral(svc.url, gp, file, i);
        await rm(file);
        if ((i + 1) % 5 === 0) process.stderr.write(`  ${i + 1}/${added}\n`);
      }
    }
    const { referrals, images } = await latestEntities(svc.url, token);
    const queue = actionableQueue(referrals, 'consultant').slice(0, count);
    if (queue.length < count) throw new Error(`only ${queue.length} actionable referrals`);
    const chosen = new Set(queue.map((r) => r.id));
    const chosenImages = images.filter((i) => chosen.has(i.referralId));

    // What those referrals are on the service: the originals (kept under their SHA-256, see
    // service/images/image-store.ts), the whole pyramids, and the part prefetch plans to fetch.
    const db = new Database(path.join(svc.dataDir, 'loupe.sqlite'), { readonly: true, fileMustExist: true });
    const shaOf = new Map((db.prepare('SELECT id, sha256 FROM images').all() as { id: string; sha256: string }[]).map((r) => [r.id, r.sha256]));
    db.close();
    const imagesDir = path.join(svc.dataDir, 'images');
    let originalBytes = 0, plannedTileBytes = 0, plannedTiles = 0, thumbnailBytes = 0, fullPyramidLevels = 0;
    for (const image of chosenImages) {
      const sha = shaOf.get(image.id)!;
      originalBytes += await size(path.join(imagesDir, 'originals', sha.slice(0, 2), sha));
      const pyramid = path.join(imagesDir, 'pyramids', image.id.slice(0, 2), image.id);
      thumbnailBytes += await size(path.join(pyramid, 'thumbnail.jpg'));
      const plan = prefetchPlan(image);
      if (plan.deepestLevel === dziMaxLevel(image.width, image.height)) fullPyramidLevels++;
      for (const t of planTiles(plan)) {
        plannedTiles++;
        plannedTileBytes += await size(path.join(pyramid, 'image_files', String(t.level), `${t.col}_${t.row}.${image.format}`));
      }
    }
    const megapixels = chosenImages.reduce((n, i) => n + (i.width * i.height) / 1e6, 0);

    // A fresh profile signs in over the link; prefetch starts by itself after the first pull.
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    const link = await emulateLink(page, CLINIC_LINK);
    const bytes = countBytes(link.session);
    await page.goto(`${svc.url}/`);
    await page.evaluate(timerScript(count));
    await page.getByLabel('Username').fill('consultant');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const timing = await waitDone(page, 30 * 60_000);
    const moved = bytes.totals();
    const settingsLine = await page.locator('.connection').evaluate((c) => ({ done: c.getAttribute('data-prefetch-done'), total: c.getAttribute('data-prefetch-total') }));
    await context.close();

    const prefetchBytes = moved.tiles + moved.thumbnails;
    const seconds = timing.done! / 1000;
    const linkSeconds = (prefetchBytes * 8) / CLINIC_LINK.downloadBps;
    const rows = [
      { what: 'prefetch moved: tiles + thumbnails (encodedDataLength)', mb: prefetchBytes / 1e6, ratio: prefetchBytes / originalBytes },
      { what: '  of which tiles', mb: moved.tiles / 1e6, ratio: moved.tiles / originalBytes },
      { what: '  of which thumbnails', mb: moved.thumbnails / 1e6, ratio: moved.thumbnails / originalBytes },
      { what: 'other API (sign-in, change feed, …)', mb: moved.otherApi / 1e6, ratio: moved.otherApi / originalBytes },
      { what: 'planned tiles + thumbnails on the service disk', mb: (plannedTileBytes + thumbnailBytes) / 1e6, ratio: (plannedTileBytes + thumbnailBytes) / originalBytes },
      { what: 'original photographs (baseline)', mb: originalBytes / 1e6, ratio: 1 },
    ];
    process.stdout.write(
      `\nprefetch of ${count} referrals (${chosenImages.length} images, ${megapixels.toFixed(0)} MP) by a fresh Chromium profile, ${VIEWPORT.width}×${VIEWPORT.height}, link ${CLINIC_LINK.downloadBps / 1e6} Mbit/s, ${CLINIC_LINK.latencyMs} ms\n` +
        `data: the demo's ${demoQueue.length} actionable referrals${added ? ` + ${added} added, one ${PHOTO.width}×${PHOTO.height} photograph each (bench/photo.ts), so that ${count} are actionable` : ''}\n\n` +
        table(rows, [
          { label: 'bytes', value: (r) => r.what },
          { label: 'MB', value: (r) => round(r.mb, 2) },
          { label: '÷ originals', value: (r) => round(r.ratio, 3) },
        ]) +
        `\n\ntime from "Sign in" to ${settingsLine.done}/${settingsLine.total} referrals cached: ${seconds.toFixed(1)} s (first progress at ${((timing.firstProgress ?? 0) / 1000).toFixed(1)} s)` +
        `\nthe bytes moved alone need ${linkSeconds.toFixed(1)} s at ${CLINIC_LINK.downloadBps / 1e6} Mbit/s: the link is ${((100 * linkSeconds) / seconds).toFixed(0)}% used over the run` +
        `\n${plannedTiles} tiles + ${chosenImages.length} thumbnails planned; ${moved.requests} requests finished, ${moved.failed} failed; ${fullPyramidLevels} of ${chosenImages.length} images are prefetched down to full resolution (fit level for 2560×1440, +1)\n`,
    );
    const file = await writeResults('prefetch', {
      link: CLINIC_LINK,
      viewport: VIEWPORT,
      data: { referrals: count, images: chosenImages.length, megapixels: round(megapixels, 1), demoActionable: demoQueue.length, added, addedPhoto: added ? { ...PHOTO, source: 'bench/photo.ts (q90)' } : null },
      seconds: round(seconds, 2),
      firstProgressSeconds: timing.firstProgress === null ? null : round(timing.firstProgress / 1000, 2),
      bytes: { moved, prefetch: prefetchBytes, originals: originalBytes, plannedTilesOnDisk: plannedTileBytes, thumbnailsOnDisk: thumbnailBytes },
      ratio: { prefetchOverOriginals: round(prefetchBytes / originalBytes, 3), prefetchOverPlannedOnDisk: round(prefetchBytes / (plannedTileBytes + thumbnailBytes), 3), linkUtilisation: round(linkSeconds / seconds, 3) },
      plannedTiles,
      imagesPrefetchedToFullResolution: fullPyramidLevels,
      method:
        'Fresh Chromium context; CDP Network.emulateNetworkConditions on the page; bytes are Network.loadingFinished encodedDataLength (headers included) by URL; the time runs in the page from the sign-in form\'s submit to .connection reporting prefetch not running with done = total = n. Originals are the files under <data>/images/originals/ named by the images table\'s sha256.',
    });
    process.stdout.write(`results: ${path.relative(process.cwd(), file)}\n`);
    return 0;
  } finally {
    await browser.close();
    await svc.stop();
    await rm(work, { recursive: true, force: true });
  }
}
