import { openBytes, sealBytes } from '../crypto/cipher';
import { tileAad, type TileDb, type TileRow } from './tile-db';

/** What the cache records about a tile besides its bytes. */
export interface TileMeta {
  readonly imageId: string;
  readonly referralId: string;
  readonly contentType: string;
}

export interface TileUsage {
  /** Bytes at rest (sealed), the figure the budget is compared with. */
  readonly bytes: number;
  readonly tiles: number;
}

export interface EvictionResult {
  readonly tiles: number;
  readonly bytes: number;
}

export interface TileCacheOptions {
  readonly budgetBytes: number;
  /**
   * Referrals whose tiles must stay (the clinician's current worklist): asked at each eviction,
   * so it always reflects the list as it is then.
   */
  readonly protectedReferralIds: () => Iterable<string>;
  /** How long reads are collected before their `lastUsed` times are written (default 2 s). */
  readonly touchDelayMs?: number;
  readonly now?: () => number;
}

/** Rows deleted per transaction: small enough that reads are not held up behind one long write. */
const DELETE_CHUNK = 500;

/**
 * Which rows to delete, oldest use first, to bring `overBytes` down to zero without touching a
 * protected row. Pure, so the policy is tested without a database.
 */
export function pickEvictions(
  byAge: readonly string[],
  sizes: ReadonlyMap<string, number>,
  protectedKeys: ReadonlySet<string>,
  overBytes: number,
): string[] {
  const victims: string[] = [];
  let remaining = overBytes;
  for (const key of byAge) {
    if (remaining <= 0) break;
    if (protectedKeys.has(key)) continue;
    victims.push(key);
    remaining -= sizes.get(key) ?? 0;
  }
  return victims;
}

/**
 * The encrypted, size-bounded store of image tiles for one user. Bytes are sealed with the
 * user's data key before they reach IndexedDB and opened on the way out; a row that does not
 * open (altered, or sealed under another key) is removed and reported as a miss, so the loader
 * simply fetches the tile again.
 *
 * The byte total is kept in memory: counted once from the `size` index (keys only, no tile
 * data is read), then moved by each put and delete. Writes that change it run one at a time so
 * the total never misses one; eviction recounts from the index, which also corrects any drift
 * from another tab writing the same database.
 */
export class TileCache {
  private budget: number;
  private readonly protectedReferralIds: () => Iterable<string>;
  private readonly touchDelayMs: number;
  private readonly now: () => number;

  private counted = false;
  private bytes = 0;
  private count = 0;
  /** The tail of the queue of writes that move the byte total. */
  private lock: Promise<unknown> = Promise.resolve();
  /** Reads not yet written as `lastUsed`: key → time of the latest read. */
  private touched = new Map<string, number>();
  private touchTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly db: TileDb,
    private readonly dataKey: CryptoKey,
    options: TileCacheOptions,
  ) {
    this.budget = options.budgetBytes;
    this.protectedReferralIds = options.protectedReferralIds;
    this.touchDelayMs = options.touchDelayMs ?? 2000;
    this.now = options.now ?? Date.now;
  }

  get budgetBytes(): number {
    return this.budget;
  }

  /** Takes effect at the next eviction (settings can change while signed in). */
  setBudgetBytes(bytes: number): void {
    this.budget = bytes;
  }

  /** The decrypted tile, or null when it is not cached (or its row could not be opened). */
  async get(key: string): Promise<Blob | null> {
    const row = await this.db.tiles.get(key);
    if (!row) return null;
    let bytes: ArrayBuffer;
    try {
      bytes = await openBytes(this.dataKey, row.sealed, tileAad(key));
    } catch {
      await this.discard(key, row.storedAt);
      return null;
    }
    this.touch(key);
    return new Blob([bytes], { type: row.contentType });
  }

  /** Whether a row exists, without reading or decrypting it. */
  async has(key: string): Promise<boolean> {
    return (await this.db.tiles.where(':id').equals(key).count()) > 0;
  }

  /** Which of `keys` have a row: one keys-only query, for checking a whole image at once. */
  async presentKeys(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    return new Set(await this.db.tiles.where(':id').anyOf(keys).primaryKeys());
  }

  async put(key: string, meta: TileMeta, bytes: BufferSource): Promise<void> {
    const sealed = await sealBytes(this.dataKey, bytes, tileAad(key));
    const now = this.now();
    const row: TileRow = {
      key,
      imageId: meta.imageId,
      referralId: meta.referralId,
      contentType: meta.contentType,
      size: sealed.data.byteLength + sealed.iv.byteLength,
      storedAt: now,
      lastUsed: now,
      sealed,
    };
    await this.exclusive(async () => {
      const previous = await this.db.transaction('rw', this.db.tiles, async () => {
        const old = await this.db.tiles.get(key);
        await this.db.tiles.put(row);
        return old?.size;
      });
      if (previous === undefined) {
        this.count += 1;
        this.bytes += row.size;
      } else {
        this.bytes += row.size - previous;
      }
    });
  }

  async usage(): Promise<TileUsage> {
    return this.exclusive(() => Promise.resolve({ bytes: this.bytes, tiles: this.count }));
  }

  /**
   * Deletes least recently used tiles until the total is within the budget, never a tile of a
   * protected referral: if only protected tiles remain, the cache stays over budget rather than
   * lose a case the clinician is expected to open offline.
   */
  async evict(): Promise<EvictionResult> {
    return this.exclusive(async () => {
      await this.flushTouches();
      const protectedIds = [...new Set(this.protectedReferralIds())];
      const snapshot = await this.db.transaction('r', this.db.tiles, async () => ({
        byAge: await this.db.tiles.orderBy('lastUsed').primaryKeys(),
        sizes: await this.readSizes(),
        protectedKeys: await this.keysOfReferrals(protectedIds),
      }));
      this.setTotals(snapshot.sizes);
      const victims = pickEvictions(snapshot.byAge, snapshot.sizes, snapshot.protectedKeys, this.bytes - this.budget);
      return this.deleteRows(victims, snapshot.sizes);
    });
  }

  /** Deletes tiles not used since `date`, except those of protected referrals. */
  async deleteOlderThan(date: Date): Promise<EvictionResult> {
    return this.exclusive(async () => {
      await this.flushTouches();
      const protectedIds = [...new Set(this.protectedReferralIds())];
      const snapshot = await this.db.transaction('r', this.db.tiles, async () => ({
        old: await this.db.tiles.where('lastUsed').below(date.getTime()).primaryKeys(),
        sizes: await this.readSizes(),
        protectedKeys: await this.keysOfReferrals(protectedIds),
      }));
      this.setTotals(snapshot.sizes);
      return this.deleteRows(
        snapshot.old.filter((key) => !snapshot.protectedKeys.has(key)),
        snapshot.sizes,
      );
    });
  }

  async clear(): Promise<void> {
    await this.exclusive(async () => {
      this.cancelTouches();
      await this.db.tiles.clear();
      this.counted = true;
      this.bytes = 0;
      this.count = 0;
    });
  }

  /** Writes pending `lastUsed` times now (eviction and close do this themselves). */
  async flushTouches(): Promise<void> {
    if (this.touchTimer !== null) {
      clearTimeout(this.touchTimer);
      this.touchTimer = null;
    }
    if (this.touched.size === 0) return;
    const batch = [...this.touched];
    this.touched = new Map();
    // A row deleted meanwhile is simply not updated.
    await this.db.tiles.bulkUpdate(batch.map(([key, lastUsed]) => ({ key, changes: { lastUsed } })));
  }

  async close(): Promise<void> {
    await this.exclusive(() => this.flushTouches()).catch(() => undefined);
    this.cancelTouches();
    this.db.close();
  }

  /** Records a read; the writes are batched because a pan can read hundreds of tiles a second. */
  private touch(key: string): void {
    this.touched.set(key, this.now());
    if (this.touchTimer !== null) return;
    this.touchTimer = setTimeout(() => {
      this.touchTimer = null;
      // Best effort: losing a batch of use times only makes eviction slightly less accurate.
      this.flushTouches().catch(() => undefined);
    }, this.touchDelayMs);
  }

  private cancelTouches(): void {
    if (this.touchTimer !== null) clearTimeout(this.touchTimer);
    this.touchTimer = null;
    this.touched.clear();
  }

  /** Removes a row that failed to open, unless it has been replaced since it was read. */
  private async discard(key: string, storedAt: number): Promise<void> {
    await this.exclusive(async () => {
      const size = await this.db.transaction('rw', this.db.tiles, async () => {
        const row = await this.db.tiles.get(key);
        if (!row || row.storedAt !== storedAt) return undefined;
        await this.db.tiles.delete(key);
        return row.size;
      });
      if (size !== undefined) {
        this.count -= 1;
        this.bytes -= size;
      }
    });
  }

  /**
   * Runs `fn` after every earlier total-changing write, first counting the table if that has
   * not happened yet (lazily, so creating a cache does no I/O).
   */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(async () => {
      if (!this.counted) this.setTotals(await this.readSizes());
      return fn();
    });
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** Every row's size from the `size` index: keys only, so no tile data is read. */
  private async readSizes(): Promise<Map<string, number>> {
    const collection = this.db.tiles.orderBy('size');
    // Both lists come from one index in one transaction, hence in the same order.
    return this.db.transaction('r', this.db.tiles, async () => {
      const sizes = await collection.keys();
      const keys = await collection.primaryKeys();
      return new Map(keys.map((key, i) => [key, Number(sizes[i])]));
    });
  }

  private async keysOfReferrals(referralIds: readonly string[]): Promise<Set<string>> {
    if (referralIds.length === 0) return new Set();
    return new Set(await this.db.tiles.where('referralId').anyOf(referralIds).primaryKeys());
  }

  private setTotals(sizes: ReadonlyMap<string, number>): void {
    let bytes = 0;
    for (const size of sizes.values()) bytes += size;
    this.bytes = bytes;
    this.count = sizes.size;
    this.counted = true;
  }

  private async deleteRows(keys: readonly string[], sizes: ReadonlyMap<string, number>): Promise<EvictionResult> {
    let bytes = 0;
    for (let i = 0; i < keys.length; i += DELETE_CHUNK) {
      const chunk = keys.slice(i, i + DELETE_CHUNK);
      await this.db.tiles.bulkDelete(chunk);
      // Counted per chunk, so a failure part-way leaves the total true to what was deleted.
      let chunkBytes = 0;
      for (const key of chunk) chunkBytes += sizes.get(key) ?? 0;
      this.bytes -= chunkBytes;
      this.count -= chunk.length;
      bytes += chunkBytes;
    }
    return { tiles: keys.length, bytes };
  }
}
