import type { ChangesPage } from '../../../../shared/contract';
import type { Sealed } from '../crypto/cipher';
import type { EntityRow, EntityTable, RecordDb } from '../db/record-db';
import { referralIdOf, TABLE_OF, type EntityCodec } from './entity-codec';

export const CURSOR_KEY = 'cursor';

interface Prepared {
  readonly table: EntityTable;
  readonly id: string;
  readonly referralId: string | null;
  readonly version: number;
  readonly sealed: Sealed | null;
}

/**
 * Folds one page of the change feed into the database, with the page's cursor, in one
 * transaction: a page is either wholly applied or not at all, so a restart resumes exactly
 * where it left off. For each entity the highest version wins; a deletion leaves a tombstone
 * so an older copy can never come back. Sealing happens before the transaction opens,
 * because IndexedDB commits a transaction that waits on anything but its own requests.
 */
export async function applyPage(db: RecordDb, codec: EntityCodec, page: ChangesPage, now = Date.now()): Promise<number> {
  const prepared: Prepared[] = await Promise.all(
    page.changes.map(async (change): Promise<Prepared> => {
      const table = TABLE_OF[change.type];
      if (change.deleted) return { table, id: change.id, referralId: null, version: change.version, sealed: null };
      return {
        table,
        id: change.id,
        referralId: referralIdOf(table, change.data),
        version: change.version,
        sealed: await codec.seal(table, change.id, change.data as never),
      };
    }),
  );

  let applied = 0;
  await db.transaction('rw', [db.meta, db.referrals, db.images, db.outcomes, db.annotations, db.outbox], async () => {
    for (const p of prepared) {
      const table = db[p.table];
      const current = await table.get(p.id);
      if (current && current.version >= p.version) continue;
      let overlay = current?.overlay ?? null;
      // The clinician's own version stays on screen until the feed shows it took effect:
      // its mutation has left the outbox and the server moved past the version it was made on.
      if (overlay && p.version > overlay.baseVersion && !(await db.outbox.where('mutationId').equals(overlay.mutationId).count())) {
        overlay = null;
      }
      const row: EntityRow = {
        id: p.id,
        referralId: p.referralId ?? current?.referralId ?? p.id,
        version: p.version,
        sealed: p.sealed,
        overlay,
        hasOverlay: overlay ? 1 : 0,
        storedAt: now,
      };
      await table.put(row);
      applied++;
    }
    await db.meta.put({ key: CURSOR_KEY, value: page.cursor });
  });
  return applied;
}

export async function readCursor(db: RecordDb): Promise<string | undefined> {
  const row = await db.meta.get(CURSOR_KEY);
  return typeof row?.value === 'string' ? row.value : undefined;
}
