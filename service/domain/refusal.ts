import type { z } from 'zod';

/** A refusal that leaves nothing changed; becomes a `rejected` or `conflict` mutation result. */
export class Refusal extends Error {
  constructor(
    readonly status: 'rejected' | 'conflict',
    readonly code: string,
    message: string,
    readonly currentVersion?: number,
    /** The pathway rules an outcome broke, so a client can show each beside its field. */
    readonly issues?: readonly { field: string; rule: string }[],
  ) {
    super(message);
  }
}

export const reject = (code: string, message: string): Refusal => new Refusal('rejected', code, message);

export const conflict = (message: string, currentVersion: number): Refusal => new Refusal('conflict', 'version_conflict', message, currentVersion);

/** Parses a mutation's payload with its own schema, refusing with every problem named. */
export function parsePayload<S extends z.ZodType>(schema: S, payload: unknown): z.infer<S> {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    throw reject('invalid_payload', parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

/** Optimistic concurrency: the client must have changed the version the entity is at now. */
export function checkVersion(what: string, current: number, base: number | undefined): void {
  if (base !== current) throw conflict(`The ${what} is at version ${current}; the change was made on ${base === undefined ? 'no version' : `version ${base}`}`, current);
}
