import Dexie, { liveQuery, type Subscription, type Table } from 'dexie';
import type { UserRef } from '../../../shared/contract';
import {
  COMPARATORS,
  doneByMe,
  filterPredicate,
  hasFilters,
  inQueue,
  latestOutcome,
  queuesFor,
  startOfLocalDay,
  summariseOutcome,
  summariseReferral,
  type Me,
  type OutcomeSummary,
  type QueueId,
  type SortKey,
  type WorklistRow,
  type WorklistView,
} from '../worklist/worklist-model';
import type { EntityRow, RecordDb } from './db/record-db';
import type { EntityCodec } from './store/entity-codec';

/*
 * The worklist index: a compact, decrypted summary of every referral (`WorklistRow`: what the
 * table shows and nothing more), kept in memory for the session and never stored.
 *
 * Why an index at all: the rows are sealed (AES-GCM) so IndexedDB can filter and sort on
 * nothing clinical, and a screen that decrypts every row on every change (as `useReferrals`
 * does) spends seconds per pull at 50,000 referrals. So the rows are decrypted once, when the
 * index is built after unlock, and afterwards only the rows written since: every entity row
 * carries `changedAt` (schema v4, stamped by the database's own middleware so no writer can
 * forget it) and the index reads `changedAt >= watermark - LOOKBACK_MS` through that index.
 *
 * Why a stamp rather than Dexie's `storagemutated` events: the events carry key ranges in an
 * internal shape, are missed while nobody listens (a case open in this window while another
 * window pulls), and give nothing to resume from; a stamp is plain data that any reader can
 * catch up from at any time, in any window. Deletions (retention, wipes) write no stamp, so
 * each look compares the table's count with what the index knows and, only when they differ,
 * reads the primary keys (keys only, no values) to drop what went.
 *
 * Queries: rows are kept pre-sorted per sort key and split per queue (lazily, cached until the
 * next change), so a query is one pass over its queue's bucket with cheap numeric predicates:
 * no sort, no date parsing, no decryption. Re-sorting after a change starts from the previous
 * order, which the engine's merge sort (TimSort) finishes in about one pass.
 */

/** Rows stamped up to this long before the newest stamp seen are looked at again: the clock may step back. */
export const LOOKBACK_MS = 5_000;
/** Rows decrypted per batch: bounded memory for the promises of a 50,000-row build. */
const DECRYPT_BATCH = 2_000;

/** The stamp of each row as the index last read it (0 for rows from before v4): a re-read row that matches is skipped. */
type Seen = number;
const seenOf = (row: EntityRow): Seen => row.changedAt ?? 0;
const sameSeen = (a: Seen | undefined, b: Seen) => a !== undefined && a !== 0 && a === b;

export interface WorklistResult {
  readonly rows: readonly WorklistRow[];
  /** Rows in each queue the user has, before filters. */
  readonly counts: Readonly<Partial<Record<QueueId, number>>>;
}

export interface IndexStats {
  /** Wall time of the first build after unlock (read, decrypt, summarise), ms. */
  readonly buildMs: number | null;
  readonly referrals: number;
  readonly outcomes: number;
  /** Rows decrypted since the build: what the incremental updates cost. */
  readonly decryptedSinceBuild: number;
  readonly unreadable: number;
}

export class WorklistIndex {
  readonly me: Me;
  private readonly rows = new Map<string, WorklistRow>();
  private readonly referralSeen = new Map<string, Seen>();
  private readonly outcomeSeen = new Map<string, Seen>();
  private readonly outcomes = new Map<string, OutcomeSummary>();
  private readonly outcomesOf = new Map<string, Set<string>>();
  private watermark = { referrals: 0, outcomes: 0 };
  private built = false;
  private generation = 0;
  private error: unknown = null;
  private stats: { buildMs: number | null; decrypted: number; unreadable: number } = { buildMs: null, decrypted: 0, unreadable: 0 };

  private sorted = new Map<SortKey, WorklistRow[]>();
  private sortedAt = new Map<SortKey, number>();
  private buckets = new Map<string, readonly WorklistRow[]>();
  private bucketsAt = -1;
  private practices: { at: number; codes: readonly string[] } | null = null;
  private counts: { at: number; today: number; value: Partial<Record<QueueId, number>> } | null = null;

  private readonly listeners = new Set<() => void>();
  private subscription: Subscription | null = null;
  private readyWaiters: (() => void)[] = [];

  constructor(
    private readonly db: RecordDb,
    private readonly codec: EntityCodec,
    user: Pick<UserRef, 'id' | 'role'>,
  ) {
    this.me = { id: user.id, role: user.role };
  }

  /** Changes whenever what a query returns may have changed (for `useSyncExternalStore`). */
  readonly getVersion = (): number => this.generation;

  isReady(): boolean {
    return this.built;
  }

  lastError(): unknown {
    return this.error;
  }

  getStats(): IndexStats {
    return {
      buildMs: this.stats.buildMs,
      referrals: this.rows.size,
      outcomes: this.outcomes.size,
      decryptedSinceBuild: this.stats.decrypted,
      unreadable: this.stats.unreadable,
    };
  }

  /** Resolves once the index has been built (it builds on its first subscriber). */
  ready(): Promise<void> {
    if (this.built) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Watches the database while anyone listens; the first listener builds the index. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (!this.subscription) {
      this.subscription = liveQuery(() => this.catchUp()).subscribe({
        next: (changed) => {
          this.error = null;
          if (changed) this.notify();
        },
        error: (err: unknown) => {
          this.error = err;
          this.subscription = null;
          this.generation++;
          this.notify();
        },
      });
    }
    return () => {
      this.listeners.delete(listener);
      // Nobody looking: stop watching. Coming back catches up from the watermark.
      if (this.listeners.size === 0) {
        this.subscription?.unsubscribe();
        this.subscription = null;
      }
    };
  };

  /**
   * Brings the index up to date with the database: everything on the first call, then only
   * what was written since. Returns whether anything visible changed. Safe to call directly
   * (the benchmark does) as well as from the live query; calls must not overlap.
   */
  async catchUp(): Promise<boolean> {
    if (!this.built) {
      const started = performance.now();
      // All IndexedDB reads first, then WebCrypto (wrapped, as Dexie's live queries ask).
      const [referrals, outcomes] = await Promise.all([this.db.referrals.toArray(), this.db.outcomes.toArray()]);
      await Promise.resolve(this.apply(referrals, outcomes, null, null, false));
      this.built = true;
      this.generation++;
      this.stats.buildMs = performance.now() - started;
      // Outside the live query's zone: a waiter that then writes must not be inside a read-only context.
      for (const resolve of this.readyWaiters.splice(0)) setTimeout(resolve, 0);
      return true;
    }
    const { referrals: wr, outcomes: wo } = this.watermark;
    // Key-only reads: [stamp, id] pairs from the index, and the counts. Values are fetched only
    // for rows whose stamp differs from the one the index last saw (stamps are unique per write).
    const [referralStamps, outcomeStamps, referralCount, outcomeCount] = await Promise.all([
      changedSince(this.db.referrals, wr - LOOKBACK_MS),
      changedSince(this.db.outcomes, wo - LOOKBACK_MS),
      this.db.referrals.count(),
      this.db.outcomes.count(),
    ]);
    const moved = (seen: Map<string, Seen>, stamps: readonly [number, string][]) => stamps.filter(([stamp, id]) => seen.get(id) !== stamp).map(([, id]) => id);
    const referralIds = moved(this.referralSeen, referralStamps);
    const outcomeIds = moved(this.outcomeSeen, outcomeStamps);
    // Deleted rows leave no stamp: when the counts disagree, find them by key.
    const expected = (seen: Map<string, Seen>, ids: readonly string[]) => seen.size + ids.filter((id) => !seen.has(id)).length;
    const [referrals, outcomes, referralKeys, outcomeKeys] = await Promise.all([
      referralIds.length ? this.db.referrals.bulkGet(referralIds) : [],
      outcomeIds.length ? this.db.outcomes.bulkGet(outcomeIds) : [],
      referralCount !== expected(this.referralSeen, referralIds) ? this.db.referrals.toCollection().primaryKeys() : null,
      outcomeCount !== expected(this.outcomeSeen, outcomeIds) ? this.db.outcomes.toCollection().primaryKeys() : null,
    ]);
    const present = (rows: readonly (EntityRow | undefined)[]) => rows.filter((r): r is EntityRow => r !== undefined);
    const changed = await Promise.resolve(this.apply(present(referrals), present(outcomes), referralKeys, outcomeKeys, true));
    if (changed) this.generation++;
    return changed;
  }

  private async apply(
    referralRows: readonly EntityRow[],
    outcomeRows: readonly EntityRow[],
    referralKeys: readonly string[] | null,
    outcomeKeys: readonly string[] | null,
    incremental: boolean,
  ): Promise<boolean> {
    let changed = false;
    const touched = new Set<string>();

    if (outcomeKeys) changed = this.dropMissing(this.outcomeSeen, outcomeKeys, (id) => this.removeOutcome(id, touched)) || changed;
    const outcomesToOpen = outcomeRows.filter((r) => !sameSeen(this.outcomeSeen.get(r.id), seenOf(r)));
    for (const batch of batches(outcomesToOpen)) {
      const opened = await Promise.all(batch.map((row) => this.open('outcomes', row)));
      batch.forEach((row, i) => {
        this.outcomeSeen.set(row.id, seenOf(row));
        const value = opened[i];
        this.removeOutcome(row.id, touched);
        if (value) {
          const summary = summariseOutcome(value);
          this.outcomes.set(summary.id, summary);
          let set = this.outcomesOf.get(summary.referralId);
          if (!set) this.outcomesOf.set(summary.referralId, (set = new Set()));
          set.add(summary.id);
          touched.add(summary.referralId);
        }
      });
      if (incremental) this.stats.decrypted += batch.length;
    }
    this.watermark.outcomes = newestStamp(outcomeRows, this.watermark.outcomes);

    if (referralKeys) changed = this.dropMissing(this.referralSeen, referralKeys, (id) => this.rows.delete(id)) || changed;
    const referralsToOpen = referralRows.filter((r) => !sameSeen(this.referralSeen.get(r.id), seenOf(r)));
    for (const batch of batches(referralsToOpen)) {
      const opened = await Promise.all(batch.map((row) => this.open('referrals', row)));
      batch.forEach((row, i) => {
        this.referralSeen.set(row.id, seenOf(row));
        const value = opened[i];
        touched.delete(row.id);
        if (value) this.rows.set(row.id, summariseReferral(value, this.latestFor(row.id)));
        else this.rows.delete(row.id);
      });
      if (incremental) this.stats.decrypted += batch.length;
      changed = true;
    }
    this.watermark.referrals = newestStamp(referralRows, this.watermark.referrals);

    // Referrals whose outcomes changed but which were not re-read themselves.
    for (const id of touched) {
      const row = this.rows.get(id);
      if (row) this.rows.set(id, { ...row, outcome: this.latestFor(id) });
      changed = true;
    }
    return changed || outcomesToOpen.length > 0;
  }

  private async open<T extends 'referrals' | 'outcomes'>(table: T, row: EntityRow) {
    try {
      return await this.codec.visible(table, row, false);
    } catch {
      // A row that does not open (damaged, or from another key) is left out, not fatal.
      this.stats.unreadable++;
      return null;
    }
  }

  private dropMissing(seen: Map<string, Seen>, keys: readonly string[], drop: (id: string) => void): boolean {
    const present = new Set(keys);
    let dropped = false;
    for (const id of [...seen.keys()]) {
      if (present.has(id)) continue;
      seen.delete(id);
      drop(id);
      dropped = true;
    }
    return dropped;
  }

  private removeOutcome(id: string, touched: Set<string>): void {
    const old = this.outcomes.get(id);
    if (!old) return;
    this.outcomes.delete(id);
    this.outcomesOf.get(old.referralId)?.delete(id);
    touched.add(old.referralId);
  }

  private latestFor(referralId: string): OutcomeSummary | null {
    const ids = this.outcomesOf.get(referralId);
    if (!ids?.size) return null;
    return latestOutcome([...ids].map((id) => this.outcomes.get(id)!).filter(Boolean));
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  // ------------------------------------------------------------ queries

  /** The referral ids of a view, in order: what J/K walk and "next in queue" follows. */
  query(view: WorklistView, nowMs: number): WorklistResult {
    const today = startOfLocalDay(nowMs);
    const bucket = this.bucket(view.queue, view.sort, today);
    let rows: readonly WorklistRow[] = hasFilters(view.filters) ? bucket.filter(filterPredicate(view.filters, nowMs)) : bucket;
    if (view.dir === 'desc') rows = rows === bucket ? [...bucket].reverse() : (rows as WorklistRow[]).reverse();
    return { rows, counts: this.queueCounts(today) };
  }

  get(id: string): WorklistRow | undefined {
    return this.rows.get(id);
  }

  /** The referring practices present, for the practice filter's options. */
  practiceCodes(): readonly string[] {
    if (this.practices?.at !== this.generation) {
      const codes = new Set<string>();
      for (const r of this.rows.values()) codes.add(r.practiceCode);
      this.practices = { at: this.generation, codes: [...codes].sort() };
    }
    return this.practices.codes;
  }

  /** Every row sorted by `key`, ascending; re-sorted from the previous order after a change. */
  private sortedBy(key: SortKey): WorklistRow[] {
    const prev = this.sorted.get(key);
    if (prev && this.sortedAt.get(key) === this.generation) return prev;
    let base: WorklistRow[];
    if (prev) {
      base = [];
      const kept = new Set<string>();
      for (const r of prev) {
        const now = this.rows.get(r.id);
        if (now) {
          base.push(now);
          kept.add(r.id);
        }
      }
      for (const r of this.rows.values()) if (!kept.has(r.id)) base.push(r);
    } else {
      base = [...this.rows.values()];
    }
    base.sort(COMPARATORS[key]);
    this.sorted.set(key, base);
    this.sortedAt.set(key, this.generation);
    return base;
  }

  /** The queue's rows in `key` order, cached until the next change (or the next day, for "done today"). */
  private bucket(queue: QueueId, key: SortKey, today: number): readonly WorklistRow[] {
    if (this.bucketsAt !== this.generation) {
      this.buckets.clear();
      this.bucketsAt = this.generation;
    }
    const cacheKey = `${queue}|${key}|${queue === 'done-today' ? today : ''}`;
    let rows = this.buckets.get(cacheKey);
    if (!rows) {
      const all = this.sortedBy(key);
      rows = queue === 'all' ? all : all.filter((r) => inQueue(queue, r, this.me, today));
      this.buckets.set(cacheKey, rows);
    }
    return rows;
  }

  private queueCounts(today: number): Partial<Record<QueueId, number>> {
    if (this.counts && this.counts.at === this.generation && this.counts.today === today) return this.counts.value;
    const queues = queuesFor(this.me.role);
    const value: Partial<Record<QueueId, number>> = Object.fromEntries(queues.map((q) => [q, 0]));
    for (const row of this.rows.values()) {
      for (const q of queues) {
        // "Done today" is the one queue most rows are not even candidates for: check cheaply first.
        if (q === 'done-today' && !doneByMe(row, this.me)) continue;
        if (inQueue(q, row, this.me, today)) value[q]!++;
      }
    }
    this.counts = { at: this.generation, today, value };
    return value;
  }
}

/** [changedAt, id] of every row stamped at or after `from`, from the index alone. */
async function changedSince(table: Table<EntityRow, string>, from: number): Promise<[number, string][]> {
  const keys = await table.where('[changedAt+id]').between([from, Dexie.minKey], [Infinity, Dexie.maxKey]).keys();
  return keys as unknown as [number, string][];
}

function newestStamp(rows: readonly EntityRow[], from: number): number {
  let max = from;
  for (const r of rows) if ((r.changedAt ?? 0) > max) max = r.changedAt!;
  return max;
}

function* batches<T>(items: readonly T[]): Generator<readonly T[]> {
  for (let i = 0; i < items.length; i += DECRYPT_BATCH) yield items.slice(i, i + DECRYPT_BATCH);
}

const indexes = new WeakMap<object, WorklistIndex>();

/** One index per unlocked workspace (the key dies with it at sign-out). */
export function worklistIndexFor(workspace: { readonly db: RecordDb; readonly codec: EntityCodec; readonly user: UserRef }): WorklistIndex {
  let index = indexes.get(workspace);
  if (!index) {
    index = new WorklistIndex(workspace.db, workspace.codec, workspace.user);
    indexes.set(workspace, index);
  }
  return index;
}
