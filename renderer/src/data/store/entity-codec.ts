import { z } from 'zod';
import { Annotation, ImageRecord, Mutation, Outcome, Referral, type Change } from '../../../../shared/contract';
import { openJson, sealJson, type Sealed } from '../crypto/cipher';
import type { EntityRow, EntityTable } from '../db/record-db';

export interface EntityTypes {
  referrals: Referral;
  images: ImageRecord;
  outcomes: Outcome;
  annotations: Annotation;
}

export const SCHEMAS: { readonly [T in EntityTable]: z.ZodType<EntityTypes[T]> } = {
  referrals: Referral,
  images: ImageRecord,
  outcomes: Outcome,
  annotations: Annotation,
};

export const TABLE_OF: Readonly<Record<Change['type'], EntityTable>> = {
  referral: 'referrals',
  image: 'images',
  outcome: 'outcomes',
  annotation: 'annotations',
};

/** The referral an entity belongs to: cascades, age limits and worklist protection use it. */
export function referralIdOf(table: EntityTable, value: EntityTypes[EntityTable]): string {
  return table === 'referrals' ? value.id : (value as ImageRecord | Outcome | Annotation).referralId;
}

/**
 * What an overlay holds when the clinician deleted the entity. Sealed like any overlay, so a
 * row's clear fields never tell a removal from an edit; no entity has a `deleted` field, so
 * the two cannot be confused when opened.
 */
const Tombstone = z.strictObject({ deleted: z.literal(true) });
type Tombstone = z.infer<typeof Tombstone>;
const TOMBSTONE: Tombstone = { deleted: true };

const OVERLAY_SCHEMAS: { readonly [T in EntityTable]: z.ZodType<EntityTypes[T] | Tombstone> } = {
  referrals: z.union([Tombstone, Referral]),
  images: z.union([Tombstone, ImageRecord]),
  outcomes: z.union([Tombstone, Outcome]),
  annotations: z.union([Tombstone, Annotation]),
};

const isTombstone = (value: object): value is Tombstone => 'deleted' in value && value.deleted === true;

const entityAad = (table: EntityTable, id: string) => `${table}:${id}`;
const overlayAad = (table: EntityTable, id: string) => `${table}:${id}:overlay`;
const outboxAad = (mutationId: string) => `outbox:${mutationId}`;

/**
 * How many opened values are remembered. Sized for a whole store (50,000 referrals and their
 * outcomes, #6): the screens that read every referral keep those objects alive anyway, so the
 * memo costs little more than its keys, while a memo smaller than what one live query reads
 * re-decrypts all of it on every re-run (a full scan evicts itself).
 */
export const OPENED_MEMO_LIMIT = 200_000;

/**
 * Seals and opens the workstation's records with the user's data key. What was opened is
 * remembered by its nonce (unique per seal), so live queries re-running after every change
 * do not decrypt and re-parse unchanged rows again.
 */
export class EntityCodec {
  private readonly opened = new Map<string, unknown>();

  constructor(
    private readonly key: CryptoKey,
    private readonly memoLimit = OPENED_MEMO_LIMIT,
  ) {}

  seal<T extends EntityTable>(table: T, id: string, value: EntityTypes[T]): Promise<Sealed> {
    return sealJson(this.key, value, entityAad(table, id));
  }

  sealOverlay<T extends EntityTable>(table: T, id: string, value: EntityTypes[T]): Promise<Sealed> {
    return sealJson(this.key, value, overlayAad(table, id));
  }

  /** An overlay that hides the entity until the service confirms its deletion. */
  sealTombstone(table: EntityTable, id: string): Promise<Sealed> {
    return sealJson(this.key, TOMBSTONE, overlayAad(table, id));
  }

  sealMutation(mutation: Mutation): Promise<Sealed> {
    return sealJson(this.key, mutation, outboxAad(mutation.id));
  }

  sealJson(value: unknown, aad: string): Promise<Sealed> {
    return sealJson(this.key, value, aad);
  }

  openJson(sealed: Sealed, aad: string): Promise<unknown> {
    return openJson(this.key, sealed, aad);
  }

  /** The server's copy of a row, or null for a tombstone / overlay-only row. */
  server<T extends EntityTable>(table: T, row: EntityRow, remember = true): Promise<EntityTypes[T] | null> {
    if (!row.sealed) return Promise.resolve(null);
    return this.open(SCHEMAS[table], row.sealed, entityAad(table, row.id), remember);
  }

  /**
   * What the clinician sees: their own unconfirmed version first, else the server's; null when
   * there is nothing to show (a tombstone, or an entity the clinician has deleted).
   * `remember: false` for readers that keep their own summary (the worklist index), so a
   * one-off pass over every row does not push out what the screens re-read.
   */
  async visible<T extends EntityTable>(table: T, row: EntityRow, remember = true): Promise<EntityTypes[T] | null> {
    if (!row.overlay) return this.server(table, row, remember);
    const mine = await this.open(OVERLAY_SCHEMAS[table], row.overlay.sealed, overlayAad(table, row.id), remember);
    return isTombstone(mine) ? null : (mine as EntityTypes[T]);
  }

  mutation(mutationId: string, sealed: Sealed): Promise<Mutation> {
    return this.open(Mutation, sealed, outboxAad(mutationId));
  }

  private async open<T>(schema: z.ZodType<T>, sealed: Sealed, aad: string, remember = true): Promise<T> {
    const memo = `${aad}:${hex(sealed.iv)}`;
    if (this.opened.has(memo)) return this.opened.get(memo) as T;
    const value = schema.parse(await openJson(this.key, sealed, aad));
    if (!remember) return value;
    if (this.opened.size >= this.memoLimit) this.forgetOldest(Math.ceil(this.memoLimit / 4));
    this.opened.set(memo, value);
    return value;
  }

  /** Drops the first-opened quarter (a Map iterates in insertion order): superseded versions go first. */
  private forgetOldest(count: number): void {
    let n = 0;
    for (const k of this.opened.keys()) {
      if (n++ >= count) break;
      this.opened.delete(k);
    }
  }
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
