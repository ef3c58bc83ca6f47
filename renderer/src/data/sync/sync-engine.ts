import { liveQuery, type Subscription } from 'dexie';
import type { RecordDb } from '../db/record-db';
import { ServiceError } from '../../../../shared/client/service-client';
import { applyPage, CURSOR_KEY, readCursor } from '../store/apply-page';
import type { EntityCodec } from '../store/entity-codec';
import type { OutboxStore } from '../store/outbox-store';
import { backoffDelay, PULL_BACKOFF, PUSH_BACKOFF } from './backoff';
import { classifyFailure } from './classify';
import { electLeader, type Leadership } from './leader';
import type { SessionAuth } from './session-auth';

export type NetworkState = 'online' | 'offline' | 'unreachable';

export interface SyncStatus {
  readonly network: NetworkState;
  /** The service refused the token and no fresh one could be had: ask the clinician. */
  readonly needsSignIn: boolean;
  /** True once one pull has reached the end of the feed in this session (or an earlier one). */
  readonly ready: boolean;
  readonly pulling: boolean;
  readonly pushing: boolean;
  /** This window is the one sending the outbox. */
  readonly leader: boolean;
  /** The last time a pull reached the end of the feed (ms since epoch), kept across restarts. */
  readonly lastSyncAt: number | null;
  readonly lastError: string | null;
}

export interface SyncOptions {
  readonly db: RecordDb;
  readonly codec: EntityCodec;
  readonly outbox: OutboxStore;
  readonly auth: SessionAuth;
  readonly userId: string;
  readonly pullIntervalMs?: number;
  readonly batchSize?: number;
  readonly isOnline?: () => boolean;
  readonly random?: () => number;
  /** After each pull that reached the end of the feed (prefetch hooks in here). */
  readonly onPulled?: () => void;
}

const LAST_SYNC_KEY = 'lastSyncAt';

/**
 * The page's globals, looked up rather than assumed: the engine also runs outside a page
 * (Node, a worker), where there is no window or document to listen to.
 */
interface PageGlobals {
  readonly window?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
  readonly document?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> & { readonly hidden?: boolean };
  readonly navigator?: { readonly onLine?: boolean };
}
const page = globalThis as unknown as PageGlobals;
export const PULL_INTERVAL_MS = 15_000;
// Small batches: on a poor link a short request is likelier to get through, and a lost answer
// costs fewer duplicates to re-send.
export const PUSH_BATCH = 10;

/**
 * The background sync of one signed-in user: pulls the change feed into the local database and
 * pushes the outbox to the service. Neither ever blocks the screen; both back off (with jitter)
 * while the service is unreachable, resume from what is stored after a restart, and stop
 * asking the network while the browser says it is offline.
 */
export class SyncEngine {
  private status: SyncStatus = {
    network: 'online',
    needsSignIn: false,
    ready: false,
    pulling: false,
    pushing: false,
    leader: false,
    lastSyncAt: null,
    lastError: null,
  };
  private readonly listeners = new Set<() => void>();
  private readonly timers: { pull: ReturnType<typeof setTimeout> | null; push: ReturnType<typeof setTimeout> | null } = { pull: null, push: null };
  private pullAttempt = 0;
  private pushAttempt = 0;
  /** The pull or push running now, and whether another was asked for meanwhile. */
  private readonly running: Record<'pull' | 'push', Promise<void> | null> = { pull: null, push: null };
  private readonly again: Record<'pull' | 'push', boolean> = { pull: false, push: false };
  private batchSize: number;
  /** One restart from the beginning of the feed per session, after the cursor was refused. */
  private cursorReset = false;
  private stopped = false;
  private leadership: Leadership | null = null;
  private outboxWatch: Subscription | null = null;
  private readonly cleanups: (() => void)[] = [];

  constructor(private readonly opts: SyncOptions) {
    this.batchSize = opts.batchSize ?? PUSH_BATCH;
    if (!this.online()) this.status = { ...this.status, network: 'offline' };
  }

  getStatus = (): SyncStatus => this.status;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  async start(): Promise<void> {
    const last = await this.opts.db.meta.get(LAST_SYNC_KEY);
    // Stopped while reading (signed out at once): take no lock and start no watch that
    // nothing would ever release.
    if (this.stopped) return;
    if (typeof last?.value === 'number') this.set({ lastSyncAt: last.value, ready: true });
    this.leadership = electLeader(`loupe-outbox-${this.opts.userId}`, () => {
      if (this.stopped) return;
      this.set({ leader: true });
      this.kickPush();
    });
    // Another window of this user may add to the outbox; the leader hears of it through Dexie.
    this.outboxWatch = liveQuery(() => this.opts.db.outbox.where('state').equals('pending').count()).subscribe({
      next: (pending) => {
        if (pending > 0) this.kickPush();
      },
      error: () => undefined,
    });
    this.cleanups.push(this.opts.auth.onToken(() => {
      this.set({ needsSignIn: false });
      this.kickPull();
      this.kickPush();
    }));
    const { window: win, document: doc } = page;
    if (win) {
      const online = () => {
        this.pullAttempt = 0;
        this.pushAttempt = 0;
        this.set({ network: 'online' });
        this.kickPull();
        this.kickPush();
      };
      const offline = () => this.set({ network: 'offline' });
      const visible = () => {
        if (!doc?.hidden) this.kickPull();
      };
      win.addEventListener('online', online);
      win.addEventListener('offline', offline);
      doc?.addEventListener('visibilitychange', visible);
      this.cleanups.push(() => {
        win.removeEventListener('online', online);
        win.removeEventListener('offline', offline);
        doc?.removeEventListener('visibilitychange', visible);
      });
    }
    this.kickPull();
  }

  stop(): void {
    this.stopped = true;
    for (const key of ['pull', 'push'] as const) {
      const t = this.timers[key];
      if (t) clearTimeout(t);
      this.timers[key] = null;
    }
    this.outboxWatch?.unsubscribe();
    this.leadership?.release();
    for (const c of this.cleanups.splice(0)) c();
    this.set({ leader: false });
  }

  /** Pull now (coalesced with one already running); resolves when the feed has been read. */
  kickPull(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return this.coalesce('pull', () => this.pullOnce());
  }

  /** Push now, if this window is the leader (coalesced like a pull). */
  kickPush(): Promise<void> {
    if (this.stopped || !this.leadership?.isLeader()) return Promise.resolve();
    return this.coalesce('push', () => this.pushOnce());
  }

  /**
   * Runs never overlap: a kick while one runs returns it and asks for one more run after it,
   * so a caller always gets a run that started after it asked.
   */
  private coalesce(kind: 'pull' | 'push', once: () => Promise<void>): Promise<void> {
    const current = this.running[kind];
    if (current) {
      this.again[kind] = true;
      return current;
    }
    this.clearTimer(kind);
    const run = once().finally(() => {
      this.running[kind] = null;
      if (this.again[kind] && !this.stopped) {
        this.again[kind] = false;
        void (kind === 'pull' ? this.kickPull() : this.kickPush());
      }
    });
    this.running[kind] = run;
    return run;
  }

  /** Resolves once the outbox holds nothing pending or a push attempt failed (for tests). */
  async flush(): Promise<void> {
    await this.kickPush();
    await this.kickPull();
  }

  private online(): boolean {
    return this.opts.isOnline ? this.opts.isOnline() : page.navigator?.onLine !== false;
  }

  private set(patch: Partial<SyncStatus>): void {
    const next = { ...this.status, ...patch };
    if (Object.keys(patch).every((k) => next[k as keyof SyncStatus] === this.status[k as keyof SyncStatus])) return;
    this.status = next;
    for (const l of [...this.listeners]) l();
  }

  private clearTimer(kind: 'pull' | 'push'): void {
    const t = this.timers[kind];
    if (t) clearTimeout(t);
    this.timers[kind] = null;
  }

  private schedule(kind: 'pull' | 'push', delay: number): void {
    if (this.stopped) return;
    this.clearTimer(kind);
    this.timers[kind] = setTimeout(() => {
      this.timers[kind] = null;
      void (kind === 'pull' ? this.kickPull() : this.kickPush());
    }, delay);
  }

  /**
   * A token is needed and none works: try the held password once, else ask the clinician.
   * `refused` is the token a refused request carried (none when there was no token to send).
   */
  private async needToken(refused: string | null = null): Promise<boolean> {
    if (await this.opts.auth.refresh(refused)) return true;
    this.set({ needsSignIn: true });
    return false;
  }

  private async pullOnce(): Promise<void> {
    if (!this.online()) return this.set({ network: 'offline' });
    let client = this.opts.auth.client();
    if (!client && !(await this.needToken())) return;
    client = this.opts.auth.client();
    if (!client) return;
    this.set({ pulling: true });
    let sentWith: string | null = null;
    try {
      for (;;) {
        const cursor = await readCursor(this.opts.db);
        sentWith = client.currentToken();
        const changes = await client.changes(cursor);
        if (this.stopped) return this.set({ pulling: false });
        await applyPage(this.opts.db, this.opts.codec, changes);
        if (!changes.hasMore) break;
      }
      this.opts.auth.confirmed();
      const now = Date.now();
      await this.opts.db.meta.put({ key: LAST_SYNC_KEY, value: now });
      this.pullAttempt = 0;
      this.set({ pulling: false, network: 'online', needsSignIn: false, ready: true, lastSyncAt: now, lastError: null });
      this.opts.onPulled?.();
      this.schedule('pull', this.opts.pullIntervalMs ?? PULL_INTERVAL_MS);
    } catch (error) {
      this.set({ pulling: false });
      if (this.stopped) return;
      const kind = classifyFailure(error);
      if (kind === 'auth') {
        if (await this.needToken(sentWith)) this.schedule('pull', 0);
        return;
      }
      if (error instanceof ServiceError && error.code === 'invalid_cursor' && !this.cursorReset) {
        // The service no longer knows our place in the feed (e.g. restored from a backup):
        // read it again from the start. Versions decide, so nothing newer is overwritten.
        this.cursorReset = true;
        await this.opts.db.meta.delete(CURSOR_KEY);
        this.schedule('pull', 0);
        return;
      }
      this.set({ network: this.online() ? 'unreachable' : 'offline', lastError: describe(error) });
      if (this.online()) this.schedule('pull', backoffDelay(this.pullAttempt++, PULL_BACKOFF, this.opts.random));
    }
  }

  private async pushOnce(): Promise<void> {
    if (!this.online()) return this.set({ network: 'offline' });
    let sentAny = false;
    this.set({ pushing: true });
    try {
      for (;;) {
        if (this.stopped || !this.leadership?.isLeader()) return;
        const batch = await this.opts.outbox.nextBatch(this.batchSize);
        if (!batch.length) break;
        let client = this.opts.auth.client();
        if (!client && !(await this.needToken())) return;
        client = this.opts.auth.client();
        if (!client) return;
        let results;
        const sentWith = client.currentToken();
        try {
          results = await client.mutate(batch.map((e) => e.mutation));
        } catch (error) {
          const kind = classifyFailure(error);
          if (kind === 'auth') {
            if (await this.needToken(sentWith)) continue;
            return;
          }
          if (kind === 'invalid') {
            // One bad entry must not hold back the rest: send one at a time to find it,
            // and record it as refused (kept, visible) rather than retrying it forever.
            if (batch.length > 1) {
              this.batchSize = 1;
              continue;
            }
            await this.opts.outbox.markRejected(batch[0]!.mutation.id, 'invalid_request', describe(error));
            continue;
          }
          this.set({ network: this.online() ? 'unreachable' : 'offline', lastError: describe(error) });
          if (this.online()) this.schedule('push', backoffDelay(this.pushAttempt++, PUSH_BACKOFF, this.opts.random));
          return;
        }
        const sent = new Set(batch.map((e) => e.mutation.id));
        if (!results.results.some((r) => sent.has(r.id))) {
          // An answer about none of what was sent: retrying at once would loop; wait instead.
          this.schedule('push', backoffDelay(this.pushAttempt++, PUSH_BACKOFF, this.opts.random));
          return;
        }
        await this.opts.outbox.applyResults(results.results);
        this.opts.auth.confirmed();
        sentAny = true;
        this.pushAttempt = 0;
        this.batchSize = this.opts.batchSize ?? PUSH_BATCH;
        this.set({ network: 'online', needsSignIn: false, lastError: null });
      }
    } finally {
      this.set({ pushing: false });
      if (sentAny) void this.kickPull();
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return 'The service could not be reached.';
}
