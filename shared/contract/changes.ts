import { z } from 'zod';
import { Annotation } from './annotation';
import { Uuid } from './common';
import { ImageRecord } from './image';
import { Outcome } from './outcome';
import { Referral } from './referral';

export const EntityType = z.enum(['referral', 'image', 'outcome', 'annotation']);
export type EntityType = z.infer<typeof EntityType>;

const base = { seq: z.number().int().positive(), id: Uuid, version: z.number().int().positive() };

/**
 * One entry of the change feed. Discriminated by `type` so each side gets the entity's own
 * schema; `deleted` entries carry no data.
 */
export const Change = z.union([
  z.object({ ...base, type: z.literal('referral'), deleted: z.literal(false).optional(), data: Referral }),
  z.object({ ...base, type: z.literal('image'), deleted: z.literal(false).optional(), data: ImageRecord }),
  z.object({ ...base, type: z.literal('outcome'), deleted: z.literal(false).optional(), data: Outcome }),
  z.object({ ...base, type: z.literal('annotation'), deleted: z.literal(false).optional(), data: Annotation }),
  z.object({ ...base, type: EntityType, deleted: z.literal(true), data: z.null() }),
]);
export type Change = z.infer<typeof Change>;

/** Opaque to clients; the service encodes its position in the feed. */
export const Cursor = z.string().regex(/^[A-Za-z0-9_-]{1,200}$/);

export const ChangesQuery = z.strictObject({
  after: Cursor.optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});

export const ChangesPage = z.object({
  changes: z.array(Change),
  cursor: Cursor,
  hasMore: z.boolean(),
});
export type ChangesPage = z.infer<typeof ChangesPage>;
