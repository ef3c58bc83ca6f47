import type { ServiceClient } from '../../../../shared/client/service-client';
import type { WorkstationSettings } from '../../../../shared/workstation-settings';
import type { TileServices } from './context';
import { FetchScheduler } from './fetch-scheduler';
import { Prefetcher } from './prefetcher';
import { TileCache } from './tile-cache';
import { openTileDb } from './tile-db';
import { TileLoader, type TileFetch } from './tile-loader';

export interface TileServicesOptions {
  readonly userId: string;
  /** The user's data key (unwrapped at sign-in); tiles are sealed with it. */
  readonly dataKey: CryptoKey;
  /** Asked at each request: the token changes while signed in (null: no token yet). */
  readonly client: () => ServiceClient | null;
  /** The service refused the token on a tile request: ask the clinician to sign in again. */
  readonly onUnauthorized?: () => void;
  readonly settings: Pick<WorkstationSettings, 'tileBudgetBytes'>;
  /** The clinician's current worklist: tiles of these referrals are never evicted. */
  readonly protectedReferralIds: () => Iterable<string>;
  /** For tests and benchmarks; default the page's fetch and `navigator.onLine`. */
  readonly fetch?: TileFetch;
  readonly isOnline?: () => boolean;
}

/**
 * The tile services of one signed-in user: their encrypted tile database, the one loader the
 * viewer, thumbnails and prefetch share, and the prefetcher. Opening is lazy (the database is
 * first touched by the first request), so this is safe to call during sign-in. A change of the
 * budget setting while signed in goes to `cache.setBudgetBytes`.
 */
export function createTileServices(options: TileServicesOptions): TileServices {
  const db = openTileDb(options.userId);
  const cache = new TileCache(db, options.dataKey, {
    budgetBytes: options.settings.tileBudgetBytes,
    protectedReferralIds: options.protectedReferralIds,
  });
  const loader = new TileLoader({
    cache,
    client: options.client,
    ...(options.onUnauthorized ? { onUnauthorized: options.onUnauthorized } : {}),
    scheduler: new FetchScheduler(),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.isOnline ? { isOnline: options.isOnline } : {}),
  });
  const prefetcher = new Prefetcher({ loader, cache });
  return {
    cache,
    loader,
    prefetcher,
    async close() {
      prefetcher.dispose();
      await cache.close();
    },
  };
}

export { TileServicesContext, useTileServices, useTileLoader, usePrefetchProgress, type TileServices } from './context';
export { TileCache, type TileMeta, type TileUsage, type EvictionResult } from './tile-cache';
export {
  TileLoader,
  TileLoadError,
  isTileLoadError,
  type TileImage,
  type TileRequest,
  type TileCoords,
  type ThumbnailRequest,
  type TileErrorReason,
  type TileLoaderStats,
} from './tile-loader';
export { Prefetcher, IDLE_PREFETCH, type PrefetchProgress, type PrefetchReferral } from './prefetcher';
export { FetchScheduler, type FetchPriority } from './fetch-scheduler';
export { prefetchPlan, type PrefetchPlan } from './prefetch-plan';
export { deleteTileDb, tileDbName } from './tile-db';
