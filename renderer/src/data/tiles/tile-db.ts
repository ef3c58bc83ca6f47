import Dexie, { type EntityTable, type Transaction } from 'dexie';
import type { Sealed } from '../crypto/cipher';

/**
 * One cached image tile (or thumbnail), encrypted. Everything outside `sealed` is metadata the
 * cache needs to find, protect and evict rows without decrypting them: ids and times, never
 * pixels or patient details.
 */
export interface TileRow {
  /** `"<imageId>/<level>/<col>_<row>"`, or `"<imageId>/thumb"` for the thumbnail. */
  readonly key: string;
  readonly imageId: string;
  readonly referralId: string;
  /** The MIME type the service sent, so the decrypted bytes become the right kind of Blob. */
  readonly contentType: string;
  /** Bytes this row takes at rest (ciphertext with its tag, and the nonce); what the budget counts. */
  readonly size: number;
  /** Epoch milliseconds. */
  readonly storedAt: number;
  /** Epoch milliseconds; updated in batches from reads (see TileCache). */
  readonly lastUsed: number;
  /** AES-GCM sealed bytes; AAD is `tileAad(key)`. */
  readonly sealed: Sealed;
}

export type TileDb = Dexie & { tiles: EntityTable<TileRow, 'key'> };

/**
 * The schema history, as data: each entry is what `db.version(n)` declares. A test can open a
 * database at an earlier version (`openTileDb(userId, { version: 1 })`) and then the current
 * one, to check an upgrade. Append new versions; never edit a released one.
 */
export interface TileDbVersion {
  readonly version: number;
  readonly stores: Readonly<Record<string, string | null>>;
  readonly upgrade?: (tx: Transaction) => Promise<void>;
}

export const TILE_DB_VERSIONS: readonly TileDbVersion[] = [
  // `size` is indexed so the running byte total can be rebuilt from index keys alone, without
  // reading (possibly gigabytes of) tile data; `lastUsed` orders eviction, `referralId` protects.
  { version: 1, stores: { tiles: 'key, imageId, referralId, lastUsed, storedAt, size' } },
];

export const LATEST_TILE_DB_VERSION = TILE_DB_VERSIONS[TILE_DB_VERSIONS.length - 1]!.version;

export function tileDbName(userId: string): string {
  return `loupe-tiles-${userId}`;
}

export interface OpenTileDbOptions {
  /** Declare the schema only up to this version (tests of upgrades); default the latest. */
  readonly version?: number;
}

/**
 * The tile database of one user. Tiles can always be fetched again, so transactions use relaxed
 * durability: Chromium then does not wait for the disk on every commit, which matters when a
 * prefetch writes thousands of rows.
 */
export function openTileDb(userId: string, options: OpenTileDbOptions = {}): TileDb {
  const upTo = options.version ?? LATEST_TILE_DB_VERSION;
  const db = new Dexie(tileDbName(userId), { chromeTransactionDurability: 'relaxed' }) as TileDb;
  for (const v of TILE_DB_VERSIONS) {
    if (v.version > upTo) break;
    const declared = db.version(v.version).stores(v.stores);
    if (v.upgrade) declared.upgrade(v.upgrade);
  }
  return db;
}

/** Removes a user's whole tile database (e.g. the administrator's wipe-at-sign-out policy). */
export function deleteTileDb(userId: string): Promise<void> {
  return Dexie.delete(tileDbName(userId));
}

/** The cache key of a pyramid tile. */
export function tileKey(imageId: string, level: number, col: number, row: number): string {
  return `${imageId}/${level}/${col}_${row}`;
}

/** The cache key of an image's thumbnail. */
export function thumbnailKey(imageId: string): string {
  return `${imageId}/thumb`;
}

/** Binds a sealed tile to its row, so ciphertext moved onto another key fails to open. */
export function tileAad(key: string): string {
  return `tile:${key}`;
}
