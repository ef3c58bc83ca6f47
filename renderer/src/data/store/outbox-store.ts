import { MutationType, type Mutation, type MutationResult } from '../../../../shared/contract';
import { ENTITY_TABLES, type EntityRow, type EntityTable, type OutboxRow, type RecordDb } from '../db/record-db';
import type { EntityCodec } from './entity-codec';
import { effectReferralId, isDeletion, type Effect } from './local-effects';

/** An action as the UI asks for it; ids and times are made here or by the caller. */
export interface Action {
  /** Its `baseVersion` is decided here, from the table its type names (`VERSIONED_BY`). */
  readonly mutation: Omit<Mutation, 'baseVersion'>;
  readonly effects: readonly Effect[];
}

/** An outbox entry as the sync engine and the Conflicts view see it. */
export interface OutboxEntry {
  readonly row: OutboxRow & { readonly seq: number };
  readonly mutation: Mutation;
}

export type Resolution = 'reapply' | 'discard';

/**
 * Where each mutation type's entity lives. The service checks `baseVersion` for every type
 * (a claim or release without one is always a conflict), so every entry carries one.
 */
const VERSIONED_BY: Readonly<Record<MutationType, EntityTable>> = {
  'referral.claim': 'referrals',
  'referral.release': 'referrals',
  'referral.request-info': 'referrals',
  'outcome.save-draft': 'outcomes',
  'outcome.submit': 'outcomes',
  'outcome.sign-off': 'outcomes',
  'outcome.return': 'outcomes',
  'annotation.save': 'annotations',
  'annotation.delete': 'annotations',
};

/**
 * The outbox: every clinician action is written here with its local effect in one
 * transaction before the screen confirms it, and leaves only when the service has answered
 * `applied` or `duplicate`, or the clinician has decided what to do with a refusal.
 */
export class OutboxStore {
  constructor(
    private readonly db: RecordDb,
    private readonly codec: EntityCodec,
  ) {}

  async enqueue(action: Action, now = Date.now()): Promise<void> {
    const m = action.mutation;
    const sealed = await this.codec.sealMutation({ ...m });
    const overlays = await Promise.all(
      action.effects.map(async (e) => ({
        effect: e,
        sealed: await (isDeletion(e) ? this.codec.sealTombstone(e.table, e.id) : this.codec.sealOverlay(e.table, e.id, e.value as never)),
      })),
    );
    const db = this.db;
    const versionedBy = VERSIONED_BY[m.type];
    await db.transaction('rw', [db.outbox, db.referrals, db.outcomes, db.images, db.annotations], async () => {
      const earlier = await db.outbox.where('entityId').equals(m.entityId).count();
      let baseVersion: number | null = null;
      if (!earlier) {
        // On top of what the clinician sees: the stored version, or the version the service
        // already gave their own earlier change if the feed has not brought it yet.
        const entity = await db[versionedBy].get(m.entityId);
        baseVersion = Math.max(entity?.version ?? 0, entity?.overlay?.appliedVersion ?? 0);
      }
      await db.outbox.add({
        mutationId: m.id,
        entityId: m.entityId,
        type: m.type,
        state: 'pending',
        chained: earlier > 0,
        baseVersion,
        sealed,
        createdAt: now,
        attempts: 0,
        error: null,
      });
      for (const { effect, sealed: overlaySealed } of overlays) {
        const table = db[effect.table];
        const current = await table.get(effect.id);
        const row: EntityRow = {
          id: effect.id,
          referralId: effectReferralId(effect),
          version: current?.version ?? 0,
          sealed: current?.sealed ?? null,
          // A chain of edits keeps the version the first was made on: the overlay stays until
          // the service has moved past all of them.
          overlay: { mutationId: m.id, baseVersion: current?.overlay?.baseVersion ?? current?.version ?? 0, sealed: overlaySealed },
          hasOverlay: 1,
          storedAt: current?.storedAt ?? now,
        };
        await table.put(row);
      }
    });
  }

  /** Every entry, oldest first. */
  async entries(): Promise<OutboxEntry[]> {
    const rows = await this.db.outbox.orderBy('seq').toArray();
    return Promise.all(rows.map(async (row) => ({ row: row as OutboxEntry['row'], mutation: await this.codec.mutation(row.mutationId, row.sealed) })));
  }

  /**
   * The next mutations to send: the oldest entry of each entity, in entry order, if it is
   * pending. An entity whose oldest entry awaits the clinician (conflict, refusal) sends
   * nothing more until they have dealt with it: its later entries were made on top of it.
   */
  async nextBatch(max: number): Promise<OutboxEntry[]> {
    const rows = await this.db.outbox.orderBy('seq').toArray();
    const seen = new Set<string>();
    const picked: OutboxRow[] = [];
    for (const row of rows) {
      if (seen.has(row.entityId)) continue;
      seen.add(row.entityId);
      if (row.state === 'pending') picked.push(row);
      if (picked.length >= max) break;
    }
    return Promise.all(
      picked.map(async (row) => {
        const stored = await this.codec.mutation(row.mutationId, row.sealed);
        const { baseVersion: _ignored, ...rest } = stored;
        const mutation: Mutation = row.baseVersion === null ? rest : { ...rest, baseVersion: row.baseVersion };
        return { row: row as OutboxEntry['row'], mutation };
      }),
    );
  }

  /** Records the service's answers in one transaction. Returns how many entries left the outbox. */
  async applyResults(results: readonly MutationResult[]): Promise<number> {
    const db = this.db;
    let cleared = 0;
    await db.transaction('rw', [db.outbox, db.referrals, db.outcomes, db.images, db.annotations], async () => {
      for (const result of results) {
        const row = await db.outbox.where('mutationId').equals(result.id).first();
        if (!row || row.seq === undefined) continue;
        if (result.status === 'applied' || result.status === 'duplicate') {
          await db.outbox.delete(row.seq);
          cleared++;
          const next = await this.nextOfEntity(row);
          if (next?.chained) await db.outbox.update(next.seq!, { chained: false, baseVersion: result.entityVersion ?? row.baseVersion });
          await this.settleOverlays(row, result.entityVersion);
        } else {
          await db.outbox.update(row.seq, {
            state: result.status,
            error: {
              code: result.error?.code ?? result.status,
              message: result.error?.message ?? 'The service did not say why.',
              ...(result.error?.currentVersion !== undefined ? { currentVersion: result.error.currentVersion } : {}),
            },
          });
        }
      }
    });
    return cleared;
  }

  /** A batch the service refused as a whole (e.g. malformed): each entry becomes a refusal. */
  async markRejected(mutationId: string, code: string, message: string): Promise<void> {
    await this.db.outbox.where('mutationId').equals(mutationId).modify({ state: 'rejected', error: { code, message } });
  }

  /**
   * The clinician's decision on a conflict or refusal. `reapply` sends their version again on
   * top of the current one (a new mutation: the old id is spent); `discard` drops it and shows
   * the service's version. Either way the pair is written to the resolution log, so neither
   * version is lost.
   */
  async resolve(mutationId: string, choice: Resolution, now = Date.now()): Promise<void> {
    const db = this.db;
    const row = await db.outbox.where('mutationId').equals(mutationId).first();
    if (!row || row.seq === undefined || row.state === 'pending') return;
    const mine = await this.codec.mutation(row.mutationId, row.sealed);
    const replacement: Mutation = { ...mine, id: crypto.randomUUID(), clientTime: new Date(now).toISOString() };
    delete (replacement as { baseVersion?: number }).baseVersion;
    const replacementSealed = choice === 'reapply' ? await this.codec.sealMutation(replacement) : null;
    const log = await this.codec.sealJson({ choice, mine, error: row.error, at: new Date(now).toISOString() }, `resolution:${row.entityId}:${now}`);

    await db.transaction('rw', [db.outbox, db.resolutions, db.referrals, db.outcomes, db.images, db.annotations], async () => {
      const fresh = await db.outbox.get(row.seq!);
      if (!fresh || fresh.mutationId !== mutationId || fresh.state === 'pending') return;
      await db.resolutions.add({ at: now, entityId: row.entityId, sealed: log });
      const tables = [db.referrals, db.outcomes, db.images, db.annotations];
      if (choice === 'reapply' && replacementSealed) {
        const currentVersion = (await db[VERSIONED_BY[MutationType.parse(fresh.type)]].get(row.entityId))?.version ?? null;
        await db.outbox.put({
          ...fresh,
          mutationId: replacement.id,
          sealed: replacementSealed,
          state: 'pending',
          chained: false,
          // Every type is checked against a version (see VERSIONED_BY): even an entry stored
          // without one (before that was known) goes again on top of what the clinician saw.
          baseVersion: currentVersion ?? 0,
          error: null,
          createdAt: now,
        });
        for (const t of tables) {
          await t
            .where('hasOverlay')
            .equals(1)
            .filter((e) => e.overlay?.mutationId === mutationId)
            .modify((e: EntityRow & { overlay: EntityRow['overlay'] }) => {
              if (e.overlay) e.overlay = { ...e.overlay, mutationId: replacement.id, baseVersion: e.version };
            });
        }
        return;
      }
      await db.outbox.delete(fresh.seq!);
      const next = await this.nextOfEntity(fresh);
      if (next?.chained) await db.outbox.update(next.seq!, { chained: false, baseVersion: fresh.baseVersion });
      for (const t of tables) {
        const affected = await t.where('hasOverlay').equals(1).filter((e) => e.overlay?.mutationId === mutationId).toArray();
        for (const e of affected) {
          if (!e.sealed && e.version === 0) await t.delete(e.id);
          else await t.put({ ...e, overlay: null, hasOverlay: 0 });
        }
      }
    });
  }

  async counts(): Promise<{ pending: number; conflict: number; rejected: number }> {
    const [pending, conflict, rejected] = await Promise.all(
      (['pending', 'conflict', 'rejected'] as const).map((s) => this.db.outbox.where('state').equals(s).count()),
    );
    return { pending: pending!, conflict: conflict!, rejected: rejected! };
  }

  /**
   * The overlays of a mutation that has just left the outbox, where the feed has already
   * brought what it made: a pull that ran while the push was waiting for its answer kept them
   * (the entry was still queued) and no later change may ever come to clear them. The
   * mutation's own entity is settled once the stored version reaches the one it produced;
   * another entity it touched (a submit's referral) once the feed passed the overlay's base.
   * Others stay for applyPage to clear when the feed brings the result; the own entity's
   * overlay notes the version it was given, for an edit made before then.
   */
  private async settleOverlays(row: OutboxRow, entityVersion: number | undefined): Promise<void> {
    for (const name of ENTITY_TABLES) {
      const table = this.db[name];
      const owned = await table.where('hasOverlay').equals(1).filter((e) => e.overlay?.mutationId === row.mutationId).toArray();
      for (const e of owned) {
        const own = e.id === row.entityId && entityVersion !== undefined;
        const settledAt = own ? entityVersion : e.overlay!.baseVersion + 1;
        if (e.version >= settledAt) await table.put({ ...e, overlay: null, hasOverlay: 0 });
        else if (own) await table.put({ ...e, overlay: { ...e.overlay!, appliedVersion: entityVersion } });
      }
    }
  }

  private async nextOfEntity(row: OutboxRow): Promise<OutboxRow | undefined> {
    const later = await this.db.outbox.where('entityId').equals(row.entityId).toArray();
    return later.filter((r) => (r.seq ?? 0) > (row.seq ?? 0)).sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0))[0];
  }
}
