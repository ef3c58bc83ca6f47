import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pool as workerPool, TerminateError, type Pool } from 'workerpool';
import { HttpError } from '../http/http-error';
import { buildPyramid, DEFAULT_PYRAMID, type PyramidResult, type PyramidSettings } from './pyramid';
import { WORKER_THREADS_ENV, WorkerEvent, WorkerReply, type BuildArgs } from './pyramid-protocol';

/** Builds pyramids for ingest; `settings` are what every pyramid it builds is made with. */
export interface PyramidBuilder {
  readonly settings: PyramidSettings;
  /**
   * Builds `src` into `outDir` (see `buildPyramid`). Rejects with an HttpError about the image
   * or a plain Error (a fault of ours). Settles only once nothing writes into `outDir` any
   * more, also when `signal` aborts it.
   */
  build(src: string, outDir: string, label: string, limits: { pixels: number }, signal?: AbortSignal): Promise<PyramidResult>;
  close(): Promise<void>;
}

/**
 * In this process (libvips still works on its own threads): for tools such as the benchmark's
 * baseline, tests of the pure logic, and Electron (see `openPyramidBuilder`). One pyramid at a
 * time, so no two ever write tiles from one process.
 */
export class InlinePyramidBuilder implements PyramidBuilder {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly settings: PyramidSettings = DEFAULT_PYRAMID) {}

  build(src: string, outDir: string, label: string, limits: { pixels: number }, signal?: AbortSignal): Promise<PyramidResult> {
    const job = this.queue.then(() => {
      if (signal?.aborted) throw new Error(`Building the pyramid for image "${label}" was cancelled`, { cause: signal.reason });
      return buildPyramid(src, outDir, label, limits, this.settings);
    });
    this.queue = job.catch(() => undefined);
    return job;
  }

  async close(): Promise<void> {
    await this.queue;
  }
}

/**
 * The builder for a service process: the worker pool, except under Electron. The packaged
 * desktop app runs the service in a `utilityProcess`, where `child_process.fork` starts the
 * Electron binary, which is Node only through ELECTRON_RUN_AS_NODE, and the build turns the
 * runAsNode fuse off (electron-builder.yml). There pyramids are built inline, one at a time.
 */
export function openPyramidBuilder(options: PyramidPoolOptions = {}, versions: { readonly electron?: string } = process.versions): PyramidBuilder {
  return versions.electron ? new InlinePyramidBuilder(options.settings) : new PyramidPool(options);
}

/**
 * One worker fewer than the cores, so the HTTP event loop keeps a core while ingest is busy,
 * and at most 4: a 100 MP image can hold a few hundred MB while it is built (libvips' memory
 * grows with image width), so more at once risks memory before it gains throughput. Two
 * cores therefore get one worker, which builds with both (see `threadsPerWorker`).
 */
export function defaultPoolSize(cores: number = os.availableParallelism()): number {
  return Math.max(1, Math.min(4, cores - 1));
}

/**
 * The cores shared out between the workers. A pyramid build is mostly one JPEG decode and a
 * stream of tile encodes, so extra threads help little, but they cost nothing when idle.
 */
export function threadsPerWorker(poolSize: number, cores: number = os.availableParallelism()): number {
  return Math.max(1, Math.floor(cores / poolSize));
}

const TYPESCRIPT = /\.[cm]?ts$/;

export interface WorkerEntry {
  /** The worker script's absolute path. */
  file: string;
  /** Whether it is TypeScript source, which Node runs only with tsx's loader. */
  typescript: boolean;
}

/**
 * Where the worker script is, seen from the module that forks it. From source (vitest, the
 * benchmarks under tsx) that module is `pyramid-pool.ts` and the worker `pyramid-worker.ts`
 * beside it; built, this module is bundled into `out/service/main.js` and the worker is its
 * own entry, `out/service/pyramid-worker.js` (vite.service.config.ts).
 */
export function workerEntry(moduleUrl: string): WorkerEntry {
  const typescript = TYPESCRIPT.test(new URL(moduleUrl).pathname);
  return { file: fileURLToPath(new URL(typescript ? './pyramid-worker.ts' : './pyramid-worker.js', moduleUrl)), typescript };
}

/** Turns a worker's reply into a result or the HttpError it stands for; anything else is our fault. */
export function parseWorkerReply(raw: unknown, label: string): PyramidResult {
  const reply = WorkerReply.safeParse(raw);
  if (!reply.success) throw new Error(`The pyramid worker for image "${label}" answered something unexpected`);
  if (!reply.data.ok) throw new HttpError(reply.data.status, reply.data.code, reply.data.message, { part: label });
  return { width: reply.data.width, height: reply.data.height };
}

/** How a job ended when the worker did not answer. */
export type JobEnd = 'crashed' | 'timed-out' | 'aborted' | 'failed';

/**
 * What the caller is told when a worker did not answer. A worker that dies or overruns while
 * it works on an image was most likely brought down by that image (memory, a decoder fault, a
 * pathological file), so the client hears 422 naming it; a worker that failed before it
 * started, or a fault inside it, is ours and becomes a 500.
 */
export function workerFailure(end: JobEnd, started: boolean, label: string, timeoutMs: number, cause?: unknown): Error {
  if (end === 'aborted') return new Error(`Building the pyramid for image "${label}" was cancelled`, { cause });
  if (started && end === 'timed-out') {
    return new HttpError(422, 'image_not_processable', `Image "${label}" took longer than ${Math.round(timeoutMs / 1000)} s to process`, { part: label });
  }
  if (started && end === 'crashed') {
    return new HttpError(422, 'image_not_processable', `Image "${label}" could not be processed: the process decoding it stopped`, { part: label });
  }
  const why = cause instanceof Error ? cause.message : String(cause);
  return new Error(`The pyramid worker for image "${label}" failed${started ? '' : ' before it started'}: ${why}`, { cause });
}

export interface PyramidPoolOptions {
  /** Worker processes, each building one pyramid at a time. Default: `defaultPoolSize()`. */
  size?: number;
  /** libvips threads in each worker. Default: `threadsPerWorker(size)`. */
  threads?: number;
  /**
   * A job running longer than this, counted from when a worker is given it (a fresh worker's
   * start-up, a fraction of a second, included), is stopped and its worker killed. Default 120 s.
   */
  timeoutMs?: number;
  settings?: PyramidSettings;
  /** Another worker script's absolute path (tests); `.ts` runs under tsx. */
  workerScript?: string;
}

// workerpool's Promise cancels and times out, but rejects before the worker has gone; this
// pool stops workers itself (see `run`) so that a rejection means nothing writes any more.
type WorkerJob = PromiseLike<unknown>;

/**
 * Builds pyramids in child processes (workerpool, `workerType: 'process'`), off the service's
 * event loop. Processes rather than threads: a libvips crash or runaway memory on a hostile
 * image ends one worker, not the service; and each process builds one pyramid at a time,
 * so the tile-writing race sharp warns of (several instances writing tiles in one process)
 * cannot occur. Jobs beyond `size` wait here, in order, so an aborted one never starts.
 */
export class PyramidPool implements PyramidBuilder {
  readonly settings: PyramidSettings;
  readonly size: number;
  private readonly timeoutMs: number;
  private readonly pool: Pool;
  private running = 0;
  private readonly waiting: { start(): void; fail(err: Error): void }[] = [];
  private closed = false;
  /** Aborts every running job when the pool closes. */
  private readonly shutdown = new AbortController();
  private readonly active = new Set<Promise<unknown>>();

  constructor(options: PyramidPoolOptions = {}) {
    this.size = options.size ?? defaultPoolSize();
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.settings = options.settings ?? DEFAULT_PYRAMID;
    const entry = options.workerScript ? { file: options.workerScript, typescript: TYPESCRIPT.test(options.workerScript) } : workerEntry(import.meta.url);
    // Resolved here rather than named, so the worker finds tsx whatever the working folder.
    const execArgv = entry.typescript ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [];
    this.pool = workerPool(entry.file, {
      workerType: 'process',
      maxWorkers: this.size,
      forkOpts: { execArgv, env: { ...process.env, [WORKER_THREADS_ENV]: String(options.threads ?? threadsPerWorker(this.size)) } },
    });
  }

  async build(src: string, outDir: string, label: string, limits: { pixels: number }, signal?: AbortSignal): Promise<PyramidResult> {
    const args: BuildArgs = [src, outDir, label, limits, this.settings];
    await this.acquire(label, signal);
    try {
      // A worker that died while idle (killed from outside) fails the next job sent to it
      // before that job starts, and workerpool then replaces it: one retry is always safe,
      // because a job that never started wrote nothing.
      for (let attempt = 1; ; attempt++) {
        const running = this.run(args, signal ? AbortSignal.any([signal, this.shutdown.signal]) : this.shutdown.signal);
        this.active.add(running);
        const outcome = await running.finally(() => this.active.delete(running));
        if ('result' in outcome) return parseWorkerReply(outcome.result, label);
        if (outcome.end === 'crashed' && !outcome.started && attempt === 1 && !signal?.aborted && !this.closed) continue;
        throw workerFailure(outcome.end, outcome.started, label, this.timeoutMs, outcome.cause);
      }
    } finally {
      this.release();
    }
  }

  /** Stops running jobs (each settles once its worker has exited), then the workers. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.fail(new Error('The pyramid pool is closed'));
    this.shutdown.abort();
    await Promise.allSettled(this.active);
    await this.pool.terminate(true);
  }

  /**
   * Runs one job on a worker. On a timeout or an abort the worker is killed, and the job
   * settles only when workerpool has seen the process exit. The worker reports its pid as it
   * starts; trusting it gives a compromised worker nothing, since it runs as the same user.
   * A worker asked to stop before it has started is killed as it starts; one that never
   * starts has written nothing, and a worker that fails to start exits, which workerpool reports.
   */
  private async run(args: BuildArgs, signal?: AbortSignal): Promise<{ result: unknown } | { end: JobEnd; started: boolean; cause: unknown }> {
    let pid: number | undefined;
    let stop: 'timed-out' | 'aborted' | undefined;
    const kill = () => {
      if (pid === undefined) return;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone: workerpool reports the exit to the job.
      }
    };
    const stopWith = (why: 'timed-out' | 'aborted') => {
      if (stop) return;
      stop = why;
      kill();
    };
    const job: WorkerJob = this.pool.exec('build', args, {
      on: (payload: unknown) => {
        const event = WorkerEvent.safeParse(payload);
        if (!event.success) return;
        pid = event.data.pid;
        // Asked to stop before it had started: it starts only to be stopped.
        if (stop) kill();
      },
    });
    const timer = setTimeout(() => stopWith('timed-out'), this.timeoutMs);
    const onAbort = () => stopWith('aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await job;
      return { result };
    } catch (err) {
      const started = pid !== undefined;
      if (stop) return { end: stop, started, cause: err };
      return { end: err instanceof TerminateError ? 'crashed' : 'failed', started, cause: err };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private acquire(label: string, signal?: AbortSignal): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The pyramid pool is closed'));
    if (signal?.aborted) return Promise.reject(workerFailure('aborted', false, label, this.timeoutMs, signal.reason));
    if (this.running < this.size) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const entry = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        fail: (err: Error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(entry), 1);
        entry.fail(workerFailure('aborted', false, label, this.timeoutMs, signal?.reason));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  /** Hands the slot straight to the next waiting job, or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next.start();
    else this.running--;
  }
}
