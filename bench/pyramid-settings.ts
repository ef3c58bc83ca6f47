// `npm run bench -- tiles [--runs n]`: tile size × JPEG quality for the service's pyramids.
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { dziMaxLevel } from '../shared/dzi';
import { buildPyramid, DEFAULT_PYRAMID, type PyramidSettings } from '../service/images/pyramid';
import { defaultPoolSize, threadsPerWorker } from '../service/images/pyramid-pool';
import { writePhoto } from './photo';
import { intOption, round, summarise, table, writeResults } from './report';

const VIEWPORT = { width: 1920, height: 1080 };
const LIMITS = { pixels: 100_000_000 };
const TILINGS = [
  { tileSize: 254, overlap: 1 },
  { tileSize: 510, overlap: 1 },
  { tileSize: 1022, overlap: 1 },
  { tileSize: 512, overlap: 0 },
  // sharp's own default; its tiles start on the source's 8×8 JPEG block grid, as 512/0's do.
  { tileSize: 256, overlap: 0 },
] as const;
const QUALITIES = [75, 85, 92] as const;

interface Raw {
  data: Buffer;
  width: number;
  height: number;
}

type Grid = Map<string, number>; // "level/col_row" → bytes

async function tileSizes(out: string): Promise<Grid> {
  const grid: Grid = new Map();
  const root = path.join(out, 'image_files');
  // Levels are numbered folders; libvips also leaves a vips-properties.xml here.
  for (const level of (await readdir(root)).filter((e) => /^\d+$/.test(e))) {
    for (const f of await readdir(path.join(root, level))) grid.set(`${level}/${f.replace(/\.jpeg$/, '')}`, (await stat(path.join(root, level, f))).size);
  }
  return grid;
}

/** Bytes and requests for the tiles of `level` that intersect a rectangle of that level. */
function cost(grid: Grid, s: PyramidSettings, level: number, x0: number, y0: number, x1: number, y1: number) {
  let requests = 0, bytes = 0;
  for (let col = Math.floor(Math.max(0, x0) / s.tileSize); col * s.tileSize < x1; col++) {
    for (let row = Math.floor(Math.max(0, y0) / s.tileSize); row * s.tileSize < y1; row++) {
      const b = grid.get(`${level}/${col}_${row}`);
      if (b === undefined) continue;
      requests++;
      bytes += b;
    }
  }
  return { requests, bytes };
}

/**
 * The viewer's cost, modelled on one 1920×1080 viewport at 1 device pixel per CSS pixel:
 * "fit" shows the whole image from the smallest level at least as large as it is drawn (no
 * upscaling); "100%" shows the full-resolution level's centre. Lower levels that a viewer
 * may draw first while these arrive are left out: they add little and the same to each.
 */
function viewportCosts(grid: Grid, s: PyramidSettings, width: number, height: number) {
  const max = dziMaxLevel(width, height);
  const scale = Math.min(VIEWPORT.width / width, VIEWPORT.height / height, 1);
  const fitLevel = max - Math.floor(Math.log2(1 / scale));
  const shrink = 2 ** (max - fitLevel);
  const fit = cost(grid, s, fitLevel, 0, 0, Math.ceil(width / shrink), Math.ceil(height / shrink));
  const [cx, cy] = [width / 2, height / 2];
  const full = cost(grid, s, max, cx - VIEWPORT.width / 2, cy - VIEWPORT.height / 2, cx + VIEWPORT.width / 2, cy + VIEWPORT.height / 2);
  return { fitLevel, fit, full };
}

/**
 * PSNR (RGB) and SSIM (luma, 8×8 blocks, the standard constants) of every full-resolution
 * tile against the same pixels of the source: the loss the viewer shows at 100%.
 */
async function quality(out: string, s: PyramidSettings, src: Raw): Promise<{ psnr: number; ssim: number }> {
  const max = dziMaxLevel(src.width, src.height);
  const dir = path.join(out, 'image_files', String(max));
  let sq = 0, n = 0, ssimSum = 0, blocks = 0;
  const [C1, C2] = [(0.01 * 255) ** 2, (0.03 * 255) ** 2];
  const luma = (d: Buffer, i: number) => 0.299 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]!;
  for (const f of await readdir(dir)) {
    const [col, row] = f.replace(/\.jpeg$/, '').split('_').map(Number) as [number, number];
    const { data, info } = await sharp(await readFile(path.join(dir, f))).raw().toBuffer({ resolveWithObject: true });
    const left = col * s.tileSize - (col > 0 ? s.overlap : 0);
    const top = row * s.tileSize - (row > 0 ? s.overlap : 0);
    const at = (x: number, y: number) => ((top + y) * src.width + left + x) * 3;
    for (let y = 0; y < info.height; y++) {
      for (let x = 0; x < info.width; x++) {
        const [a, b] = [(y * info.width + x) * 3, at(x, y)];
        for (let c = 0; c < 3; c++) sq += (data[a + c]! - src.data[b + c]!) ** 2;
        n += 3;
      }
    }
    for (let by = 0; by + 8 <= info.height; by += 8) {
      for (let bx = 0; bx + 8 <= info.width; bx += 8) {
        let sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        for (let y = by; y < by + 8; y++) {
          for (let x = bx; x < bx + 8; x++) {
            const p = luma(data, (y * info.width + x) * 3);
            const q = luma(src.data, at(x, y));
            sa += p; sb += q; saa += p * p; sbb += q * q; sab += p * q;
          }
        }
        const [ma, mb] = [sa / 64, sb / 64];
        const [va, vb, cov] = [saa / 64 - ma * ma, sbb / 64 - mb * mb, sab / 64 - ma * mb];
        ssimSum += ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (va + vb + C2));
        blocks++;
      }
    }
  }
  return { psnr: 10 * Math.log10((255 * 255) / (sq / n)), ssim: ssimSum / blocks };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

export async function run(args: readonly string[]): Promise<number> {
  const runs = intOption(args, '--runs', 3);
  const loadAtStart = os.loadavg()[0]!;
  // As in a worker of the default pool.
  sharp.cache(false);
  sharp.concurrency(threadsPerWorker(defaultPoolSize()));
  const work = await mkdtemp(path.join(tmpdir(), 'loupe-bench-tiles-'));
  try {
    const srcFile = path.join(work, 'photo.jpg');
    process.stderr.write('making a 24 MP photograph-like JPEG…\n');
    await writePhoto(srcFile);
    const { data, info } = await sharp(srcFile).raw().toBuffer({ resolveWithObject: true });
    const src: Raw = { data, width: info.width, height: info.height };

    const combos: PyramidSettings[] = TILINGS.flatMap((t) => QUALITIES.map((quality) => ({ ...t, quality })));
    const times = combos.map((): number[] => []);
    const outs: string[] = [];
    // Alternated, so drift in the machine's load touches every setting alike; the last
    // run's pyramids are kept for the measurements.
    for (let i = 0; i < runs; i++) {
      for (const [c, s] of combos.entries()) {
        const out = await mkdtemp(path.join(work, 'p-'));
        times[c]!.push(await timed(() => buildPyramid(srcFile, out, 'bench', LIMITS, s)));
        if (i === runs - 1) outs[c] = out;
        else await rm(out, { recursive: true });
      }
      process.stderr.write(`run ${i + 1}/${runs}\n`);
    }
    const rows = [];
    for (const [c, s] of combos.entries()) {
      const out = outs[c]!;
      const grid = await tileSizes(out);
      const iccBytes = ((await sharp(path.join(out, 'image_files', '0', '0_0.jpeg')).metadata()).icc?.length ?? 0) + 18; // APP2 marker, length, "ICC_PROFILE\0", sequence
      const total = [...grid.values()].reduce((a, b) => a + b, 0);
      const view = viewportCosts(grid, s, src.width, src.height);
      const qual = await quality(out, s, src);
      await rm(out, { recursive: true });
      rows.push({ s, seconds: summarise(times[c]!), tiles: grid.size, bytes: total, iccShare: (grid.size * iccBytes) / total, ...view, ...qual });
    }

    process.stdout.write(
      `\npyramid settings on one 6000×4000 photograph-like JPEG; ${runs} builds each (median); viewport ${VIEWPORT.width}×${VIEWPORT.height}\n\n` +
        table(rows, [
          { label: 'tile/ovl', value: (r) => `${r.s.tileSize}/${r.s.overlap}` },
          { label: 'Q', value: (r) => r.s.quality },
          { label: 'build s', value: (r) => round(r.seconds.median, 2) },
          { label: 'tiles', value: (r) => r.tiles },
          { label: 'MB', value: (r) => round(r.bytes / 1e6, 2) },
          { label: 'ICC %', value: (r) => round(100 * r.iccShare, 1) },
          { label: 'fit req', value: (r) => r.fit.requests },
          { label: 'fit KB', value: (r) => Math.round(r.fit.bytes / 1e3) },
          { label: '100% req', value: (r) => r.full.requests },
          { label: '100% KB', value: (r) => Math.round(r.full.bytes / 1e3) },
          { label: 'PSNR dB', value: (r) => round(r.psnr, 2) },
          { label: 'SSIM', value: (r) => round(r.ssim, 4) },
        ]) +
        '\n',
    );
    const file = await writeResults('tiles', {
      source: { width: src.width, height: src.height, bytes: (await stat(srcFile)).size, jpegQuality: 90 },
      runs,
      viewport: VIEWPORT,
      current: DEFAULT_PYRAMID,
      loadAverage1min: { start: round(loadAtStart, 2), end: round(os.loadavg()[0]!, 2) },
      model:
        'fit: every tile of the smallest level at least as large as the image is drawn in the viewport (1 device px per CSS px); 100%: the full-resolution tiles under a centred viewport. PSNR over RGB and SSIM over luma (8×8 blocks) compare every full-resolution tile with the source pixels. ICC %: the share of tile bytes spent on the 480-byte sRGB profile in every tile.',
      results: rows.map((r) => ({
        ...r.s,
        seconds: { median: round(r.seconds.median), min: round(r.seconds.min), max: round(r.seconds.max) },
        tiles: r.tiles,
        bytes: r.bytes,
        iccShare: round(r.iccShare, 4),
        fitLevel: r.fitLevel,
        fit: r.fit,
        full: r.full,
        psnr: round(r.psnr, 2),
        ssim: round(r.ssim, 4),
      })),
    });
    process.stdout.write(`results: ${path.relative(process.cwd(), file)}\n`);
    return 0;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
