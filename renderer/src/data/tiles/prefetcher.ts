import type { ImageRecord } from '../../../../shared/contract';
import type { TileCache } from './tile-cache';
import { isAbortError } from './fetch-scheduler';
import { planTiles, prefetchPlan, type ScreenSize } from './prefetch-plan';
import { isTileLoadError, type TileLoader, type TileRequest } from './tile-loader';
import { PREFETCH_SCREEN } from '../../../../shared/workstation-settings';

/** A referral to make available offline, with its images. */
export interface PrefetchReferral {
  readonly referralId: string;
  readonly images: readonly ImageRecord[];
}

export interface PrefetchProgress {
  readonly referralsDone: number;
  readonly referralsTotal: number;
  /** Thumbnails and tiles now cached (including those that already were). */
  readonly tilesDone: number;
  readonly tilesTotal: number;
  readonly bytesFetched: number;
  readonly running: boolean;
  /** The latest failure, in words; a run that stopped on it is resumed when back online. */
  readonly lastError: string | null;
}

export const IDLE_PREFETCH: PrefetchProgress = {
  referralsDone: 0,
  referralsTotal: 0,
  tilesDone: 0,
  tilesTotal: 0,
  bytesFetched: 0,
  running: false,
  lastError: null,
};

export type PrefetchLoader = Pick<TileLoader, 'ensureCached' | 'missing'>;

export interface PrefetcherOptions {
  readonly loader: PrefetchLoader;
  /** Evicted to its budget after each run. */
  readonly cache: Pick<TileCache, 'evict'>;
  /** Items in flight at once (the scheduler also caps background fetches overall). */
  readonly concurrency?: number;
  readonly screen?: ScreenSize;
  /** Where `online` is announced (default `window`); null for none. */
  readonly onlineEvents?: OnlineEvents | null;
}

export type OnlineEvents = Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;

/** The page's global (window) where there is one; through globalThis so this also runs in tests. */
function pageEvents(): OnlineEvents | null {
  const g = globalThis as Partial<OnlineEvents>;
  return typeof g.addEventListener === 'function' && typeof g.removeEventListener === 'function' ? (globalThis as unknown as OnlineEvents) : null;
}

interface Job {
  readonly request: TileRequest;
  readonly referral: number;
}

interface Run {
  readonly controller: AbortController;
  readonly referrals: readonly PrefetchReferral[];
}

/** Failures after which the rest of the run cannot succeed either. */
function stopsTheRun(error: unknown): boolean {
  return (
    isTileLoadError(error, 'offline') ||
    isTileLoadError(error, 'network') ||
    isTileLoadError(error, 'unauthorized') ||
    !isTileLoadError(error)
  );
}

function describe(error: unknown): string {
  return error instanceof Error && error.message ? error.message : 'Prefetch failed.';
}

/**
 * Makes the clinician's next referrals viewable offline: each image's thumbnail and the
 * pyramid levels of its prefetch plan, through the one tile loader at background priority
 * (so the viewer always goes first), skipping what is already cached. A new run replaces the
 * one in progress; a run stopped by losing the connection starts again when it comes back,
 * and since cached tiles are skipped it carries on where it stopped. Progress is observable
 * with `subscribe`/`getSnapshot` (the shape `useSyncExternalStore` takes).
 */
export class Prefetcher {
  private readonly loader: PrefetchLoader;
  private readonly cache: Pick<TileCache, 'evict'>;
  private readonly concurrency: number;
  private readonly screen: ScreenSize;
  private readonly onlineEvents: PrefetcherOptions['onlineEvents'];
  private readonly listeners = new Set<() => void>();
  private progress: PrefetchProgress = IDLE_PREFETCH;
  private current: Run | null = null;
  /** A run that stopped on a failure, to start again (by `resume`, or on `online`). */
  private interrupted: { readonly referrals: readonly PrefetchReferral[]; readonly byConnection: boolean } | null = null;

  constructor(options: PrefetcherOptions) {
    this.loader = options.loader;
    this.cache = options.cache;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.screen = options.screen ?? PREFETCH_SCREEN;
    this.onlineEvents = options.onlineEvents === undefined ? pageEvents() : options.onlineEvents;
    this.onlineEvents?.addEventListener('online', this.onOnline);
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): PrefetchProgress => this.progress;

  /** Prefetches `referrals` in order, replacing any run in progress. Resolves when this run ends. */
  run(referrals: readonly PrefetchReferral[]): Promise<void> {
    this.current?.controller.abort();
    this.interrupted = null;
    const run: Run = { controller: new AbortController(), referrals };
    this.current = run;
    return this.execute(run);
  }

  /**
   * Starts again a run that stopped on a failure (lost connection, refused token), if any; the
   * app calls this after a fresh sign-in. Losing the connection resumes by itself on `online`.
   */
  resume(): Promise<void> | null {
    return this.interrupted ? this.run(this.interrupted.referrals) : null;
  }

  cancel(): void {
    this.interrupted = null;
    if (!this.current) return;
    this.current.controller.abort();
    this.current = null;
    this.update({ running: false });
  }

  dispose(): void {
    this.cancel();
    this.onlineEvents?.removeEventListener('online', this.onOnline);
    this.listeners.clear();
  }

  private readonly onOnline = (): void => {
    if (this.interrupted?.byConnection) void this.resume();
  };

  private async execute(run: Run): Promise<void> {
    const { signal } = run.controller;
    const plans = run.referrals.map((r) => r.images.map((image) => prefetchPlan(image, this.screen)));
    // Per referral, the items not yet accounted for; a referral is done at zero.
    const remaining = plans.map((images) => images.reduce((n, plan) => n + plan.tileCount + 1, 0));
    this.set({
      ...IDLE_PREFETCH,
      referralsTotal: run.referrals.length,
      referralsDone: remaining.filter((n) => n === 0).length,
      tilesTotal: remaining.reduce((a, b) => a + b, 0),
      running: true,
    });
    const isCurrent = () => this.current === run;
    const settle = (referral: number, items: number, counted: Partial<PrefetchProgress> = {}) => {
      if (!isCurrent() || items === 0) return;
      remaining[referral]! -= items;
      const p = this.progress;
      this.update({
        tilesDone: p.tilesDone + (counted.tilesDone ?? 0),
        bytesFetched: p.bytesFetched + (counted.bytesFetched ?? 0),
        referralsDone: p.referralsDone + (remaining[referral] === 0 ? 1 : 0),
        ...(counted.lastError ? { lastError: counted.lastError } : {}),
      });
    };

    let stoppedBy: unknown = null;
    const loader = this.loader;
    // Requests are made image by image as the workers get to them, each image checked against
    // the cache in one query, so a long list costs nothing until it is reached.
    async function* jobs(): AsyncGenerator<Job> {
      for (const [referral, { images }] of run.referrals.entries()) {
        for (const [i, image] of images.entries()) {
          if (signal.aborted) return;
          const all: TileRequest[] = [{ image, thumbnail: true }];
          for (const p of planTiles(plans[referral]![i]!)) all.push({ image, ...p });
          const missing = await loader.missing(all);
          settle(referral, all.length - missing.length, { tilesDone: all.length - missing.length });
          for (const request of missing) yield { request, referral };
        }
      }
    }
    const queue = jobs();

    const worker = async (): Promise<void> => {
      while (!signal.aborted) {
        let next: IteratorResult<Job>;
        try {
          next = await queue.next();
        } catch (error) {
          stoppedBy ??= error;
          run.controller.abort();
          return;
        }
        if (next.done) return;
        const { request, referral } = next.value;
        try {
          const bytes = await this.loader.ensureCached(request, 'background', signal);
          settle(referral, 1, { tilesDone: 1, bytesFetched: bytes });
        } catch (error) {
          if (signal.aborted && isAbortError(error)) return;
          if ('thumbnail' in request && isTileLoadError(error, 'not-found')) {
            // No thumbnail on the service: the viewer falls back to the single-tile level, which
            // the plan includes, so there is nothing missing.
            settle(referral, 1, { tilesDone: 1 });
          } else if (stopsTheRun(error)) {
            stoppedBy ??= error;
            run.controller.abort();
            return;
          } else {
            // One missing or broken tile: note it and carry on with the rest.
            settle(referral, 1, { lastError: describe(error) });
          }
        }
      }
    };

    await Promise.all(Array.from({ length: this.concurrency }, worker));
    await queue.return(undefined);
    if (!isCurrent()) return;
    this.current = null;
    if (stoppedBy !== null) {
      const byConnection = isTileLoadError(stoppedBy, 'offline') || isTileLoadError(stoppedBy, 'network');
      this.interrupted = { referrals: run.referrals, byConnection };
      this.update({ running: false, lastError: describe(stoppedBy) });
    } else {
      this.update({ running: false });
    }
    try {
      await this.cache.evict();
    } catch (error) {
      this.update({ lastError: describe(error) });
    }
  }

  private set(progress: PrefetchProgress): void {
    this.progress = progress;
    for (const listener of this.listeners) listener();
  }

  private update(patch: Partial<PrefetchProgress>): void {
    this.set({ ...this.progress, ...patch });
  }
}
