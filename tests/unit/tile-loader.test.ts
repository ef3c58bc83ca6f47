import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ServiceClient } from '../../shared/client/service-client';
import type { ImageRecord } from '../../shared/contract';
import { generateDataKey } from '../../renderer/src/data/crypto/cipher';
import { FetchScheduler } from '../../renderer/src/data/tiles/fetch-scheduler';
import { TileCache } from '../../renderer/src/data/tiles/tile-cache';
import { openTileDb, type TileDb } from '../../renderer/src/data/tiles/tile-db';
import { TileLoadError, TileLoader, type TileFetch, type TileFetchInit, type TileLoaderOptions } from '../../renderer/src/data/tiles/tile-loader';

const IMAGE: ImageRecord = {
  id: '0192f0a0-0000-7000-8000-0000000000a1',
  referralId: '0192f0a0-0000-7000-8000-000000000001',
  patientNhsNumber: '9990000018',
  lesion: 'L1',
  kind: 'dermoscopic',
  bodySite: 'left lower leg',
  capturedAt: '2026-11-01T10:00:00Z',
  width: 6000,
  height: 4000,
  tileSize: 254,
  overlap: 1,
  format: 'jpeg',
  mmPerPixel: null,
};
const TILE = { image: IMAGE, level: 12, col: 3, row: 4 };
const TILE_URL = `http://svc/api/v1/images/${IMAGE.id}/image_files/12/3_4.jpeg`;

let seq = 0;
const dbs: TileDb[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  vi.unstubAllGlobals();
});

interface Call {
  readonly url: string;
  readonly init: TileFetchInit;
}

/** A fake service: answers each URL from `responses` (default: some JPEG-ish bytes). */
function fakeFetch(responses: Record<string, () => Response | Promise<Response>> = {}) {
  const calls: Call[] = [];
  const fetch: TileFetch = async (url, init) => {
    calls.push({ url, init });
    const respond = responses[url];
    if (respond) return respond();
    return new Response(new TextEncoder().encode(`pixels of ${url}`), { status: 200, headers: { 'content-type': 'image/jpeg' } });
  };
  return { fetch, calls };
}

async function setup(overrides: Partial<TileLoaderOptions> = {}) {
  const db = openTileDb(`loader-${process.pid}-${++seq}`);
  dbs.push(db);
  const cache = new TileCache(db, await generateDataKey(), { budgetBytes: 1e9, protectedReferralIds: () => [] });
  const client = new ServiceClient('http://svc', async () => {
    throw new Error('the loader must not use the client to fetch');
  }, 'tok-1');
  const net = fakeFetch();
  const loader = new TileLoader({ cache, client: () => client, fetch: net.fetch, ...overrides });
  return { cache, client, loader, calls: net.calls };
}

async function text(blob: Blob): Promise<string> {
  return new TextDecoder().decode(await blob.arrayBuffer());
}

describe('TileLoader', () => {
  it('fetches a miss with the bearer header, stores it, and answers the next request from the cache', async () => {
    const { loader, cache, calls } = await setup();
    const first = await loader.load(TILE, 'background');
    expect(await text(first)).toBe(`pixels of ${TILE_URL}`);
    expect(first.type).toBe('image/jpeg');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe(TILE_URL);
    expect(calls[0]!.init.headers).toEqual({ authorization: 'Bearer tok-1' });
    // The browser's HTTP cache must not keep a plaintext copy.
    expect(calls[0]!.init.cache).toBe('no-store');
    expect(await cache.has(`${IMAGE.id}/12/3_4`)).toBe(true);

    const second = await loader.load(TILE, 'foreground');
    expect(await text(second)).toBe(`pixels of ${TILE_URL}`);
    expect(calls).toHaveLength(1);
    expect(loader.stats()).toEqual({ hits: 1, misses: 1, fetches: 1, bytesFetched: first.size, failures: 0 });
  });

  it('stores what a foreground load fetched, without making the viewer wait for it', async () => {
    const { loader, cache } = await setup();
    await loader.load(TILE, 'foreground');
    await vi.waitFor(async () => expect(await cache.has(`${IMAGE.id}/12/3_4`)).toBe(true));
  });

  it('answers a tile fetched but not yet stored without fetching it again', async () => {
    const { loader, calls } = await setup();
    const first = loader.load(TILE, 'foreground');
    await first;
    // Storing is still under way (encrypting, writing): the second request must not refetch.
    const again = await loader.load(TILE, 'foreground');
    expect(await text(again)).toBe(`pixels of ${TILE_URL}`);
    expect(await loader.ensureCached(TILE, 'background')).toBe(0);
    expect(calls).toHaveLength(1);
  });

  it('asks for the current token each time (it changes while signed in)', async () => {
    const { loader, client, calls } = await setup();
    await loader.load(TILE, 'foreground');
    client.setToken('tok-2');
    await loader.load({ ...TILE, col: 4 }, 'foreground');
    expect(calls.map((c) => c.init.headers)).toEqual([{ authorization: 'Bearer tok-1' }, { authorization: 'Bearer tok-2' }]);
  });

  it('loads thumbnails from the thumbnail URL under their own key', async () => {
    const { loader, cache, calls } = await setup();
    await loader.load({ image: IMAGE, thumbnail: true }, 'background');
    expect(calls[0]!.url).toBe(`http://svc/api/v1/images/${IMAGE.id}/thumbnail.jpg`);
    expect(await cache.has(`${IMAGE.id}/thumb`)).toBe(true);
  });

  it('offline: makes no request at all and fails with the typed offline error', async () => {
    const { loader, calls } = await setup({ isOnline: () => false });
    const failure = loader.load(TILE, 'foreground');
    await expect(failure).rejects.toBeInstanceOf(TileLoadError);
    await expect(failure).rejects.toMatchObject({ reason: 'offline' });
    await expect(loader.ensureCached(TILE, 'background')).rejects.toMatchObject({ reason: 'offline' });
    expect(calls).toHaveLength(0);
  });

  it('offline by default when navigator.onLine is false, and still serves what is cached', async () => {
    const { loader, calls } = await setup({ isOnline: undefined });
    await loader.load(TILE, 'background');
    vi.stubGlobal('navigator', { onLine: false });
    expect(await text(await loader.load(TILE, 'foreground'))).toBe(`pixels of ${TILE_URL}`);
    await expect(loader.load({ ...TILE, row: 5 }, 'foreground')).rejects.toMatchObject({ reason: 'offline' });
    expect(calls).toHaveLength(1);
  });

  it('maps 401 to the typed unauthorized error and tells the app; no token is the same', async () => {
    const onUnauthorized = vi.fn();
    const net = fakeFetch({ [TILE_URL]: () => new Response('{}', { status: 401 }) });
    const { loader } = await setup({ fetch: net.fetch, onUnauthorized });
    await expect(loader.load(TILE, 'foreground')).rejects.toMatchObject({ reason: 'unauthorized', status: 401 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);

    const none = await setup({ client: () => null, onUnauthorized });
    await expect(none.loader.load(TILE, 'foreground')).rejects.toMatchObject({ reason: 'unauthorized' });
    expect(none.calls).toHaveLength(0);
    expect(onUnauthorized).toHaveBeenCalledTimes(2);
  });

  it('types a 404, another status and a network failure, and caches none of them', async () => {
    const net = fakeFetch({
      [TILE_URL]: () => new Response('', { status: 404 }),
      [TILE_URL.replace('3_4', '4_4')]: () => new Response('', { status: 503 }),
      [TILE_URL.replace('3_4', '5_4')]: () => Promise.reject(new TypeError('Failed to fetch')),
      [TILE_URL.replace('3_4', '6_4')]: () => new Response(new Uint8Array(0), { status: 200 }),
    });
    const { loader, cache } = await setup({ fetch: net.fetch });
    await expect(loader.load(TILE, 'foreground')).rejects.toMatchObject({ reason: 'not-found', status: 404 });
    await expect(loader.load({ ...TILE, col: 4 }, 'foreground')).rejects.toMatchObject({ reason: 'http', status: 503 });
    await expect(loader.load({ ...TILE, col: 5 }, 'foreground')).rejects.toMatchObject({ reason: 'network' });
    await expect(loader.load({ ...TILE, col: 6 }, 'foreground')).rejects.toMatchObject({ reason: 'http' });
    expect((await cache.usage()).tiles).toBe(0);
    expect(loader.stats()).toMatchObject({ misses: 4, fetches: 0, failures: 4 });
  });

  it('shares one request between simultaneous loads of the same tile', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const net = fakeFetch({
      [TILE_URL]: async () => {
        await gate;
        return new Response('shared', { status: 200 });
      },
    });
    const { loader } = await setup({ fetch: net.fetch, scheduler: new FetchScheduler() });
    const a = loader.load(TILE, 'background');
    const b = loader.load(TILE, 'foreground');
    await vi.waitFor(() => expect(net.calls).toHaveLength(1));
    release();
    expect(await text(await a)).toBe('shared');
    expect(await text(await b)).toBe('shared');
    expect(net.calls).toHaveLength(1);
  });

  it('ensureCached reports bytes fetched, 0 when already cached; missing lists what is not', async () => {
    const { loader, calls } = await setup();
    const other = { ...TILE, row: 9 };
    expect(await loader.missing([TILE, other])).toEqual([TILE, other]);
    const fetched = await loader.ensureCached(TILE, 'background');
    expect(fetched).toBe(`pixels of ${TILE_URL}`.length);
    expect(await loader.ensureCached(TILE, 'background')).toBe(0);
    expect(await loader.missing([TILE, other])).toEqual([other]);
    expect(calls).toHaveLength(1);
  });

  it('gives up waiting when aborted', async () => {
    const net = fakeFetch({
      [TILE_URL]: () => new Promise<Response>(() => undefined),
    });
    const { loader } = await setup({ fetch: net.fetch });
    const abort = new AbortController();
    const pending = loader.load(TILE, 'foreground', abort.signal);
    await vi.waitFor(() => expect(net.calls).toHaveLength(1));
    abort.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(net.calls[0]!.init.signal?.aborted).toBe(true);
  });
});
