import { z } from 'zod';
import { IsoDateTime, Uuid } from './common';

/** One link of the audit chain: who did or saw what, when. Never carries clinical free text. */
export const AuditEvent = z.object({
  seq: z.number().int().positive(),
  at: IsoDateTime,
  actorId: Uuid.nullable(),
  action: z.string(),
  entityType: z.string().nullable(),
  entityId: z.string().nullable(),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  prevHash: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const AuditQuery = z.strictObject({ entityId: Uuid });

export const AuditList = z.object({ events: z.array(AuditEvent) });
export type AuditList = z.infer<typeof AuditList>;

/** `GET /audit/verify`: `events` counts the links checked; `brokenAt` is the first bad one. */
export const AuditVerification = z.union([
  z.object({ ok: z.literal(true), events: z.number().int().nonnegative() }),
  z.object({ ok: z.literal(false), brokenAt: z.number().int().positive(), reason: z.string().optional() }),
]);
export type AuditVerification = z.infer<typeof AuditVerification>;
