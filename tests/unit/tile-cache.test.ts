import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { generateDataKey } from '../../renderer/src/data/crypto/cipher';
import { pickEvictions, TileCache, type TileCacheOptions } from '../../renderer/src/data/tiles/tile-cache';
import {
  LATEST_TILE_DB_VERSION,
  openTileDb,
  TILE_DB_VERSIONS,
  tileDbName,
  tileKey,
  type TileDb,
} from '../../renderer/src/data/tiles/tile-db';

const SEAL_OVERHEAD = 16 + 12; // GCM tag + nonce
let userSeq = 0;
const opened: TileDb[] = [];

afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

function freshUser(): string {
  return `user-${process.pid}-${++userSeq}`;
}

function db(userId: string): TileDb {
  const d = openTileDb(userId);
  opened.push(d);
  return d;
}

function bytes(n: number, fill: number): Uint8Array {
  return new Uint8Array(n).fill(fill);
}

interface Clock {
  t: number;
}

async function setup(options: Partial<TileCacheOptions> & { clock?: Clock; userId?: string; key?: CryptoKey } = {}) {
  const userId = options.userId ?? freshUser();
  const key = options.key ?? (await generateDataKey());
  const clock = options.clock ?? { t: 1_000 };
  const protectedIds = new Set<string>();
  const cache = new TileCache(db(userId), key, {
    budgetBytes: options.budgetBytes ?? 1024 ** 3,
    protectedReferralIds: options.protectedReferralIds ?? (() => protectedIds),
    touchDelayMs: options.touchDelayMs ?? 60_000,
    now: () => clock.t,
  });
  return { userId, key, clock, cache, protectedIds };
}

function meta(imageId: string, referralId = 'ref-1') {
  return { imageId, referralId, contentType: 'image/jpeg' };
}

/** The little of the IndexedDB API the raw read uses (tests compile without the DOM library). */
interface RawRequest<T> {
  readonly result: T;
  readonly error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}
interface RawDb {
  transaction(store: string, mode: 'readonly'): { objectStore(name: string): { get(key: string): RawRequest<unknown> } };
  close(): void;
}
const rawIndexedDB = (globalThis as unknown as { indexedDB: { open(name: string): RawRequest<RawDb> } }).indexedDB;

/** The row exactly as IndexedDB holds it, read without Dexie. */
function rawRow(userId: string, key: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = rawIndexedDB.open(tileDbName(userId));
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const conn = req.result;
      const get = conn.transaction('tiles', 'readonly').objectStore('tiles').get(key);
      get.onerror = () => reject(get.error);
      get.onsuccess = () => {
        conn.close();
        resolve(get.result as Record<string, unknown>);
      };
    };
  });
}

/** Every byte sequence and string anywhere in a stored value. */
function binaryParts(value: unknown, out: Uint8Array[] = []): Uint8Array[] {
  if (value instanceof ArrayBuffer) out.push(new Uint8Array(value));
  else if (ArrayBuffer.isView(value)) out.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  else if (typeof value === 'string') out.push(new TextEncoder().encode(value));
  else if (value && typeof value === 'object') for (const v of Object.values(value)) binaryParts(v, out);
  return out;
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

describe('tile database schema', () => {
  it('declares its versions as data, in increasing order, and can be opened at each', async () => {
    const versions = TILE_DB_VERSIONS.map((v) => v.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(LATEST_TILE_DB_VERSION).toBe(versions[versions.length - 1]);
    const userId = freshUser();
    for (const v of versions) {
      const d = openTileDb(userId, { version: v });
      await d.open();
      expect(d.verno).toBe(v);
      expect(d.name).toBe(`loupe-tiles-${userId}`);
      d.close();
    }
  });
});

describe('TileCache', () => {
  it('stores tiles encrypted: the raw row holds none of the plaintext, and get returns it', async () => {
    const { cache, userId } = await setup();
    // A recognisable tile: a JPEG-like header and text that would show up if stored in clear.
    const plain = new TextEncoder().encode('\xff\xd8\xff\xe0 PATIENT-PIXELS '.repeat(200));
    const key = tileKey('img-1', 12, 3, 4);
    await cache.put(key, meta('img-1'), plain);

    const row = await rawRow(userId, key);
    expect(row).toMatchObject({ key, imageId: 'img-1', referralId: 'ref-1', contentType: 'image/jpeg' });
    for (const part of binaryParts(row)) {
      // No 16-byte window of the tile appears anywhere in the row.
      for (let i = 0; i + 16 <= plain.length; i += 16) expect(contains(part, plain.subarray(i, i + 16))).toBe(false);
    }

    const blob = await cache.get(key);
    expect(blob?.type).toBe('image/jpeg');
    expect(new Uint8Array(await blob!.arrayBuffer())).toEqual(plain);
    expect(await cache.has(key)).toBe(true);
    expect(await cache.get('img-1/0/0_0')).toBeNull();
    expect(await cache.has('img-1/0/0_0')).toBe(false);
  });

  it('keeps a running total through put, replace, evict, clear and reopening', async () => {
    const { cache, userId, key } = await setup();
    await cache.put('a/0/0_0', meta('a'), bytes(1000, 1));
    await cache.put('a/1/0_0', meta('a'), bytes(2000, 2));
    await cache.put('b/0/0_0', meta('b'), bytes(3000, 3));
    expect(await cache.usage()).toEqual({ bytes: 6000 + 3 * SEAL_OVERHEAD, tiles: 3 });

    // Replacing a row counts the difference, not a second row.
    await cache.put('a/1/0_0', meta('a'), bytes(500, 2));
    expect(await cache.usage()).toEqual({ bytes: 4500 + 3 * SEAL_OVERHEAD, tiles: 3 });

    cache.setBudgetBytes(3000 + SEAL_OVERHEAD + 600);
    const evicted = await cache.evict();
    expect(evicted.tiles).toBeGreaterThan(0);
    const after = await cache.usage();
    expect(after.bytes).toBeLessThanOrEqual(cache.budgetBytes);
    expect(after.bytes).toBe(4500 + 3 * SEAL_OVERHEAD - evicted.bytes);

    // A fresh cache over the same database counts the same.
    const reopened = new TileCache(db(userId), key, { budgetBytes: 1e9, protectedReferralIds: () => [] });
    expect(await reopened.usage()).toEqual(after);

    await cache.clear();
    expect(await cache.usage()).toEqual({ bytes: 0, tiles: 0 });
    const again = new TileCache(db(userId), key, { budgetBytes: 1e9, protectedReferralIds: () => [] });
    expect(await again.usage()).toEqual({ bytes: 0, tiles: 0 });
  });

  it('evicts least recently used first, counting reads (batched) as use', async () => {
    const { cache, clock } = await setup();
    for (const [i, name] of ['A', 'B', 'C', 'D'].entries()) {
      clock.t = 1_000 + i;
      await cache.put(`${name}/0/0_0`, meta(name), bytes(1000, i));
    }
    clock.t = 2_000;
    expect(await cache.get('A/0/0_0')).not.toBeNull(); // A is now the most recent

    cache.setBudgetBytes(2 * (1000 + SEAL_OVERHEAD));
    const result = await cache.evict();
    expect(result).toEqual({ tiles: 2, bytes: 2 * (1000 + SEAL_OVERHEAD) });
    expect(await cache.has('B/0/0_0')).toBe(false);
    expect(await cache.has('C/0/0_0')).toBe(false);
    expect(await cache.has('A/0/0_0')).toBe(true);
    expect(await cache.has('D/0/0_0')).toBe(true);
  });

  it('writes lastUsed from reads in one batch, not one write per read', async () => {
    const { cache, clock, userId } = await setup();
    await cache.put('A/0/0_0', meta('A'), bytes(10, 1));
    clock.t = 5_000;
    await cache.get('A/0/0_0');
    clock.t = 6_000;
    await cache.get('A/0/0_0');
    expect((await rawRow(userId, 'A/0/0_0')).lastUsed).toBe(1_000);
    await cache.flushTouches();
    expect((await rawRow(userId, 'A/0/0_0')).lastUsed).toBe(6_000);
  });

  it('never evicts a protected referral, even when that leaves it over budget', async () => {
    const { cache, protectedIds, clock } = await setup();
    protectedIds.add('worklist-1');
    for (let i = 0; i < 5; i++) {
      clock.t = 1_000 + i;
      await cache.put(`p${i}/0/0_0`, meta(`p${i}`, 'worklist-1'), bytes(1000, i));
      await cache.put(`q${i}/0/0_0`, meta(`q${i}`, 'other'), bytes(1000, i));
    }
    cache.setBudgetBytes(0);
    const result = await cache.evict();
    expect(result.tiles).toBe(5);
    for (let i = 0; i < 5; i++) {
      expect(await cache.has(`p${i}/0/0_0`)).toBe(true);
      expect(await cache.has(`q${i}/0/0_0`)).toBe(false);
    }
    expect(await cache.usage()).toEqual({ bytes: 5 * (1000 + SEAL_OVERHEAD), tiles: 5 });
  });

  it('treats a row that fails to decrypt as a miss and deletes it', async () => {
    const { cache, userId } = await setup();
    await cache.put('A/0/0_0', meta('A'), bytes(1000, 1));
    await cache.put('B/0/0_0', meta('B'), bytes(1000, 2));
    const d = db(userId);

    // One byte of ciphertext changed.
    const row = await d.tiles.get('A/0/0_0');
    const data = new Uint8Array(row!.sealed.data.slice(0));
    data[10]! ^= 0xff;
    await d.tiles.update('A/0/0_0', { sealed: { iv: row!.sealed.iv, data: data.buffer } });
    expect(await cache.get('A/0/0_0')).toBeNull();
    expect(await cache.has('A/0/0_0')).toBe(false);

    // B's ciphertext copied onto another key: the AAD binds it to B's key.
    const b = await d.tiles.get('B/0/0_0');
    await d.tiles.put({ ...b!, key: 'C/0/0_0' });
    const moved = new TileCache(d, await generateDataKey(), { budgetBytes: 1e9, protectedReferralIds: () => [] });
    expect(await cache.get('C/0/0_0')).toBeNull();
    expect(await cache.has('C/0/0_0')).toBe(false);
    expect(await cache.get('B/0/0_0')).not.toBeNull();
    // And a cache with another user's key sees nothing it can open.
    expect(await moved.get('B/0/0_0')).toBeNull();
    expect(await moved.usage()).toEqual({ bytes: 0, tiles: 0 });
  });

  it('deletes tiles not used since a date, except protected ones', async () => {
    const { cache, clock, protectedIds } = await setup();
    protectedIds.add('kept');
    clock.t = 1_000;
    await cache.put('old/0/0_0', meta('old', 'r1'), bytes(100, 1));
    await cache.put('oldProtected/0/0_0', meta('oldProtected', 'kept'), bytes(100, 2));
    await cache.put('oldButRead/0/0_0', meta('oldButRead', 'r1'), bytes(100, 3));
    clock.t = 9_000;
    await cache.put('new/0/0_0', meta('new', 'r1'), bytes(100, 4));
    await cache.get('oldButRead/0/0_0'); // read since: not flushed yet, deleteOlderThan flushes

    const result = await cache.deleteOlderThan(new Date(5_000));
    expect(result).toEqual({ tiles: 1, bytes: 100 + SEAL_OVERHEAD });
    expect(await cache.has('old/0/0_0')).toBe(false);
    expect(await cache.has('oldProtected/0/0_0')).toBe(true);
    expect(await cache.has('oldButRead/0/0_0')).toBe(true);
    expect(await cache.has('new/0/0_0')).toBe(true);
    expect(await cache.usage()).toEqual({ bytes: 3 * (100 + SEAL_OVERHEAD), tiles: 3 });
  });

  it('reports which of many keys are present in one call', async () => {
    const { cache } = await setup();
    await cache.put('A/0/0_0', meta('A'), bytes(10, 1));
    await cache.put('A/1/0_0', meta('A'), bytes(10, 1));
    expect(await cache.presentKeys(['A/0/0_0', 'A/1/0_0', 'A/2/0_0'])).toEqual(new Set(['A/0/0_0', 'A/1/0_0']));
    expect(await cache.presentKeys([])).toEqual(new Set());
  });
});

describe('pickEvictions', () => {
  const sizes = new Map([
    ['a', 10],
    ['b', 20],
    ['c', 30],
  ]);
  it('takes the oldest first until the excess is gone, skipping protected keys', () => {
    expect(pickEvictions(['a', 'b', 'c'], sizes, new Set(), 25)).toEqual(['a', 'b']);
    expect(pickEvictions(['a', 'b', 'c'], sizes, new Set(['a']), 25)).toEqual(['b', 'c']);
    expect(pickEvictions(['a', 'b', 'c'], sizes, new Set(), 0)).toEqual([]);
    expect(pickEvictions(['a', 'b', 'c'], sizes, new Set(['a', 'b', 'c']), 100)).toEqual([]);
  });
});
