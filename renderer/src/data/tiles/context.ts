import { createContext, useContext, useSyncExternalStore } from 'react';
import type { TileCache } from './tile-cache';
import type { TileLoader } from './tile-loader';
import type { Prefetcher, PrefetchProgress } from './prefetcher';

/** The signed-in user's tile cache, loader and prefetcher (see `createTileServices`). */
export interface TileServices {
  readonly cache: TileCache;
  readonly loader: TileLoader;
  readonly prefetcher: Prefetcher;
  /** Stops prefetching, writes pending use times and closes the database (at sign-out). */
  close(): Promise<void>;
}

/** Provided by the app shell for the length of a session. */
export const TileServicesContext = createContext<TileServices | null>(null);

export function useTileServices(): TileServices {
  const services = useContext(TileServicesContext);
  if (!services) throw new Error('useTileServices outside a TileServicesContext provider');
  return services;
}

export function useTileLoader(): TileLoader {
  return useTileServices().loader;
}

export function usePrefetchProgress(): PrefetchProgress {
  const { prefetcher } = useTileServices();
  return useSyncExternalStore(prefetcher.subscribe, prefetcher.getSnapshot);
}
