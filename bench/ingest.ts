// `npm run bench -- ingest [--runs n]`: the service's pyramid pipeline against `vips dzsave`.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { DEFAULT_PYRAMID, THUMBNAIL_SIZE } from '../service/images/pyramid';
import { defaultPoolSize, InlinePyramidBuilder, PyramidPool, threadsPerWorker, type PyramidBuilder } from '../service/images/pyramid-pool';
import { writePhoto } from './photo';
import { intOption, round, summarise, table, writeResults, type Summary } from './report';

const run$ = promisify(execFile);
const VIPS = process.env.VIPS ?? 'vips';
const TARGET = 1.25;
const LIMITS = { pixels: 100_000_000 };

/** Files and bytes under a folder, tiles (JPEGs under *_files/) counted apart. */
async function footprint(dir: string): Promise<{ files: number; bytes: number; tiles: number; tileBytes: number }> {
  let files = 0, bytes = 0, tiles = 0, tileBytes = 0;
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath, e.name);
    const size = (await stat(full)).size;
    files++;
    bytes += size;
    if (/_files\//.test(full) && /\.jpe?g$/.test(e.name)) {
      tiles++;
      tileBytes += size;
    }
  }
  return { files, bytes, tiles, tileBytes };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

async function repeat(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) samples.push(await timed(fn));
  return samples;
}

interface Variant {
  key: string;
  label: string;
  build(src: string, out: string): Promise<unknown>;
}

export async function run(args: readonly string[]): Promise<number> {
  const runs = intOption(args, '--runs', 5);
  const loadAtStart = os.loadavg()[0]!;
  const version = await run$(VIPS, ['--version']).then((r) => r.stdout.trim(), () => undefined);
  if (!version) {
    process.stderr.write(`\`${VIPS}\` was not found: install libvips-tools (Debian: apt-get install libvips-tools) or set VIPS=/path/to/vips\n`);
    return 1;
  }
  const tuning = { poolSize: defaultPoolSize(), threadsPerWorker: threadsPerWorker(defaultPoolSize()) };
  // The inline baseline gets what each worker gets, so the difference is the pool's own cost.
  sharp.cache(false);
  sharp.concurrency(tuning.threadsPerWorker);

  const work = await mkdtemp(path.join(tmpdir(), 'loupe-bench-ingest-'));
  const pool = new PyramidPool();
  const inline: PyramidBuilder = new InlinePyramidBuilder();
  try {
    const src = path.join(work, 'photo.jpg');
    process.stderr.write('making a 24 MP photograph-like JPEG…\n');
    await writePhoto(src);
    const srcBytes = (await stat(src)).size;

    const dz = (suffix: string) => (s: string, out: string) =>
      run$(VIPS, ['dzsave', s, path.join(out, 'image'), '--tile-size', String(DEFAULT_PYRAMID.tileSize), '--overlap', String(DEFAULT_PYRAMID.overlap), '--suffix', suffix, '--layout', 'dz']);
    const variants: Variant[] = [
      { key: 'service', label: 'service: PyramidPool.build', build: (s, out) => pool.build(s, out, 'bench', LIMITS) },
      { key: 'vipsSameEncoding', label: 'vips dzsave, Q=85 + optimize_coding', build: dz(`.jpg[Q=${DEFAULT_PYRAMID.quality},optimize_coding]`) },
      { key: 'vips', label: 'vips dzsave, Q=85 (its defaults)', build: dz(`.jpg[Q=${DEFAULT_PYRAMID.quality}]`) },
      { key: 'inline', label: 'inline buildPyramid (no pool)', build: (s, out) => inline.build(s, out, 'bench', LIMITS) },
    ];

    // The pool's first build includes forking its worker; measured, then left out of the runs.
    const coldDir = await mkdtemp(path.join(work, 'cold-'));
    const firstBuild = await timed(() => pool.build(src, coldDir, 'bench', LIMITS));
    // One untimed pass of the others, so every variant starts with the file in the page cache.
    for (const v of variants.slice(1)) {
      const out = await mkdtemp(path.join(work, 'warm-'));
      await v.build(src, out);
      await rm(out, { recursive: true });
    }

    const samples = new Map<string, number[]>(variants.map((v) => [v.key, []]));
    const outputs = new Map<string, Awaited<ReturnType<typeof footprint>>>();
    for (let i = 0; i < runs; i++) {
      // Alternated, so drift in the machine's load touches every variant alike.
      for (const v of variants) {
        const out = await mkdtemp(path.join(work, `${v.key}-`));
        samples.get(v.key)!.push(await timed(() => v.build(src, out)));
        if (!outputs.has(v.key)) outputs.set(v.key, await footprint(out));
        await rm(out, { recursive: true });
      }
      process.stderr.write(`run ${i + 1}/${runs}\n`);
    }
    const stats = new Map<string, Summary>([...samples].map(([k, s]) => [k, summarise(s)]));
    const median = (k: string) => stats.get(k)!.median;

    // Does the thumbnail shrink on load? Compare it with one full decode of the same file.
    const thumbnail = summarise(await repeat(3, () => sharp(src).autoOrient().toColourspace('srgb').resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside' }).jpeg({ quality: 80 }).toBuffer()));
    const fullDecode = summarise(await repeat(3, () => sharp(src).raw().toBuffer()));

    // What the outputs carry, read back the way a viewer would.
    const sample = async (build: Variant['build'], tile: string) => {
      const out = await mkdtemp(path.join(work, 'meta-'));
      await build(src, out);
      const m = await sharp(path.join(out, tile)).metadata();
      const entries = await readdir(path.join(out, 'image_files'));
      await rm(out, { recursive: true });
      return { icc: m.icc?.length ?? 0, exif: m.exif !== undefined, xmp: m.xmp !== undefined, space: m.space, extraFiles: entries.filter((e) => !/^\d+$/.test(e)) };
    };
    const serviceTile = await sample(variants[0]!.build, 'image_files/13/3_3.jpeg');
    const vipsTile = await sample(variants[2]!.build, 'image_files/13/3_3.jpg');

    const ratio = median('service') / median('vipsSameEncoding');
    const ratioDefaults = median('service') / median('vips');
    const huffmanSaving = 100 * (outputs.get('vips')!.tileBytes / outputs.get('vipsSameEncoding')!.tileBytes - 1);
    const rows = variants.map((v) => ({ v, s: stats.get(v.key)!, o: outputs.get(v.key)! }));
    process.stdout.write(
      `\ningest of one 6000×4000 JPEG (${(srcBytes / 1e6).toFixed(1)} MB), ${runs} runs each, alternated; baseline ${version}; pool ${tuning.poolSize} worker(s) × ${tuning.threadsPerWorker} libvips thread(s)\n\n` +
        table(rows, [
          { label: 'pipeline', value: (r) => r.v.label },
          { label: 'median s', value: (r) => round(r.s.median) },
          { label: 'min s', value: (r) => round(r.s.min) },
          { label: 'max s', value: (r) => round(r.s.max) },
          { label: '× vips same enc.', value: (r) => round(r.s.median / median('vipsSameEncoding'), 2) },
          { label: 'tiles', value: (r) => r.o.tiles },
          { label: 'tile MB', value: (r) => round(r.o.tileBytes / 1e6, 2) },
          { label: 'files', value: (r) => r.o.files },
          { label: 'total MB', value: (r) => round(r.o.bytes / 1e6, 2) },
        ]) +
        `\n\nfirst build on a fresh pool (forks the worker): ${firstBuild.toFixed(3)} s` +
        `\nthumbnail alone (shrink-on-load): ${thumbnail.median.toFixed(3)} s; one full decode of the same file: ${fullDecode.median.toFixed(3)} s` +
        `\nservice / vips with the same JPEG encoding: ${ratio.toFixed(2)} (target ≤ ${TARGET}): ${ratio <= TARGET ? 'PASS' : 'FAIL'}` +
        `\nservice / vips with its own defaults (no Huffman optimisation: tiles ${huffmanSaving.toFixed(1)}% larger): ${ratioDefaults.toFixed(2)} (${ratioDefaults <= TARGET ? 'PASS' : 'FAIL'} against ${TARGET})\n`,
    );

    const file = await writeResults('ingest', {
      source: { width: 6000, height: 4000, bytes: srcBytes, jpegQuality: 90, exifOrientation: 1 },
      runs,
      tuning,
      vips: version,
      sharp: sharp.versions,
      results: Object.fromEntries(rows.map((r) => [r.v.key, { label: r.v.label, seconds: { median: round(r.s.median), min: round(r.s.min), max: round(r.s.max), runs: r.s.runs.map((x) => round(x)) }, output: r.o }])),
      firstPoolBuildSeconds: round(firstBuild),
      thumbnailSeconds: round(thumbnail.median),
      fullDecodeSeconds: round(fullDecode.median),
      ratio: { serviceOverVipsSameEncoding: round(ratio, 3), serviceOverVipsDefaults: round(ratioDefaults, 3), target: TARGET, pass: ratio <= TARGET, passAgainstVipsDefaults: ratioDefaults <= TARGET },
      // Other work on the machine shows here; the alternation spreads it over every variant.
      loadAverage1min: { start: round(loadAtStart, 2), end: round(os.loadavg()[0]!, 2) },
      outputMetadata: { service: serviceTile, vips: vipsTile },
      differences: [
        'The service also reads the header first (pixel limit), auto-orients, converts to sRGB, and writes a 320 px thumbnail (in parallel with the tiles); vips dzsave does none of these. The source is sRGB with orientation 1, so orientation and colour conversion are no-ops here.',
        `The service's JPEG encoder (sharp's default) optimises Huffman tables; \`vips dzsave\` does not by default, and its tiles are then ${huffmanSaving.toFixed(1)}% larger for ${(median('vipsSameEncoding') - median('vips')).toFixed(2)} s less. It is timed both ways; the target is judged against the same encoding.`,
        'Each service tile carries a 480-byte sRGB ICC profile (the issue keeps the colour profile); vips tiles carry none.',
        'vips writes image_files/vips-properties.xml with the source\'s metadata (EXIF included); the service writes no such file.',
        `Different libvips builds: the service uses sharp's bundled libvips ${sharp.versions.vips} (mozjpeg's library in libjpeg-turbo mode); the baseline is Debian's ${version} (libjpeg-turbo).`,
        'The service figure includes IPC to the worker process and zod parsing of its reply; the first build on a fresh pool (process fork + module load) is reported apart.',
      ],
    });
    process.stdout.write(`results: ${path.relative(process.cwd(), file)}\n`);
    return 0;
  } finally {
    await pool.close();
    await rm(work, { recursive: true, force: true });
  }
}

