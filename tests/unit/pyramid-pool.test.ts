import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { HttpError } from '../../service/http/http-error';
import { DEFAULT_PYRAMID } from '../../service/images/pyramid';
import {
  defaultPoolSize,
  InlinePyramidBuilder,
  openPyramidBuilder,
  parseWorkerReply,
  PyramidPool,
  threadsPerWorker,
  workerEntry,
  workerFailure,
} from '../../service/images/pyramid-pool';
import { BuildArgs, WorkerEvent, WorkerThreads } from '../../service/images/pyramid-protocol';

const FIXTURE = fileURLToPath(new URL('./fixtures/pyramid-worker-fixture.ts', import.meta.url));
const LIMITS = { pixels: 100_000_000 };

const dirs: string[] = [];
const pools: PyramidPool[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'loupe-pool-'));
  dirs.push(d);
  return d;
}
function fixturePool(options: { size?: number; timeoutMs?: number } = {}): PyramidPool {
  const pool = new PyramidPool({ size: 1, threads: 1, workerScript: FIXTURE, ...options });
  pools.push(pool);
  return pool;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/**
 * Whether a process is still running. A killed worker can be seen for a moment as a zombie
 * (dead, its exit not yet collected by Node): it writes nothing any more, so it counts as
 * exited. Linux tells the state in /proc; elsewhere signal 0 only checks that the id exists.
 */
function alive(pid: number): boolean {
  try {
    const state = /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
    if (state !== undefined) return state !== 'Z' && state !== 'X';
  } catch {
    if (process.platform === 'linux') return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('finding the worker script', () => {
  it('forks the TypeScript worker beside the pool when running from source', () => {
    expect(workerEntry('file:///repo/service/images/pyramid-pool.ts')).toEqual({ file: '/repo/service/images/pyramid-worker.ts', typescript: true });
    // vitest and tsx may add a query to a module's URL.
    expect(workerEntry('file:///repo/service/images/pyramid-pool.ts?v=123')).toEqual({ file: '/repo/service/images/pyramid-worker.ts', typescript: true });
  });

  it('forks the bundled worker beside main.js once built', () => {
    expect(workerEntry('file:///app/out/service/main.js')).toEqual({ file: '/app/out/service/pyramid-worker.js', typescript: false });
  });

  it('finds the real worker from the real module', async () => {
    const entry = workerEntry(new URL('../../service/images/pyramid-pool.ts', import.meta.url).href);
    expect((await stat(entry.file)).isFile()).toBe(true);
  });
});

describe('choosing the builder', () => {
  it('uses the worker pool under Node and builds inline under Electron, where fork does not give Node', async () => {
    const node = openPyramidBuilder({ size: 1 }, {});
    expect(node).toBeInstanceOf(PyramidPool);
    await node.close();
    expect(openPyramidBuilder({ size: 1 }, { electron: '45.4.1' })).toBeInstanceOf(InlinePyramidBuilder);
  });

  it('builds inline one at a time, and not at all once aborted', async () => {
    const src = path.join(await tempDir(), 'a.jpg');
    await sharp({ create: { width: 300, height: 200, channels: 3, background: '#c08060' } }).jpeg().toFile(src);
    const inline = new InlinePyramidBuilder();
    const [a, b] = [await tempDir(), await tempDir()];
    const abort = new AbortController();
    const first = inline.build(src, a, 'a', LIMITS);
    const second = inline.build(src, b, 'b', LIMITS, abort.signal);
    abort.abort();
    await expect(first).resolves.toEqual({ width: 300, height: 200 });
    await expect(second).rejects.toThrow('cancelled');
    expect(await readdir(b)).toEqual([]);
    await inline.close();
  });
});

describe('sizing', () => {
  it('leaves a core for the event loop and caps the pool at 4', () => {
    expect([1, 2, 3, 4, 8, 64].map((c) => defaultPoolSize(c))).toEqual([1, 1, 2, 3, 4, 4]);
  });

  it('shares the cores out between the workers, at least one thread each', () => {
    expect(threadsPerWorker(1, 2)).toBe(2);
    expect(threadsPerWorker(4, 8)).toBe(2);
    expect(threadsPerWorker(3, 2)).toBe(1);
  });
});

describe('what crosses the process boundary is parsed', () => {
  it('accepts a result and rebuilds a refusal as the HttpError it stands for, naming the image', () => {
    expect(parseWorkerReply({ ok: true, width: 6000, height: 4000 }, 'close')).toEqual({ width: 6000, height: 4000 });
    const refusal = (() => {
      try {
        parseWorkerReply({ ok: false, status: 413, code: 'image_too_many_pixels', message: 'too big' }, 'close');
      } catch (err) {
        return err;
      }
    })();
    expect(refusal).toBeInstanceOf(HttpError);
    expect(refusal).toMatchObject({ status: 413, code: 'image_too_many_pixels', message: 'too big', details: { part: 'close' } });
  });

  it('treats anything malformed as a fault of ours, never as a client error', () => {
    const malformed: unknown[] = [
      undefined,
      null,
      'ok',
      { ok: true, width: -1, height: 10 },
      { ok: true, width: 1.5, height: 10 },
      { ok: true, width: 10 },
      { ok: false, status: 500, code: 'x', message: 'm' },
      { ok: false, status: 422, code: 'Not A Code', message: 'm' },
      { ok: false, status: 422, code: 'x' },
      { ok: 'yes', width: 1, height: 1 },
    ];
    for (const raw of malformed) {
      let thrown: unknown;
      try {
        parseWorkerReply(raw, 'a');
      } catch (err) {
        thrown = err;
      }
      expect(thrown, JSON.stringify(raw)).toBeInstanceOf(Error);
      expect(thrown, JSON.stringify(raw)).not.toBeInstanceOf(HttpError);
    }
  });

  it('parses a worker\'s arguments, events and thread count', () => {
    expect(BuildArgs.safeParse(['/a', '/b', 'close', { pixels: 10 }, DEFAULT_PYRAMID]).success).toBe(true);
    expect(BuildArgs.safeParse(['/a', '/b', 'close', { pixels: 10 }, { ...DEFAULT_PYRAMID, quality: 101 }]).success).toBe(false);
    expect(BuildArgs.safeParse(['', '/b', 'close', { pixels: 10 }, DEFAULT_PYRAMID]).success).toBe(false);
    expect(WorkerEvent.safeParse({ type: 'started', pid: 1234 }).success).toBe(true);
    expect(WorkerEvent.safeParse({ type: 'started', pid: -1 }).success).toBe(false);
    expect(WorkerEvent.safeParse({ type: 'progress' }).success).toBe(false);
    expect(WorkerThreads.safeParse('2')).toMatchObject({ success: true, data: 2 });
    expect(WorkerThreads.safeParse('lots').success).toBe(false);
  });
});

describe('how a worker that does not answer is reported', () => {
  it('blames the image for a worker that died or overran while working on it', () => {
    for (const end of ['crashed', 'timed-out'] as const) {
      const err = workerFailure(end, true, 'dermo', 120_000);
      expect(err).toBeInstanceOf(HttpError);
      expect(err).toMatchObject({ status: 422, code: 'image_not_processable', details: { part: 'dermo' } });
      expect(err.message).toContain('"dermo"');
    }
  });

  it('owns a worker that failed before it started, a fault inside it, or a cancellation', () => {
    for (const [end, started] of [['crashed', false], ['timed-out', false], ['failed', true], ['aborted', true]] as const) {
      expect(workerFailure(end, started, 'dermo', 1000, new Error('x'))).not.toBeInstanceOf(HttpError);
    }
  });
});

describe('the pool with a stand-in worker', () => {
  it('answers 422 naming the image when its worker is killed mid-job, then carries on with a new worker', async () => {
    const pool = fixturePool();
    const out = await tempDir();
    await expect(pool.build('/src', out, 'crash', LIMITS)).rejects.toMatchObject({ status: 422, code: 'image_not_processable', details: { part: 'crash' } });
    await expect(pool.build('/src', out, 'next', LIMITS)).resolves.toEqual({ width: 640, height: 480 });
  });

  it('reports a worker that dies before it starts as our fault, after one retry', async () => {
    const pool = fixturePool();
    const err = await pool.build('/src', await tempDir(), 'exit-before-start', LIMITS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(HttpError);
    await expect(pool.build('/src', await tempDir(), 'next', LIMITS)).resolves.toEqual({ width: 640, height: 480 });
  });

  it('passes a refusal through and turns a malformed reply or a thrown error into a 500', async () => {
    const pool = fixturePool();
    const out = await tempDir();
    await expect(pool.build('/src', out, 'refuses', LIMITS)).rejects.toMatchObject({ status: 422, code: 'image_not_decodable', details: { part: 'refuses' } });
    for (const label of ['bad-reply', 'throws']) {
      const err = await pool.build('/src', out, label, LIMITS).catch((e: unknown) => e);
      expect(err, label).toBeInstanceOf(Error);
      expect(err, label).not.toBeInstanceOf(HttpError);
    }
  });

  it('kills a job that overruns its timeout and settles only once the worker has stopped writing', async () => {
    const pool = fixturePool({ timeoutMs: 1500 });
    const out = await tempDir();
    await expect(pool.build('/src', out, 'hang', LIMITS)).rejects.toMatchObject({ status: 422, code: 'image_not_processable', details: { part: 'hang' } });
    const pid = Number(await readFile(path.join(out, 'pid'), 'utf8'));
    expect(alive(pid)).toBe(false);
    const written = (await stat(path.join(out, 'tiles'))).size;
    await new Promise((r) => setTimeout(r, 100));
    expect((await stat(path.join(out, 'tiles'))).size).toBe(written);
  });

  it('on abort, stops the running job, never starts a waiting one, and settles both only when nothing writes', async () => {
    const pool = fixturePool({ size: 1 });
    const [running, waiting] = [await tempDir(), await tempDir()];
    const abort = new AbortController();
    const first = pool.build('/src', running, 'hang', LIMITS, abort.signal).catch((e: unknown) => e);
    const second = pool.build('/src', waiting, 'hang', LIMITS, abort.signal).catch((e: unknown) => e);
    // Abort once the first job is under way (it has written its pid).
    for (let i = 0; i < 200 && !(await readdir(running)).includes('pid'); i++) await new Promise((r) => setTimeout(r, 25));
    abort.abort();
    for (const err of await Promise.all([first, second])) {
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(HttpError);
    }
    expect(alive(Number(await readFile(path.join(running, 'pid'), 'utf8')))).toBe(false);
    expect(await readdir(waiting)).toEqual([]);
  });

  it('on close, stops a running job and settles it only once its worker has exited', async () => {
    const pool = fixturePool();
    const out = await tempDir();
    const job = pool.build('/src', out, 'hang', LIMITS).catch((e: unknown) => e);
    for (let i = 0; i < 200 && !(await readdir(out)).includes('pid'); i++) await new Promise((r) => setTimeout(r, 25));
    await pool.close();
    expect(await job).not.toBeInstanceOf(HttpError);
    expect(alive(Number(await readFile(path.join(out, 'pid'), 'utf8')))).toBe(false);
  });

  it('refuses work once closed', async () => {
    const pool = fixturePool();
    await pool.close();
    await expect(pool.build('/src', await tempDir(), 'ok', LIMITS)).rejects.toThrow('closed');
  });
});

describe('the real worker', () => {
  it('builds the same pyramid as the inline builder, tagged sRGB, auto-oriented, with no EXIF or XMP', async () => {
    // 600×400 stored, EXIF orientation 6 (rotate 90° clockwise to view): 400×600 upright.
    const src = path.join(await tempDir(), 'phone.jpg');
    await sharp({ create: { width: 600, height: 400, channels: 3, background: '#c08060' } })
      .jpeg({ quality: 90 })
      // sharp writes the orientation tag from withMetadata, not from withExif.
      .withMetadata({ orientation: 6 })
      .withExif({ IFD0: { Make: 'PhoneCo' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } })
      .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>')
      .toFile(src);
    expect(await sharp(src).metadata()).toMatchObject({ orientation: 6, exif: expect.any(Buffer), xmp: expect.any(Buffer) });

    const pool = new PyramidPool({ size: 1 });
    pools.push(pool);
    const [viaPool, inline] = [await tempDir(), await tempDir()];
    const result = await pool.build(src, viaPool, 'phone', LIMITS);
    expect(result).toEqual({ width: 400, height: 600 });
    expect(await new InlinePyramidBuilder().build(src, inline, 'phone', LIMITS)).toEqual(result);
    expect(await readFile(path.join(viaPool, 'image.dzi'), 'utf8')).toBe(await readFile(path.join(inline, 'image.dzi'), 'utf8'));

    const files = ['image_files/10/0_0.jpeg', 'image_files/10/1_2.jpeg', 'image_files/0/0_0.jpeg', 'thumbnail.jpg'];
    for (const file of files) {
      const bytes = await readFile(path.join(viaPool, file));
      const meta = await sharp(bytes).metadata();
      expect(meta.space, file).toBe('srgb');
      expect(meta.icc?.length, file).toBeGreaterThan(0);
      expect(meta.exif, file).toBeUndefined();
      expect(meta.xmp, file).toBeUndefined();
      expect(meta.orientation, file).toBeUndefined();
      expect(bytes.includes(Buffer.from('PhoneCo')), file).toBe(false);
    }
    // Nothing kept anywhere in the pyramid, not even in files that are never served.
    for (const file of await readdir(viaPool, { recursive: true })) {
      const full = path.join(viaPool, file);
      if ((await stat(full)).isFile()) expect((await readFile(full)).includes(Buffer.from('PhoneCo')), file).toBe(false);
    }
    const thumb = await sharp(path.join(viaPool, 'thumbnail.jpg')).metadata();
    expect([thumb.width, thumb.height]).toEqual([213, 320]);
  });

  it('refuses an image over the pixel limit before decoding it, naming it', async () => {
    const src = path.join(await tempDir(), 'big.png');
    await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#fff' } }).png().toFile(src);
    const pool = new PyramidPool({ size: 1 });
    pools.push(pool);
    await expect(pool.build(src, await tempDir(), 'big', { pixels: 1_000_000 })).rejects.toMatchObject({ status: 413, code: 'image_too_many_pixels', details: { part: 'big' } });
  });
});
