import { z } from 'zod';
import { IsoDateTime, Uuid } from './common';

export const MutationType = z.enum([
  'referral.claim',
  'referral.release',
  'outcome.save-draft',
  'outcome.submit',
  'outcome.sign-off',
  'outcome.return',
  'annotation.save',
  'annotation.delete',
  'referral.request-info',
]);
export type MutationType = z.infer<typeof MutationType>;

/** The envelope is checked here; each type's payload is parsed by its own handler. */
export const Mutation = z.strictObject({
  id: Uuid,
  type: MutationType,
  entityId: Uuid,
  baseVersion: z.number().int().nonnegative().optional(),
  payload: z.unknown(),
  clientTime: IsoDateTime,
});
export type Mutation = z.infer<typeof Mutation>;

export const MutationBatch = z.strictObject({ mutations: z.array(Mutation).min(1).max(500) });
export type MutationBatch = z.infer<typeof MutationBatch>;

export const MutationStatus = z.enum(['applied', 'duplicate', 'conflict', 'rejected']);
export type MutationStatus = z.infer<typeof MutationStatus>;

export const MutationError = z.object({
  code: z.string(),
  message: z.string(),
  currentVersion: z.number().int().nonnegative().optional(),
  /** `outcome_invalid`: each pathway rule the outcome broke, named by its field. */
  issues: z.array(z.object({ field: z.string(), rule: z.string() })).optional(),
});

export const MutationResult = z.object({
  id: Uuid,
  status: MutationStatus,
  entityVersion: z.number().int().positive().optional(),
  error: MutationError.optional(),
});
export type MutationResult = z.infer<typeof MutationResult>;

export const MutationResults = z.object({ results: z.array(MutationResult) });
export type MutationResults = z.infer<typeof MutationResults>;

/** `annotation.delete`, `referral.claim` and `referral.release` carry no payload fields. */
export const ReferralMutationPayload = z.strictObject({}).optional();
