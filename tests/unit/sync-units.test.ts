// fake-indexeddb first: Dexie looks up the global IndexedDB when it is loaded.
import 'fake-indexeddb/auto';
import { randomUUID } from 'node:crypto';
import Dexie from 'dexie';
import { ZodError } from 'zod';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ServiceError, type FetchLike, type FetchResponse } from '../../shared/client/service-client';
import { loadLastUser, sameUsername, saveLastUser, type LastUser } from '../../renderer/src/app/access/last-user';
import { generateDataKey } from '../../renderer/src/data/crypto/cipher';
import { RecordDb } from '../../renderer/src/data/db/record-db';
import { EntityCodec } from '../../renderer/src/data/store/entity-codec';
import { OutboxStore } from '../../renderer/src/data/store/outbox-store';
import { backoffDelay, PULL_BACKOFF, PUSH_BACKOFF, type BackoffPolicy } from '../../renderer/src/data/sync/backoff';
import { classifyFailure } from '../../renderer/src/data/sync/classify';
import { electLeader } from '../../renderer/src/data/sync/leader';
import { SessionAuth } from '../../renderer/src/data/sync/session-auth';
import { SyncEngine } from '../../renderer/src/data/sync/sync-engine';
import { mulberry32 as seeded } from '../../shared/seeded-random';


const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('backoff', () => {
  const policies: [string, BackoffPolicy][] = [
    ['pull', PULL_BACKOFF],
    ['push', PUSH_BACKOFF],
  ];

  it.each(policies)('%s: stays within [floor, min(cap, base·2^attempt)) for every attempt', (_name, policy) => {
    const random = seeded(7);
    for (let attempt = 0; attempt <= 40; attempt++) {
      const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
      for (let i = 0; i < 200; i++) {
        const d = backoffDelay(attempt, policy, random);
        expect(Number.isInteger(d)).toBe(true);
        expect(d).toBeGreaterThanOrEqual(policy.floorMs);
        expect(d).toBeLessThan(Math.max(ceiling, policy.floorMs + 1));
      }
    }
    // The default source of randomness obeys the same bounds.
    for (let i = 0; i < 100; i++) expect(backoffDelay(3, policy)).toBeLessThan(policy.baseMs * 8);
  });

  it('never waits less than the floor, even when the draw is zero', () => {
    expect(backoffDelay(0, PULL_BACKOFF, () => 0)).toBe(PULL_BACKOFF.floorMs);
    expect(backoffDelay(10, PUSH_BACKOFF, () => 0)).toBe(PUSH_BACKOFF.floorMs);
    expect(backoffDelay(0, { baseMs: 10, maxMs: 100, floorMs: 50 }, () => 0.99)).toBe(50);
  });

  it('is capped, and a huge attempt count neither overflows nor exceeds the cap', () => {
    const almostOne = () => 0.999_999_9;
    expect(backoffDelay(5, PULL_BACKOFF, almostOne)).toBe(31_999); // 1 s · 2^5, below the cap
    expect(backoffDelay(6, PULL_BACKOFF, almostOne)).toBe(PULL_BACKOFF.maxMs - 1);
    for (const attempt of [31, 1000, Number.MAX_SAFE_INTEGER]) {
      const d = backoffDelay(attempt, PUSH_BACKOFF, almostOne);
      expect(Number.isFinite(d)).toBe(true);
      expect(d).toBeLessThan(PUSH_BACKOFF.maxMs);
    }
  });

  it('grows exponentially up to the cap (the ceiling doubles with each attempt)', () => {
    const max = (attempt: number) => backoffDelay(attempt, PUSH_BACKOFF, () => 0.999_999_9) + 1;
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(max)).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  it('spreads retries uniformly over the window (full jitter), not bunched', () => {
    const random = seeded(12345);
    const attempt = 4;
    const ceiling = PULL_BACKOFF.baseMs * 2 ** attempt; // 16 s
    const samples = 20_000;
    const bins = new Array<number>(10).fill(0);
    let sum = 0;
    for (let i = 0; i < samples; i++) {
      const d = backoffDelay(attempt, PULL_BACKOFF, random);
      sum += d;
      bins[Math.min(9, Math.floor((d / ceiling) * 10))]!++;
    }
    for (const count of bins) expect(Math.abs(count - samples / 10)).toBeLessThan(samples / 10 / 10); // each bin within 10 %
    expect(Math.abs(sum / samples - ceiling / 2)).toBeLessThan(ceiling * 0.02);
    // Chi-squared against uniform, 9 degrees of freedom: 27.9 is the 0.1 % critical value.
    const chi2 = bins.reduce((acc, c) => acc + (c - samples / 10) ** 2 / (samples / 10), 0);
    expect(chi2).toBeLessThan(27.9);
  });
});

describe('classifyFailure', () => {
  it('asks for a token on 401', () => {
    expect(classifyFailure(new ServiceError(401, 'unauthenticated', 'Sign in'))).toBe('auth');
  });

  it.each([400, 413, 415, 422])('does not retry the same bytes after %i', (status) => {
    expect(classifyFailure(new ServiceError(status, 'bad', 'bad'))).toBe('invalid');
  });

  it.each([403, 404, 408, 409, 429, 500, 502, 503, 504])('retries later after %i', (status) => {
    expect(classifyFailure(new ServiceError(status, 'x', 'x'))).toBe('unreachable');
  });

  it('retries after a network failure, an unparsable answer or anything else', () => {
    expect(classifyFailure(new TypeError('fetch failed'))).toBe('unreachable');
    expect(classifyFailure(new DOMException('The operation was aborted.', 'AbortError'))).toBe('unreachable');
    expect(classifyFailure(new ZodError([]))).toBe('unreachable');
    expect(classifyFailure('string')).toBe('unreachable');
    expect(classifyFailure(undefined)).toBe('unreachable');
  });
});

/** A minimal Web Locks manager: one holder per name, waiters in order, abortable while waiting. */
function fakeLocks() {
  const queues = new Map<string, { grant: () => void }[]>();
  const held = new Set<string>();
  const next = (name: string) => {
    const waiter = queues.get(name)?.shift();
    if (waiter) waiter.grant();
  };
  return {
    held,
    request(name: string, options: { mode: 'exclusive'; signal?: AbortSignal }, callback: () => Promise<void>): Promise<unknown> {
      return new Promise((resolve, reject) => {
        const entry = {
          grant: () => {
            held.add(name);
            // Granted asynchronously, as browsers do.
            void Promise.resolve()
              .then(callback)
              .then(resolve, reject)
              .finally(() => {
                held.delete(name);
                next(name);
              });
          },
        };
        options.signal?.addEventListener('abort', () => {
          const q = queues.get(name) ?? [];
          const i = q.indexOf(entry);
          if (i >= 0) {
            q.splice(i, 1);
            reject(new DOMException('aborted', 'AbortError'));
          }
        });
        if (!held.has(name) && !(queues.get(name)?.length ?? 0)) entry.grant();
        else queues.set(name, [...(queues.get(name) ?? []), entry]);
      });
    },
  };
}

describe('leader election', () => {
  it('without Web Locks (Node, old browsers) leads at once, and tells the caller after it returns', async () => {
    expect((globalThis as { navigator?: { locks?: unknown } }).navigator?.locks).toBeUndefined();
    const onLead = vi.fn();
    const l = electLeader('loupe-outbox-test', onLead);
    expect(l.isLeader()).toBe(true);
    expect(onLead).not.toHaveBeenCalled(); // not re-entrantly, while the caller is still setting up
    await tick();
    expect(onLead).toHaveBeenCalledTimes(1);
    l.release();
    expect(l.isLeader()).toBe(false);
    await tick();
    expect(onLead).toHaveBeenCalledTimes(1);
  });

  it('without Web Locks, a leadership released at once never calls onLead', async () => {
    const onLead = vi.fn();
    electLeader('loupe-outbox-test', onLead).release();
    await tick();
    expect(onLead).not.toHaveBeenCalled();
  });

  it('with Web Locks, one window leads and the next takes over when it releases', async () => {
    const locks = fakeLocks();
    vi.stubGlobal('navigator', { locks });
    const first = vi.fn();
    const second = vi.fn();
    const third = vi.fn();
    const a = electLeader('loupe-outbox-u1', first);
    const b = electLeader('loupe-outbox-u1', second);
    const c = electLeader('loupe-outbox-u1', third);
    const other = electLeader('loupe-outbox-u2', vi.fn()); // another user's lock is separate
    await tick();
    expect([a.isLeader(), b.isLeader(), c.isLeader(), other.isLeader()]).toEqual([true, false, false, true]);
    expect(first).toHaveBeenCalledTimes(1);
    expect(second).not.toHaveBeenCalled();

    c.release(); // closed while waiting: leaves the queue, never leads
    a.release();
    await tick();
    await tick();
    expect([a.isLeader(), b.isLeader(), c.isLeader()]).toEqual([false, true, false]);
    expect(second).toHaveBeenCalledTimes(1);
    expect(third).not.toHaveBeenCalled();
    b.release();
    other.release();
    await tick();
    expect(locks.held.size).toBe(0);
    expect(third).not.toHaveBeenCalled();
  });
});

/** A fetch answering sign-ins from a script; anything else is a 500. */
function signInFetch(answers: (() => Promise<FetchResponse> | FetchResponse)[]): FetchLike & { calls: string[] } {
  const calls: string[] = [];
  const fn: FetchLike = async (url, init) => {
    calls.push(`${init.method} ${url}`);
    const next = answers.shift();
    if (!next) return json(500, { error: { code: 'x', message: 'unexpected' } });
    return next();
  };
  return Object.assign(fn, { calls });
}

function json(status: number, body: unknown): FetchResponse {
  return { status, ok: status >= 200 && status < 300, json: async () => body, text: async () => JSON.stringify(body) };
}

const USER_ID = '0192f0a0-0000-7000-8000-0000000000c1';
const session = (userId = USER_ID) =>
  json(201, { token: 't'.repeat(43), user: { id: userId, name: 'Dr C', role: 'consultant' }, expiresAt: '2026-11-10T12:00:00.000Z' });

describe('SessionAuth', () => {
  const make = (fetch: FetchLike, password: string | null, token: string | null = null) => {
    const saved: string[] = [];
    const auth = new SessionAuth({ serviceUrl: 'http://svc', fetch, userId: USER_ID, username: 'dr.c', token, password, saveToken: async (t) => void saved.push(t) });
    return { auth, saved };
  };

  it('after an offline unlock, gets a token with the held password once, then forgets it', async () => {
    const fetch = signInFetch([() => session()]);
    const { auth, saved } = make(fetch, 'pw');
    const told = vi.fn();
    auth.onToken(told);
    expect(auth.client()).toBeNull();
    expect(await auth.refresh()).toBe(true);
    expect(auth.client()?.currentToken()).toBe('t'.repeat(43));
    expect(saved).toEqual(['t'.repeat(43)]);
    expect(told).toHaveBeenCalledTimes(1);
    // The password is not kept: a second refusal needs the clinician.
    expect(await auth.refresh()).toBe(false);
    expect(auth.client()).toBeNull();
    expect(fetch.calls).toEqual(['POST http://svc/api/v1/sessions']);
  });

  it('keeps the password while the service cannot be reached, drops it when refused', async () => {
    const fetch = signInFetch([
      () => Promise.reject(new TypeError('fetch failed')),
      () => json(401, { error: { code: 'invalid_credentials', message: 'no' } }),
      () => session(),
    ]);
    const { auth } = make(fetch, 'old-password');
    expect(await auth.refresh()).toBe(false); // unreachable: kept
    expect(await auth.refresh()).toBe(false); // refused: dropped
    expect(await auth.refresh()).toBe(false); // nothing to try
    expect(fetch.calls).toHaveLength(2);
    expect(await auth.signIn('new-password')).toBe('ok');
    expect(auth.client()).not.toBeNull();
  });

  it('refuses a session for another user and signs it out again', async () => {
    const fetch = signInFetch([() => session('0192f0a0-0000-7000-8000-0000000000ff'), () => json(204, null)]);
    const { auth } = make(fetch, null);
    expect(await auth.signIn('pw')).toBe('wrong-user');
    expect(auth.client()).toBeNull();
    expect(fetch.calls).toEqual(['POST http://svc/api/v1/sessions', 'DELETE http://svc/api/v1/sessions/current']);
  });

  it('the pull and the push refused together share one sign-in with the held password', async () => {
    let answer!: (r: FetchResponse) => void;
    const fetch = signInFetch([() => new Promise<FetchResponse>((resolve) => (answer = resolve))]);
    const { auth } = make(fetch, 'pw', 'stale');
    const both = Promise.all([auth.refresh('stale'), auth.refresh('stale')]);
    await tick();
    answer(session());
    expect(await both).toEqual([true, true]);
    expect(fetch.calls).toHaveLength(1);
  });

  it('a late refusal of the old token does not throw away a token issued meanwhile', async () => {
    const fetch = signInFetch([() => session()]);
    const { auth } = make(fetch, null, 'old-token');
    expect(await auth.signIn('pw')).toBe('ok'); // the clinician signed in again
    // A request sent with the old token comes back 401 only now.
    expect(await auth.refresh('old-token')).toBe(true);
    expect(auth.client()?.currentToken()).toBe('t'.repeat(43));
    // The fresh token itself refused: now there is nothing left to try.
    expect(await auth.refresh('t'.repeat(43))).toBe(false);
    expect(auth.client()).toBeNull();
  });

  it('confirmed() forgets the held password', async () => {
    const fetch = signInFetch([]);
    const { auth } = make(fetch, 'pw', 'token-from-before');
    expect(auth.client()?.currentToken()).toBe('token-from-before');
    auth.confirmed();
    expect(await auth.refresh()).toBe(false);
    expect(fetch.calls).toEqual([]);
  });
});

describe('last user', () => {
  const memory = () => {
    const m = new Map<string, string>();
    return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
  };
  const last: LastUser = { userId: USER_ID, username: 'Dr.C', name: 'Dr C', role: 'consultant', onlineAt: 1 };

  it('round-trips, and reads damaged or missing storage as nobody', () => {
    const s = memory();
    expect(loadLastUser(s)).toBeNull();
    saveLastUser(s, last);
    expect(loadLastUser(s)).toEqual(last);
    s.m.set('loupe.last-user', '{not json');
    expect(loadLastUser(s)).toBeNull();
    s.m.set('loupe.last-user', JSON.stringify({ ...last, userId: 'nope' }));
    expect(loadLastUser(s)).toBeNull();
    expect(loadLastUser(null)).toBeNull();
    const full = { getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); } };
    expect(() => saveLastUser(full, last)).not.toThrow();
  });

  it('compares usernames as the service does: trimmed, case-insensitive', () => {
    expect(sameUsername(' Dr.C ', 'dr.c')).toBe(true);
    expect(sameUsername('dr.c', 'dr.d')).toBe(false);
  });
});

describe('SyncEngine without a service', () => {
  const setup = async (fetch: FetchLike, isOnline: () => boolean) => {
    const db = new RecordDb(`sync-units-${randomUUID()}`);
    const codec = new EntityCodec(await generateDataKey());
    const outbox = new OutboxStore(db, codec);
    const auth = new SessionAuth({ serviceUrl: 'http://svc', fetch, userId: USER_ID, username: 'dr.c', token: 'tok', password: null, saveToken: async () => {} });
    const engine = new SyncEngine({ db, codec, outbox, auth, userId: USER_ID, isOnline, random: () => 0, pullIntervalMs: 60_000 });
    return { db, outbox, engine };
  };
  const cleanup = async (db: RecordDb, engine: SyncEngine) => {
    engine.stop();
    db.close();
    await Dexie.delete(db.name);
  };

  it('asks nothing of the network while offline, and says so', async () => {
    const fetch = vi.fn<FetchLike>(async () => json(500, {}));
    const { db, outbox, engine } = await setup(fetch, () => false);
    expect(engine.getStatus().network).toBe('offline');
    await engine.start();
    await outbox.enqueue({ mutation: { id: randomUUID(), type: 'referral.claim', entityId: randomUUID(), payload: {}, clientTime: new Date().toISOString() }, effects: [] });
    await engine.flush();
    expect(fetch).not.toHaveBeenCalled();
    expect(engine.getStatus()).toMatchObject({ network: 'offline', leader: true, pulling: false, pushing: false });
    expect(await outbox.counts()).toEqual({ pending: 1, conflict: 0, rejected: 0 });
    await cleanup(db, engine);
  });

  it('backs off while the service cannot be reached, then recovers', async () => {
    let down = true;
    const fetch = vi.fn<FetchLike>(async () => {
      if (down) throw new TypeError('fetch failed');
      return json(200, { changes: [], cursor: '0', hasMore: false });
    });
    const { db, engine } = await setup(fetch, () => true);
    const seen: string[] = [];
    engine.subscribe(() => seen.push(engine.getStatus().network));
    await engine.start();
    await engine.kickPull();
    expect(engine.getStatus()).toMatchObject({ network: 'unreachable', lastError: 'fetch failed', ready: false });
    down = false;
    // The retry comes by itself after the (floored) backoff.
    await vi.waitFor(() => expect(engine.getStatus()).toMatchObject({ network: 'online', ready: true, lastError: null }), { timeout: 3000 });
    expect(seen).toContain('unreachable');
    expect(engine.getStatus().lastSyncAt).toEqual(expect.any(Number));
    expect((await db.meta.get('lastSyncAt'))?.value).toBe(engine.getStatus().lastSyncAt);
    await cleanup(db, engine);
  });

  it('stopped before start() finished (signed out at once), holds no lock that would block other windows', async () => {
    const locks = fakeLocks();
    vi.stubGlobal('navigator', { locks, onLine: true });
    const fetch = vi.fn<FetchLike>(async () => json(200, { changes: [], cursor: '0', hasMore: false }));
    const { db, engine } = await setup(fetch, () => true);
    const starting = engine.start();
    engine.stop();
    await starting;
    await tick();
    await tick();
    expect(locks.held.size).toBe(0);
    expect(engine.getStatus().leader).toBe(false);
    await engine.kickPull();
    expect(fetch).not.toHaveBeenCalled();
    await cleanup(db, engine);
  });
});
