import type { RecordDb } from './db/record-db';
import { CURSOR_KEY } from './store/apply-page';
import type { EntityCodec } from './store/entity-codec';
import { isOpen } from './worklist-scope';

const DAY_MS = 86_400_000;
const LAST_SYNC_KEY = 'lastSyncAt';

export interface PurgeReport {
  readonly referralsRemoved: number;
  readonly wholeCache: boolean;
}

/**
 * Deletes cached records older than the age limit. Never the outbox, never a record carrying
 * the clinician's unsent change. If the cache as a whole is older than the limit (not synced
 * for that long), it is emptied and the next pull starts from the beginning of the feed;
 * otherwise only closed referrals not refreshed within the limit go, with their images,
 * outcomes and annotations (the feed resends a referral in full if it changes again) and the
 * clinician's workbench records (calibrations, marks, comparisons), which go with their
 * referral and never before it.
 */
export async function purgeExpired(db: RecordDb, codec: EntityCodec, maxAgeDays: number, now = Date.now()): Promise<PurgeReport> {
  const cutoff = now - maxAgeDays * DAY_MS;
  const lastSync = (await db.meta.get(LAST_SYNC_KEY))?.value;
  if (typeof lastSync === 'number' && lastSync < cutoff) {
    await clearRecords(db);
    return { referralsRemoved: -1, wholeCache: true };
  }
  const stale = await db.referrals.where('storedAt').below(cutoff).toArray();
  const closed: string[] = [];
  for (const row of stale) {
    if (row.overlay || (await hasUnsentChild(db, row.id))) continue;
    const referral = await codec.server('referrals', row);
    if (!referral || !isOpen(referral)) closed.push(row.id);
  }
  if (!closed.length) return { referralsRemoved: 0, wholeCache: false };
  let removed = 0;
  await db.transaction('rw', [db.referrals, db.images, db.outcomes, db.annotations, db.workbench], async () => {
    for (const id of closed) {
      // Checked again inside the transaction: the feed or the clinician may have touched it
      // while it was being decrypted.
      const row = await db.referrals.get(id);
      if (!row || row.overlay || row.storedAt >= cutoff || (await hasUnsentChild(db, id))) continue;
      await db.referrals.delete(id);
      for (const table of [db.images, db.outcomes, db.annotations]) {
        await table.where('referralId').equals(id).filter((r) => !r.overlay).delete();
      }
      await db.workbench.where('referralId').equals(id).delete();
      removed++;
    }
  });
  return { referralsRemoved: removed, wholeCache: false };
}

/**
 * An image, outcome or annotation of the referral carries an unsent change (e.g. an amendment
 * of a closed referral's final outcome): the referral stays, or the change would be shown
 * nowhere.
 */
async function hasUnsentChild(db: RecordDb, referralId: string): Promise<boolean> {
  for (const table of [db.images, db.outcomes, db.annotations]) {
    if (await table.where('referralId').equals(referralId).filter((r) => r.hasOverlay === 1).count()) return true;
  }
  return false;
}

/**
 * Empties the cached records (the administrator's "wipe at sign-out", or an expired cache).
 * The outbox, the key record and rows with unsent changes stay: a decision is never lost.
 * Workbench records go too, except those of a referral that stays (they go with it).
 */
export async function clearRecords(db: RecordDb): Promise<void> {
  await db.transaction('rw', [db.meta, db.referrals, db.images, db.outcomes, db.annotations, db.resolutions, db.workbench], async () => {
    for (const table of [db.referrals, db.images, db.outcomes, db.annotations]) {
      await table.filter((r) => !r.overlay).delete();
    }
    const kept = new Set(await db.referrals.toCollection().primaryKeys());
    await db.workbench.filter((r) => !kept.has(r.referralId)).delete();
    await db.meta.bulkDelete([CURSOR_KEY, LAST_SYNC_KEY]);
  });
}
