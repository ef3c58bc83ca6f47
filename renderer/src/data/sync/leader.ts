/**
 * Only one window of a user pushes their outbox: Web Locks grant the lock to one holder per
 * origin, and hand it to the next waiting window when that one closes or crashes. Without
 * Web Locks (tests in Node) the caller is alone and leads at once.
 */
export interface Leadership {
  readonly isLeader: () => boolean;
  release(): void;
}

interface LockManagerLike {
  request(name: string, options: { mode: 'exclusive'; signal?: AbortSignal }, callback: () => Promise<void>): Promise<unknown>;
}

export function electLeader(name: string, onLead: () => void): Leadership {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  let leader = false;
  // Once released, never lead again: neither the fallback's deferred call nor a grant that
  // was already on its way when the abort came (an abort cannot take back a granted lock).
  let released = false;
  const abort = new AbortController();
  let releaseHeld: () => void = () => undefined;
  if (!locks) {
    leader = true;
    queueMicrotask(() => {
      if (!released) onLead();
    });
  } else {
    const held = new Promise<void>((resolve) => {
      releaseHeld = resolve;
    });
    locks
      .request(name, { mode: 'exclusive', signal: abort.signal }, async () => {
        if (released) return;
        leader = true;
        onLead();
        await held;
        leader = false;
      })
      .catch(() => undefined); // aborted before it was granted
  }
  return {
    isLeader: () => leader,
    release: () => {
      released = true;
      leader = false;
      abort.abort();
      releaseHeld();
    },
  };
}
