// `npm run bench -- worklist [--referrals n --rounds n]`: the worklist over 50,000 referrals in
// the encrypted local store, in Chromium: index build after unlock, catch-up after a pull, and
// filter + sort + first render for varied views, against a plain array filter + sort.
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { build } from 'vite';
import { launchChromium, percentile, VIEWPORT } from './browser';
import { intOption, round, table, writeResults } from './report';
import { PageResult, type ViewSample } from './worklist-page/result';

const PAGE_DIR = fileURLToPath(new URL('./worklist-page/', import.meta.url));

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** Serves the built page on loopback (an http origin, so IndexedDB and WebCrypto behave as in the app). */
async function serve(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.join(dir, rel);
    if (!file.startsWith(dir)) return void res.writeHead(403).end();
    stat(file).then(
      () => {
        res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
        createReadStream(file).pipe(res);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export async function run(args: readonly string[]): Promise<number> {
  const count = intOption(args, '--referrals', 50_000);
  const rounds = intOption(args, '--rounds', 2);
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'loupe-bench-worklist-'));
  process.stderr.write('building the benchmark page from the renderer modules…\n');
  await build({ root: PAGE_DIR, base: './', configFile: false, logLevel: 'warn', plugins: [react()], build: { outDir, emptyOutDir: true, minify: true } });
  const server = await serve(outDir);
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext({ viewport: VIEWPORT })).newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') process.stderr.write(`page: ${m.text()}\n`);
    });
    await page.goto(`${server.url}/index.html?n=${count}&rounds=${rounds}`);
    let phase = '';
    const deadline = Date.now() + 20 * 60_000;
    let result: PageResult | null = null;
    for (;;) {
      const s = await page.evaluate(() => (globalThis as unknown as { __bench: { phase: string; error: string | null; result: unknown } }).__bench);
      if (s.phase !== phase) process.stderr.write(`  ${(phase = s.phase)}…\n`);
      if (s.error) throw new Error(`in the page: ${s.error}`);
      if (s.phase === 'done') {
        result = PageResult.parse(s.result);
        break;
      }
      if (Date.now() > deadline) throw new Error(`stuck at ${s.phase}`);
      await page.waitForTimeout(250);
    }
    report(result, rounds);
    return 0;
  } finally {
    await browser.close();
    await server.close();
    await rm(outDir, { recursive: true, force: true });
  }
}

function report(r: PageResult, rounds: number): void {
  const col = (pick: (s: ViewSample) => number) => r.samples.map(pick);
  const stats = (xs: number[]) => ({ p50: round(percentile(xs, 50), 2), p95: round(percentile(xs, 95), 2), max: round(Math.max(...xs), 2) });
  const rows = [
    { what: 'baseline: plain array filter + sort (same 50k summaries)', ...stats(col((s) => s.baselineMs)) },
    { what: 'index query: queue bucket + filter (pre-sorted)', ...stats(col((s) => s.indexMs)) },
    { what: 'Worklist UI: hash change → React commit', ...stats(col((s) => s.commitMs)) },
    { what: 'Worklist UI: hash change → filtered, sorted, painted', ...stats(col((s) => s.uiMs)) },
  ];
  const ratio = round(percentile(col((s) => s.baselineMs), 50) / percentile(col((s) => s.indexMs), 50), 1);
  process.stdout.write(
    `\nWorklist, ${r.referrals.toLocaleString('en-GB')} referrals + ${r.outcomes.toLocaleString('en-GB')} outcomes in the encrypted local store, Chromium ${VIEWPORT.width}×${VIEWPORT.height}; ` +
      `${r.samples.length} samples (${r.samples.length / rounds} views × ${rounds} rounds, a pull of 10 changed referrals between rounds)\n\n` +
      table(rows, [
        { label: 'per view (ms)', value: (x) => x.what },
        { label: 'p50', value: (x) => x.p50 },
        { label: 'p95', value: (x) => x.p95 },
        { label: 'max', value: (x) => x.max },
      ]) +
      `\n\nbaseline / index at p50: ${ratio}×\n\n` +
      table(
        [
          { what: 'seed the store (seal + write, real applyPage)', ms: round(r.seedMs, 0) },
          { what: 'index build after unlock (read + decrypt + summarise, one-off)', ms: round(r.buildMs, 0) },
          { what: `index catch-up after a pull (${r.catchUp.referralsChanged} referrals, ${r.catchUp.outcomesAdded} outcomes; ${r.catchUp.decrypted} rows decrypted)`, ms: round(r.catchUp.ms, 1) },
          { what: 'old path per change: decrypt every referral (cold memo)', ms: round(r.fullDecryptMs, 0) },
          { what: `first render of the Worklist over the built index (${r.firstMount.rowsInDom} rows in the DOM)`, ms: round(r.firstMount.ms, 0) },
        ],
        [
          { label: 'one-off and per-change (ms)', value: (x) => x.what },
          { label: 'ms', value: (x) => x.ms },
        ],
      ) +
      '\n\n' +
      table(r.samples.slice(0, r.samples.length / rounds), [
        { label: 'view (round 1)', value: (s) => s.view || '(default)' },
        { label: 'rows', value: (s) => s.rows },
        { label: 'baseline', value: (s) => round(s.baselineMs, 1) },
        { label: 'index', value: (s) => round(s.indexMs, 2) },
        { label: 'UI commit', value: (s) => round(s.commitMs, 1) },
        { label: 'UI painted', value: (s) => round(s.uiMs, 1) },
      ]) +
      '\n',
  );
  void writeResults('worklist', {
    referrals: r.referrals,
    outcomes: r.outcomes,
    rounds,
    perView: Object.fromEntries(rows.map((x) => [x.what, { p50: x.p50, p95: x.p95, max: x.max }])),
    baselineOverIndexP50: ratio,
    oneOff: {
      seedMs: round(r.seedMs, 0),
      indexBuildMs: round(r.buildMs, 0),
      catchUpAfterPullMs: round(r.catchUp.ms, 1),
      catchUpRowsDecrypted: r.catchUp.decrypted,
      decryptAllReferralsMs: round(r.fullDecryptMs, 0),
      firstRenderMs: round(r.firstMount.ms, 0),
      rowsInDom: r.firstMount.rowsInDom,
      rowsInDomAtEnd: r.domRowsAtEnd,
    },
    samples: r.samples.map((s) => ({ ...s, baselineMs: round(s.baselineMs, 2), indexMs: round(s.indexMs, 3), commitMs: round(s.commitMs, 1), uiMs: round(s.uiMs, 1) })),
    notes:
      'Timed in the page with performance.now(). baseline: queryRows (worklist-model.ts) over the same WorklistRow summaries as a plain array. index: WorklistIndex.query. UI: from setting location.hash to the view until the table reports the view (data-view) and the next frame has been painted (requestAnimationFrame + setTimeout 0); includes React rendering the virtualised rows. Every index answer is checked row by row against the baseline.',
  }).then((file) => process.stderr.write(`wrote ${file}\n`));
}
