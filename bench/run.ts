// Entry point: `npm run bench -- <name> [options]` (tsx bench/run.ts <name> [options]).

/** A benchmark module: runs, prints, writes its JSON, and returns a process exit code. */
export interface Benchmark {
  run(args: readonly string[]): Promise<number>;
}

const BENCHMARKS: Record<string, { what: string; load(): Promise<Benchmark> }> = {
  ingest: {
    what: "the service's pyramid pipeline (worker pool) vs `vips dzsave` on one 24 MP JPEG [--runs n]",
    load: () => import('./ingest'),
  },
  service: {
    what: 'change-feed pages and mutation batches per second, p50/p99, SQLite and PostgreSQL, vs /health [--seconds n --connections n --batch n]',
    load: () => import('./service'),
  },
  'next-case': {
    what: '"Next case" to a sharp first image in Chromium over a 10 Mbit/s, 80 ms link: warm (after prefetch) vs cold, p50/p95 [--samples n]',
    load: () => import('./next-case'),
  },
  prefetch: {
    what: 'prefetch of 50 referrals in Chromium over a 10 Mbit/s, 80 ms link: time and bytes moved vs the originals\' bytes [--referrals n]',
    load: () => import('./prefetch'),
  },
  viewer: {
    what: 'a 50 MP photograph in the viewer: time to a sharp fit and 1:1 view, cold and warm, vs decoding the JPEG into an <img>; frame times of a pan and a zoom [--runs n --link loopback|clinic|both]',
    load: () => import('./viewer'),
  },
  worklist: {
    what: 'the worklist over 50,000 referrals in the encrypted local store: index build, catch-up after a pull, filter + sort + first render p50/p95 vs a plain array filter + sort [--referrals n --rounds n]',
    load: () => import('./worklist'),
  },
  tiles: {
    what: 'tile size × JPEG quality: build time, bytes, requests per viewport, PSNR/SSIM [--runs n]',
    load: () => import('./pyramid-settings'),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(BENCHMARKS).map((n) => n.length));
  return ['usage: tsx bench/run.ts <name> [options]', 'benchmarks:', ...Object.entries(BENCHMARKS).map(([n, b]) => `  ${n.padEnd(width)}  ${b.what}`)].join('\n');
}

async function main(): Promise<number> {
  const [name, ...args] = process.argv.slice(2);
  const bench = name === undefined ? undefined : BENCHMARKS[name];
  if (!bench) {
    if (name !== undefined) process.stderr.write(`unknown benchmark: ${name}\n`);
    process.stderr.write(`${usage()}\n`);
    return 2;
  }
  return (await bench.load()).run(args);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
