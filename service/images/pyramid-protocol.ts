import { z } from 'zod';

/**
 * What crosses the process boundary between the service and a pyramid worker, in both
 * directions. Both sides parse: a worker never trusts its arguments, the service never trusts
 * a worker's reply (a worker decodes hostile files, so its answers are treated like input).
 */

/** The environment variable that tells a worker how many libvips threads to use. */
export const WORKER_THREADS_ENV = 'LOUPE_PYRAMID_THREADS';

export const PyramidSettingsSchema = z.object({
  tileSize: z.number().int().min(1).max(8192),
  overlap: z.number().int().min(0).max(8192),
  quality: z.number().int().min(1).max(100),
});

/** The arguments of the worker's `build` method, in order. */
export const BuildArgs = z.tuple([
  z.string().min(1), // source file
  z.string().min(1), // output folder
  z.string(), // label: the image's part name, used in error messages
  z.object({ pixels: z.number().int().positive() }),
  PyramidSettingsSchema,
]);
export type BuildArgs = z.infer<typeof BuildArgs>;

export const WorkerReply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), width: z.number().int().positive(), height: z.number().int().positive() }),
  // An HttpError the pyramid code raised (422/413 about the image); the class itself cannot
  // cross the boundary, so its fields do and the service rebuilds it.
  z.object({ ok: z.literal(false), status: z.number().int().min(400).max(499), code: z.string().regex(/^[a-z_]{1,64}$/), message: z.string().max(1000) }),
]);
export type WorkerReply = z.infer<typeof WorkerReply>;

/** Sent by a worker as it starts on a job: from then on, a dying worker is the image's doing. */
export const WorkerEvent = z.object({ type: z.literal('started'), pid: z.number().int().positive() });
export type WorkerEvent = z.infer<typeof WorkerEvent>;

export const WorkerThreads = z.coerce.number().int().min(1).max(64);
