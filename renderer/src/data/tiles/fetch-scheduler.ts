/**
 * Who is waiting for a fetch: the clinician looking at the image now ('foreground'), or the
 * prefetcher filling the cache for later ('background').
 */
export type FetchPriority = 'foreground' | 'background';

export interface SchedulerLimits {
  /** Fetches in flight at once, of both kinds (a browser opens about six connections per host). */
  readonly maxConcurrent: number;
  /** Of those, at most this many for background work, so some are always free for the viewer. */
  readonly maxBackground: number;
}

export const DEFAULT_SCHEDULER_LIMITS: SchedulerLimits = { maxConcurrent: 6, maxBackground: 4 };

export interface SchedulerStats {
  readonly running: number;
  readonly runningBackground: number;
  readonly queuedForeground: number;
  readonly queuedBackground: number;
}

export type FetchTask<T> = (signal: AbortSignal) => Promise<T>;

interface Waiter {
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

interface Entry {
  readonly key: string;
  priority: FetchPriority;
  readonly task: FetchTask<unknown>;
  readonly controller: AbortController;
  readonly waiters: Set<Waiter>;
  running: boolean;
}

export function abortError(): DOMException {
  return new DOMException('The request was aborted.', 'AbortError');
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/**
 * A priority queue of network fetches with bounded concurrency. Foreground requests go before
 * any background one, and no background fetch starts while a foreground one is waiting:
 * prefetch yields to the tiles the clinician is looking at right now. Requests for the same
 * key share one fetch (a foreground request promotes a shared background one); each caller
 * may abort its own wait, and the fetch itself is aborted once nobody waits for it.
 *
 * No I/O of its own: tasks are given to it, which keeps the policy testable with fakes.
 */
export class FetchScheduler {
  private readonly limits: SchedulerLimits;
  /** Queued or running entries by key, for sharing; an entry leaves when nobody can join it any more. */
  private readonly entries = new Map<string, Entry>();
  private readonly foreground: Entry[] = [];
  private readonly background: Entry[] = [];
  private running = 0;
  private runningBackground = 0;

  constructor(limits: SchedulerLimits = DEFAULT_SCHEDULER_LIMITS) {
    if (limits.maxConcurrent < 1 || limits.maxBackground < 0 || limits.maxBackground > limits.maxConcurrent) {
      throw new RangeError('FetchScheduler limits: need 1 ≤ maxConcurrent and 0 ≤ maxBackground ≤ maxConcurrent');
    }
    this.limits = limits;
  }

  /**
   * Runs `task` when a slot is free (or joins the fetch already queued or running for `key`).
   * Callers asking for one key must mean one resource: they all get the first task's result.
   */
  schedule<T>(key: string, priority: FetchPriority, task: FetchTask<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortError());
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { key, priority, task, controller: new AbortController(), waiters: new Set(), running: false };
      this.entries.set(key, entry);
      (priority === 'foreground' ? this.foreground : this.background).push(entry);
    } else if (priority === 'foreground' && entry.priority === 'background') {
      this.promote(entry);
    }
    const shared = entry;
    const result = new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (value) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value as T);
        },
        reject: (reason) => {
          signal?.removeEventListener('abort', onAbort);
          reject(reason);
        },
      };
      const onAbort = () => {
        shared.waiters.delete(waiter);
        reject(abortError());
        if (shared.waiters.size === 0) this.abandon(shared);
      };
      shared.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    this.pump();
    return result;
  }

  stats(): SchedulerStats {
    return {
      running: this.running,
      runningBackground: this.runningBackground,
      queuedForeground: this.foreground.length,
      queuedBackground: this.background.length,
    };
  }

  private promote(entry: Entry): void {
    entry.priority = 'foreground';
    if (entry.running) {
      // It now serves the viewer: its background slot is free for the next prefetch.
      this.runningBackground -= 1;
    } else {
      remove(this.background, entry);
      this.foreground.push(entry);
    }
    this.pump();
  }

  /** Nobody waits any more: drop it from the queue, or abort it if it is already running. */
  private abandon(entry: Entry): void {
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    if (entry.running) {
      // Its slot is freed when the task settles, so the concurrency bound still holds.
      entry.controller.abort();
    } else {
      remove(entry.priority === 'foreground' ? this.foreground : this.background, entry);
    }
  }

  private pump(): void {
    while (this.running < this.limits.maxConcurrent) {
      let next = this.foreground.shift();
      if (!next && this.runningBackground < this.limits.maxBackground) next = this.background.shift();
      if (!next) return;
      this.start(next);
    }
  }

  private start(entry: Entry): void {
    entry.running = true;
    this.running += 1;
    if (entry.priority === 'background') this.runningBackground += 1;
    let outcome: Promise<unknown>;
    try {
      outcome = entry.task(entry.controller.signal);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    outcome.then(
      (value) => this.settle(entry, (w) => w.resolve(value)),
      (error: unknown) => this.settle(entry, (w) => w.reject(error)),
    );
  }

  private settle(entry: Entry, notify: (waiter: Waiter) => void): void {
    this.running -= 1;
    if (entry.priority === 'background') this.runningBackground -= 1;
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    const waiters = [...entry.waiters];
    entry.waiters.clear();
    for (const waiter of waiters) notify(waiter);
    this.pump();
  }
}

function remove<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}
