// A child process of the referral service that builds one pyramid at a time (see
// pyramid-pool.ts). Its own process, so a libvips crash or runaway memory on a hostile image
// ends this worker and not the service, and no two pyramids ever write tiles from one process.
import sharp from 'sharp';
import { worker, workerEmit } from 'workerpool';
import { HttpError } from '../http/http-error';
import { buildPyramid } from './pyramid';
import { BuildArgs, WORKER_THREADS_ENV, WorkerThreads, type WorkerEvent, type WorkerReply } from './pyramid-protocol';

// Every job reads a different file once: libvips' operation cache would only hold memory.
sharp.cache(false);
// The pool divides the cores between its workers; without a figure, libvips' default stands.
const threads = WorkerThreads.safeParse(process.env[WORKER_THREADS_ENV]);
if (threads.success) sharp.concurrency(threads.data);

async function build(...raw: unknown[]): Promise<WorkerReply> {
  const [src, outDir, label, limits, settings] = BuildArgs.parse(raw);
  const started: WorkerEvent = { type: 'started', pid: process.pid };
  workerEmit(started);
  try {
    const { width, height } = await buildPyramid(src, outDir, label, limits, settings);
    return { ok: true, width, height };
  } catch (err) {
    if (err instanceof HttpError) return { ok: false, status: err.status, code: err.code, message: err.message };
    throw err;
  }
}

worker({ build });
