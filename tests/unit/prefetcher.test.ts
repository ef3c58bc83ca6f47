import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ServiceClient } from '../../shared/client/service-client';
import type { ImageRecord } from '../../shared/contract';
import { generateDataKey } from '../../renderer/src/data/crypto/cipher';
import { Prefetcher, type PrefetchProgress, type PrefetchReferral } from '../../renderer/src/data/tiles/prefetcher';
import { prefetchPlan } from '../../renderer/src/data/tiles/prefetch-plan';
import { TileCache } from '../../renderer/src/data/tiles/tile-cache';
import { openTileDb, type TileDb } from '../../renderer/src/data/tiles/tile-db';
import { TileLoader, type TileFetch } from '../../renderer/src/data/tiles/tile-loader';
import { imageRecord } from '../support/records';

const image = (id: string, referralId: string, width = 600, height = 400): ImageRecord => imageRecord({ id, referralId, width, height });

let seq = 0;
const dbs: TileDb[] = [];
const prefetchers: Prefetcher[] = [];
afterEach(() => {
  for (const p of prefetchers.splice(0)) p.dispose();
  for (const db of dbs.splice(0)) db.close();
});

// 600 × 400 is scaled up to fit the screen: its whole pyramid, 17 tiles, plus the thumbnail.
const ITEMS_PER_IMAGE = prefetchPlan(image('x', 'r')).tileCount + 1;
const REFERRALS: PrefetchReferral[] = [
  { referralId: 'r1', images: [image('i1', 'r1'), image('i2', 'r1')] },
  { referralId: 'r2', images: [image('i3', 'r2')] },
];
const TOTAL = 3 * ITEMS_PER_IMAGE;
const BODY = 'tile bytes';

async function setup(options: { fetch?: TileFetch; online?: { value: boolean }; events?: EventTarget } = {}) {
  const db = openTileDb(`prefetch-${process.pid}-${++seq}`);
  dbs.push(db);
  const cache = new TileCache(db, await generateDataKey(), { budgetBytes: 1e9, protectedReferralIds: () => [] });
  const evict = vi.spyOn(cache, 'evict');
  const calls: string[] = [];
  const base: TileFetch = async () => new Response(BODY, { status: 200 });
  const inner = options.fetch ?? base;
  const fetch: TileFetch = (url, init) => {
    calls.push(url);
    return inner(url, init);
  };
  const client = new ServiceClient('http://svc', async () => {
    throw new Error('unused');
  }, 'tok');
  const online = options.online ?? { value: true };
  const loader = new TileLoader({ cache, client: () => client, fetch, isOnline: () => online.value });
  const prefetcher = new Prefetcher({ loader, cache, onlineEvents: options.events ?? null });
  prefetchers.push(prefetcher);
  return { cache, loader, prefetcher, calls, evict, online };
}

describe('Prefetcher', () => {
  it('loads every thumbnail and planned tile, and its progress reaches the totals', async () => {
    const { prefetcher, calls, evict, cache } = await setup();
    const seen: PrefetchProgress[] = [];
    prefetcher.subscribe(() => seen.push(prefetcher.getSnapshot()));
    await prefetcher.run(REFERRALS);
    expect(prefetcher.getSnapshot()).toEqual({
      referralsDone: 2,
      referralsTotal: 2,
      tilesDone: TOTAL,
      tilesTotal: TOTAL,
      bytesFetched: TOTAL * BODY.length,
      running: false,
      lastError: null,
    });
    expect(calls).toHaveLength(TOTAL);
    expect(new Set(calls).size).toBe(TOTAL);
    expect(calls.filter((u) => u.endsWith('/thumbnail.jpg'))).toHaveLength(3);
    expect((await cache.usage()).tiles).toBe(TOTAL);
    expect(evict).toHaveBeenCalledTimes(1);
    // Observable as it goes, and monotonic.
    expect(seen[0]).toMatchObject({ running: true, tilesDone: 0, tilesTotal: TOTAL });
    const done = seen.map((p) => p.tilesDone);
    expect(done).toEqual([...done].sort((a, b) => a - b));
  });

  it('skips what is already cached', async () => {
    const { prefetcher, calls } = await setup();
    await prefetcher.run(REFERRALS.slice(0, 1));
    const first = calls.length;
    expect(first).toBe(2 * ITEMS_PER_IMAGE);
    await prefetcher.run(REFERRALS);
    expect(calls.length - first).toBe(ITEMS_PER_IMAGE);
    expect(prefetcher.getSnapshot()).toMatchObject({ tilesDone: TOTAL, referralsDone: 2, bytesFetched: ITEMS_PER_IMAGE * BODY.length });
  });

  it('counts an image without a thumbnail as complete (the single-tile level stands in)', async () => {
    const { prefetcher } = await setup({
      fetch: async (url) => (url.endsWith('/thumbnail.jpg') ? new Response('', { status: 404 }) : new Response(BODY)),
    });
    await prefetcher.run(REFERRALS);
    expect(prefetcher.getSnapshot()).toMatchObject({ tilesDone: TOTAL, referralsDone: 2, lastError: null });
  });

  it('is cancelled, and a new run supersedes the old one', async () => {
    const releases: (() => void)[] = [];
    const { prefetcher, calls } = await setup({
      fetch: (_url, init) =>
        new Promise<Response>((resolve, reject) => {
          releases.push(() => resolve(new Response(BODY)));
          init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
    });
    const first = prefetcher.run(REFERRALS);
    await vi.waitFor(() => expect(calls.length).toBeGreaterThan(0));
    // Bounded: the prefetcher's own concurrency (4), within the scheduler's background limit.
    expect(calls.length).toBeLessThanOrEqual(4);
    prefetcher.cancel();
    await first;
    expect(prefetcher.getSnapshot().running).toBe(false);
    const afterCancel = calls.length;
    await new Promise((r) => setTimeout(r, 20));
    expect(calls.length).toBe(afterCancel);

    const second = prefetcher.run(REFERRALS.slice(1));
    const third = prefetcher.run(REFERRALS.slice(0, 1));
    expect(prefetcher.getSnapshot()).toMatchObject({ referralsTotal: 1, tilesTotal: 2 * ITEMS_PER_IMAGE, running: true });
    await second; // superseded: ends without touching the newer run's progress
    expect(prefetcher.getSnapshot()).toMatchObject({ referralsTotal: 1, tilesTotal: 2 * ITEMS_PER_IMAGE, running: true });
    const drain = setInterval(() => releases.splice(0).forEach((r) => r()), 1);
    await third;
    clearInterval(drain);
    expect(prefetcher.getSnapshot()).toMatchObject({ referralsDone: 1, tilesDone: 2 * ITEMS_PER_IMAGE, running: false });
  });

  it('stops when offline without a single request, and resumes when the connection returns', async () => {
    const events = new EventTarget();
    const online = { value: false };
    const { prefetcher, calls } = await setup({ online, events });
    await prefetcher.run(REFERRALS);
    expect(calls).toHaveLength(0);
    expect(prefetcher.getSnapshot()).toMatchObject({ running: false, tilesDone: 0 });
    expect(prefetcher.getSnapshot().lastError).toMatch(/offline/);

    online.value = true;
    events.dispatchEvent(new Event('online'));
    await vi.waitFor(() => expect(prefetcher.getSnapshot()).toMatchObject({ running: false, tilesDone: TOTAL, lastError: null }));
    expect(calls).toHaveLength(TOTAL);
  });

  it('stops on a refused token, does not retry on its own, and resumes when asked (after a sign-in)', async () => {
    const events = new EventTarget();
    let refuse = true;
    const { prefetcher, calls } = await setup({
      events,
      fetch: async () => (refuse ? new Response('', { status: 401 }) : new Response(BODY)),
    });
    await prefetcher.run(REFERRALS);
    expect(prefetcher.getSnapshot()).toMatchObject({ running: false });
    expect(prefetcher.getSnapshot().lastError).toMatch(/sign in/);
    // Stopped at once, not one refused request per tile.
    expect(calls.length).toBeLessThanOrEqual(4);
    const refused = calls.length;
    events.dispatchEvent(new Event('online'));
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toHaveLength(refused);

    refuse = false;
    await prefetcher.resume();
    expect(prefetcher.getSnapshot()).toMatchObject({ tilesDone: TOTAL, running: false, lastError: null });
  });

  it('carries on where it stopped after losing the connection part-way', async () => {
    const online = { value: true };
    let served = 0;
    const { prefetcher, calls } = await setup({
      online,
      fetch: async () => {
        served += 1;
        if (served === 10) online.value = false;
        return new Response(BODY);
      },
    });
    await prefetcher.run(REFERRALS);
    const stopped = prefetcher.getSnapshot();
    expect(stopped.running).toBe(false);
    expect(stopped.tilesDone).toBeLessThan(TOTAL);

    online.value = true;
    await prefetcher.resume();
    expect(prefetcher.getSnapshot()).toMatchObject({ tilesDone: TOTAL, referralsDone: 2, running: false });
    // Only what was missing was fetched the second time: no tile twice.
    expect(new Set(calls).size).toBe(calls.length);
    expect(calls).toHaveLength(TOTAL);
  });
});
