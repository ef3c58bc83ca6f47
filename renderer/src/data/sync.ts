import type { ServiceClient } from '../../../shared/client/service-client';
import { describeError, isUnauthorized } from '../format/errors';
import type { LocalStore } from './local-store';

export type PullResult = 'ok' | 'unauthorized' | 'error' | 'stopped';

export interface SyncStatus {
  /** True once one pull has reached the end of the feed. */
  readonly ready: boolean;
  readonly syncing: boolean;
  readonly lastSyncedAt: Date | null;
  /** Why the last pull failed; null when it succeeded. */
  readonly error: string | null;
}

export const PULL_INTERVAL_MS = 15_000;

/**
 * Follows the change feed into the local store: pulls on demand (sign-in, after a mutation)
 * and every 15 s while the page is visible. Pulls never overlap; a pull asked for while one
 * runs happens once after it, so a caller always sees changes made before it asked.
 */
export class Sync {
  private status: SyncStatus = { ready: false, syncing: false, lastSyncedAt: null, error: null };
  private readonly listeners = new Set<() => void>();
  private current: Promise<PullResult> | null = null;
  private queued: Promise<PullResult> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;

  constructor(
    private readonly client: ServiceClient,
    private readonly store: LocalStore,
    private readonly onUnauthorized: () => void,
  ) {}

  pull(): Promise<PullResult> {
    if (this.stopped) return Promise.resolve('stopped');
    if (!this.current) {
      this.current = this.run().finally(() => {
        this.current = null;
      });
      return this.current;
    }
    this.queued ??= this.current.then(() => {
      this.queued = null;
      return this.pull();
    });
    return this.queued;
  }

  start(intervalMs = PULL_INTERVAL_MS): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => {
      if (typeof document === 'undefined' || !document.hidden) void this.pull();
    }, intervalMs);
    if (typeof document !== 'undefined') document.addEventListener('visibilitychange', this.onVisible);
    if (typeof window !== 'undefined') window.addEventListener('online', this.onVisible);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.onVisible);
    if (typeof window !== 'undefined') window.removeEventListener('online', this.onVisible);
  }

  getStatus = (): SyncStatus => this.status;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private onVisible = () => {
    if (typeof document === 'undefined' || !document.hidden) void this.pull();
  };

  private setStatus(patch: Partial<SyncStatus>): void {
    this.status = { ...this.status, ...patch };
    for (const l of [...this.listeners]) l();
  }

  private async run(): Promise<PullResult> {
    this.setStatus({ syncing: true });
    try {
      for (;;) {
        const page = await this.client.changes(this.store.cursor());
        if (this.stopped) return 'stopped';
        this.store.applyChanges(page);
        if (!page.hasMore) break;
      }
      this.setStatus({ ready: true, syncing: false, lastSyncedAt: new Date(), error: null });
      return 'ok';
    } catch (error) {
      if (this.stopped) return 'stopped';
      if (isUnauthorized(error)) {
        this.setStatus({ syncing: false, error: describeError(error) });
        this.stop();
        this.onUnauthorized();
        return 'unauthorized';
      }
      this.setStatus({ syncing: false, error: describeError(error) });
      return 'error';
    }
  }
}
