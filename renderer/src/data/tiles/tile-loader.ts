import type { ServiceClient } from '../../../../shared/client/service-client';
import type { ImageRecord } from '../../../../shared/contract';
import type { TileCache } from './tile-cache';
import { thumbnailKey, tileKey } from './tile-db';
import { abortError, FetchScheduler, isAbortError, type FetchPriority } from './fetch-scheduler';

/** What the loader needs of an image record (a whole ImageRecord will do). */
export type TileImage = Pick<ImageRecord, 'id' | 'referralId' | 'width' | 'height' | 'tileSize' | 'overlap' | 'format'>;

/** One tile of an image's Deep Zoom pyramid. */
export interface TileCoords {
  readonly image: TileImage;
  readonly level: number;
  readonly col: number;
  readonly row: number;
}

/** The image's thumbnail (the service answers 404 when it has none). */
export interface ThumbnailRequest {
  readonly image: TileImage;
  readonly thumbnail: true;
}

export type TileRequest = TileCoords | ThumbnailRequest;

export function isThumbnailRequest(request: TileRequest): request is ThumbnailRequest {
  return 'thumbnail' in request;
}

export function requestKey(request: TileRequest): string {
  return isThumbnailRequest(request)
    ? thumbnailKey(request.image.id)
    : tileKey(request.image.id, request.level, request.col, request.row);
}

/**
 * Why a tile could not be had. `offline`: the workstation is offline and the tile is not
 * cached (no request was made); `network`: the request failed on the way; `unauthorized`: the
 * session has ended, the caller asks the clinician to sign in again; `not-found` and `http`:
 * the service answered with that status.
 */
export type TileErrorReason = 'offline' | 'network' | 'unauthorized' | 'not-found' | 'http';

export class TileLoadError extends Error {
  constructor(
    readonly reason: TileErrorReason,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'TileLoadError';
  }
}

export function isTileLoadError(error: unknown, reason?: TileErrorReason): error is TileLoadError {
  return error instanceof TileLoadError && (reason === undefined || error.reason === reason);
}

export interface TileFetchInit {
  readonly method: 'GET';
  readonly headers: Record<string, string>;
  readonly signal: AbortSignal;
  readonly cache: 'no-store';
}

/** The slice of `fetch` the loader uses; injected by tests that count requests. */
export type TileFetch = (url: string, init: TileFetchInit) => Promise<Response>;

/** What the loader needs of the cache. */
export type TileStore = Pick<TileCache, 'get' | 'has' | 'put' | 'presentKeys'>;

export interface TileLoaderStats {
  /** Requests answered from the cache. */
  readonly hits: number;
  /** Requests that needed the network (whether or not they then succeeded). */
  readonly misses: number;
  /** Network fetches that returned a tile (shared requests count once). */
  readonly fetches: number;
  readonly bytesFetched: number;
  readonly failures: number;
}

export interface TileLoaderOptions {
  readonly cache: TileStore;
  /**
   * Asked at each request, because the token (and so the header) changes while signed in;
   * null while there is no token (after an offline unlock), which fails as `unauthorized`.
   */
  readonly client: () => ServiceClient | null;
  /**
   * Told when the service refuses the token (or there is none), so the app can ask the
   * clinician to sign in again. Called once per refused request: keep it cheap and idempotent.
   */
  readonly onUnauthorized?: () => void;
  readonly scheduler?: FetchScheduler;
  readonly fetch?: TileFetch;
  /** Default: not when `navigator.onLine` is false. */
  readonly isOnline?: () => boolean;
}

interface Fetched {
  readonly bytes: ArrayBuffer;
  readonly contentType: string;
  /** Settles when the tile is in the cache; rejects if storing it failed. */
  readonly stored: Promise<void>;
}

const MIME: Record<ImageRecord['format'], string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

function blobOf(fetched: Fetched): Blob {
  return new Blob([fetched.bytes], { type: fetched.contentType });
}

function defaultIsOnline(): boolean {
  // Through globalThis, so this module also runs (and type-checks) where there is no navigator.
  return (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine !== false;
}

/**
 * The one way to get image pixels: the viewer, the thumbnails and the prefetcher all come
 * here. The encrypted cache first; the network second, through the scheduler (so the viewer's
 * tiles go before prefetch and one tile is never fetched twice at once), storing what it got.
 * Offline it never touches the network: a tile that is not cached fails at once.
 */
export class TileLoader {
  private readonly cache: TileStore;
  private readonly client: () => ServiceClient | null;
  private readonly onUnauthorized: () => void;
  private readonly scheduler: FetchScheduler;
  private readonly fetchFn: TileFetch;
  private readonly isOnline: () => boolean;
  private counters = { hits: 0, misses: 0, fetches: 0, bytesFetched: 0, failures: 0 };
  /**
   * Tiles fetched but not yet stored: asked for again meanwhile (the navigator draws the same
   * coarse tiles as the main view), they are answered from here rather than fetched twice.
   */
  private readonly storing = new Map<string, Fetched>();

  constructor(options: TileLoaderOptions) {
    this.cache = options.cache;
    this.client = options.client;
    this.onUnauthorized = options.onUnauthorized ?? (() => undefined);
    this.scheduler = options.scheduler ?? new FetchScheduler();
    this.fetchFn = options.fetch ?? ((url, init) => fetch(url, init));
    this.isOnline = options.isOnline ?? defaultIsOnline;
  }

  /**
   * The tile's image bytes. A foreground caller gets them as soon as they arrive (storing
   * continues behind); a background caller only once they are stored, so "done" means cached.
   */
  async load(request: TileRequest, priority: FetchPriority, signal?: AbortSignal): Promise<Blob> {
    if (signal?.aborted) throw abortError();
    const key = requestKey(request);
    const storing = this.storing.get(key);
    if (storing) {
      this.counters.hits += 1;
      if (priority === 'background') await storing.stored;
      return blobOf(storing);
    }
    // A cache that cannot be read is no reason not to show the tile: fetch it instead.
    const cached = await this.cache.get(key).catch(() => null);
    if (signal?.aborted) throw abortError();
    if (cached) {
      this.counters.hits += 1;
      return cached;
    }
    const fetched = await this.fetch(request, key, priority, signal);
    if (priority === 'background') await fetched.stored;
    return blobOf(fetched);
  }

  /**
   * Makes sure the tile is cached without decrypting it if it already is (prefetch). Resolves
   * to the bytes fetched: 0 when it was cached.
   */
  async ensureCached(request: TileRequest, priority: FetchPriority, signal?: AbortSignal): Promise<number> {
    if (signal?.aborted) throw abortError();
    const key = requestKey(request);
    const storing = this.storing.get(key);
    if (storing || (await this.cache.has(key))) {
      this.counters.hits += 1;
      await storing?.stored;
      return 0;
    }
    const fetched = await this.fetch(request, key, priority, signal);
    await fetched.stored;
    return fetched.bytes.byteLength;
  }

  /** Those of `requests` that are not cached, in their order (one keys-only query). */
  async missing<R extends TileRequest>(requests: readonly R[]): Promise<R[]> {
    const present = await this.cache.presentKeys(requests.map(requestKey));
    return requests.filter((r) => !present.has(requestKey(r)));
  }

  stats(): TileLoaderStats {
    return { ...this.counters };
  }

  resetStats(): void {
    this.counters = { hits: 0, misses: 0, fetches: 0, bytesFetched: 0, failures: 0 };
  }

  private async fetch(request: TileRequest, key: string, priority: FetchPriority, signal?: AbortSignal): Promise<Fetched> {
    this.counters.misses += 1;
    try {
      this.assertOnline();
      return await this.scheduler.schedule(key, priority, (taskSignal) => this.download(request, key, taskSignal), signal);
    } catch (error) {
      if (!isAbortError(error)) this.counters.failures += 1;
      if (isTileLoadError(error, 'unauthorized')) this.onUnauthorized();
      throw error;
    }
  }

  /** The network part, run by the scheduler once per key however many callers share it. */
  private async download(request: TileRequest, key: string, signal: AbortSignal): Promise<Fetched> {
    // A queued fetch may start after the connection has gone.
    this.assertOnline();
    const client = this.client();
    if (!client) throw new TileLoadError('unauthorized', 'Not signed in to the referral service; sign in again.');
    const url = isThumbnailRequest(request)
      ? client.thumbnailUrl(request.image.id)
      : client.tileUrl(request.image.id, request.level, request.col, request.row, request.image.format);
    let bytes: ArrayBuffer;
    let contentType: string;
    try {
      // no-store: the browser's HTTP cache would otherwise keep a plaintext copy on disk, next
      // to the encrypted one (the service marks tiles immutable for a year).
      const res = await this.fetchFn(url, { method: 'GET', headers: client.authHeader, signal, cache: 'no-store' });
      if (res.status === 401) throw new TileLoadError('unauthorized', 'The session has ended; sign in again.', 401);
      if (res.status === 404) throw new TileLoadError('not-found', `No such tile (${key}).`, 404);
      if (!res.ok) throw new TileLoadError('http', `The service answered ${res.status} for ${key}.`, res.status);
      bytes = await res.arrayBuffer();
      contentType = res.headers.get('content-type') ?? MIME[request.image.format];
    } catch (error) {
      if (error instanceof TileLoadError) throw error;
      if (signal.aborted || isAbortError(error)) throw abortError();
      throw new TileLoadError('network', `Cannot reach the referral service for ${key}.`);
    }
    // An empty body would draw nothing and then be served from the cache for ever.
    if (bytes.byteLength === 0) throw new TileLoadError('http', `Empty response for ${key}.`, 200);
    this.counters.fetches += 1;
    this.counters.bytesFetched += bytes.byteLength;
    const stored = this.cache.put(key, { imageId: request.image.id, referralId: request.image.referralId, contentType }, bytes);
    const fetched: Fetched = { bytes, contentType, stored };
    this.storing.set(key, fetched);
    // Foreground callers do not wait for storing; a failure to store must not surface as unhandled.
    stored
      .catch(() => undefined)
      .finally(() => {
        if (this.storing.get(key) === fetched) this.storing.delete(key);
      });
    return fetched;
  }

  private assertOnline(): void {
    if (!this.isOnline()) throw new TileLoadError('offline', 'The workstation is offline and this part of the image is not saved on it.');
  }
}
