// fake-indexeddb first: Dexie looks up the global IndexedDB when it is loaded.
import 'fake-indexeddb/auto';
import { randomUUID } from 'node:crypto';
import Dexie from 'dexie';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ReferralCreated, type Change, type Mutation, type MutationResults, type Outcome, type Referral, type UserRef } from '../../shared/contract';
import { ServiceClient, type FetchLike } from '../../shared/client/service-client';
import type { LoupeBridge } from '../../shared/bridge';
import { DEFAULT_SETTINGS } from '../../shared/workstation-settings';
import { signInOrUnlock } from '../../renderer/src/app/access/access';
import { loadLastUser } from '../../renderer/src/app/access/last-user';
import { generateDataKey } from '../../renderer/src/data/crypto/cipher';
import { RecordDb, recordDbName } from '../../renderer/src/data/db/record-db';
import { readCursor } from '../../renderer/src/data/store/apply-page';
import { EntityCodec } from '../../renderer/src/data/store/entity-codec';
import { localEffects } from '../../renderer/src/data/store/local-effects';
import { OutboxStore } from '../../renderer/src/data/store/outbox-store';
import { Queries } from '../../renderer/src/data/store/queries';
import { SessionAuth } from '../../renderer/src/data/sync/session-auth';
import { SyncEngine } from '../../renderer/src/data/sync/sync-engine';
import { allChanges, PASSWORD, postReferral, referralBody, startService, testJpeg, type RunningService } from './harness';
import { mulberry32 as seeded } from '../../shared/seeded-random';

/*
 * The workstation's real data layer (SyncEngine, OutboxStore, applyPage on fake-indexeddb,
 * real WebCrypto) against a real service over HTTP, on this project's database backend.
 */

let svc: RunningService;
let gp: ServiceClient;
let observer: ServiceClient; // a consultant's session for checking the service's side
let jpeg: Buffer;

beforeAll(async () => {
  svc = await startService({ ingestWorkers: 1 });
  [gp, observer] = await Promise.all([svc.signedIn('gp'), svc.signedIn('consultant')]);
  jpeg = await testJpeg(96, 64);
});

afterAll(async () => {
  await svc?.close();
});


const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const waitFor = <T>(check: () => T | Promise<T>, timeout = 30_000) => vi.waitFor(check, { timeout, interval: 20 });

async function newReferrals(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 5) {
    const created = await Promise.all(
      Array.from({ length: Math.min(5, n - i) }, async () => {
        const res = await postReferral(svc, gp.currentToken()!, referralBody(['a']), { a: jpeg });
        expect(res.status).toBe(201);
        return ReferralCreated.parse(await res.json()).id;
      }),
    );
    ids.push(...created);
  }
  return ids;
}

const sessions = new Map<string, Promise<{ user: UserRef; token: string }>>();

/** A session of the user: shared by the tests unless `fresh` (a test that ends it). Each sign-in costs a scrypt. */
function session(username: string, fresh = false): Promise<{ user: UserRef; token: string }> {
  const signIn = async () => {
    const s = await svc.client().signIn({ username, password: PASSWORD });
    return { user: s.user, token: s.token };
  };
  if (fresh) return signIn();
  if (!sessions.has(username)) sessions.set(username, signIn());
  return sessions.get(username)!;
}

interface Station {
  readonly user: UserRef;
  readonly dbName: string;
  readonly dataKey: CryptoKey;
  readonly db: RecordDb;
  readonly codec: EntityCodec;
  readonly outbox: OutboxStore;
  readonly queries: Queries;
  readonly auth: SessionAuth;
  readonly engine: SyncEngine;
}

const opened: Station[] = [];
const dbNames = new Set<string>();

afterEach(async () => {
  for (const s of opened.splice(0)) {
    s.engine.stop();
    s.db.close();
  }
  await Promise.all([...dbNames].map((n) => Dexie.delete(n)));
  dbNames.clear();
});

/** One workstation window of one user: its own database, key, outbox and sync engine. */
async function station(
  signedIn: { user: UserRef; token: string | null },
  opts: { fetch?: FetchLike; dbName?: string; dataKey?: CryptoKey; password?: string | null; batchSize?: number; random?: () => number } = {},
): Promise<Station> {
  const dbName = opts.dbName ?? `loupe-it-${signedIn.user.role}-${randomUUID()}`;
  dbNames.add(dbName);
  const dataKey = opts.dataKey ?? (await generateDataKey());
  const db = new RecordDb(dbName);
  const codec = new EntityCodec(dataKey);
  const outbox = new OutboxStore(db, codec);
  const auth = new SessionAuth({
    serviceUrl: svc.url,
    fetch: opts.fetch ?? fetch,
    userId: signedIn.user.id,
    username: signedIn.user.role === 'consultant' ? 'consultant' : 'registrar',
    token: signedIn.token,
    password: opts.password ?? null,
    saveToken: async () => {},
  });
  const engine = new SyncEngine({
    db,
    codec,
    outbox,
    auth,
    userId: signedIn.user.id,
    isOnline: () => true,
    random: opts.random ?? (() => 0),
    pullIntervalMs: 3_600_000, // pulls only at start, after pushes and when kicked
    batchSize: opts.batchSize,
  });
  const s = { user: signedIn.user, dbName, dataKey, db, codec, outbox, queries: new Queries(db, codec), auth, engine };
  opened.push(s);
  return s;
}

const stop = (s: Station) => {
  s.engine.stop();
  s.db.close();
};

const fields = (adviceToGp: string) => ({
  decision: 'discharge',
  diagnosis: { text: 'Seborrhoeic keratosis' },
  adviceToGp,
  safetyNetting: 'Re-refer if it grows, bleeds or changes colour.',
});

/** Records a clinician's action as the screens do: the mutation and its local effect, in the outbox. */
async function act(s: Station, type: Mutation['type'], entityId: string, payload: unknown, referralId: string): Promise<string> {
  const mutation: Omit<Mutation, 'baseVersion'> = { id: randomUUID(), type, entityId, payload, clientTime: new Date().toISOString() };
  const referral = await s.queries.referral(referralId);
  const outcome = type.startsWith('outcome.') ? ((await s.queries.outcomesFor(referralId)).find((o) => o.id === entityId) ?? null) : null;
  const effects = localEffects(mutation as Mutation, { user: s.user, now: mutation.clientTime, outcome, referral });
  // As the screens pass it: the outcome form names its table, the claim button does not.
  await s.outbox.enqueue({ mutation, effects });
  return mutation.id;
}

/** Versions of one entity in the service's change feed, oldest first. */
const versionsOf = (changes: Change[], id: string) => changes.filter((c) => c.id === id).map((c) => c.version);

async function overlays(s: Station): Promise<number> {
  const counts = await Promise.all([s.db.referrals, s.db.outcomes, s.db.images, s.db.annotations].map((t) => t.where('hasOverlay').equals(1).count()));
  return counts.reduce((a, b) => a + b, 0);
}

describe('pull', () => {
  it('brings every referral into the local database, page by page, and resumes from the cursor after a restart', async () => {
    const ids = await newReferrals(3);
    const consultant = await session('consultant');
    let changeRequests = 0;
    // Two changes a page, so the feed takes several pages (each applied with its cursor).
    const paged: FetchLike = (url, init) => {
      if (url.includes('/changes')) changeRequests++;
      return fetch(url.includes('/changes') ? `${url}${url.includes('?') ? '&' : '?'}limit=2` : url, init);
    };
    const first = await station(consultant, { fetch: paged });
    await first.engine.start();
    await waitFor(() => expect(first.engine.getStatus()).toMatchObject({ ready: true, network: 'online', pulling: false }));

    const feed = await allChanges(observer);
    const latest = new Map<string, Change>();
    for (const c of feed) latest.set(c.id, c);
    const feedReferrals = [...latest.values()].filter((c) => c.type === 'referral');
    expect(feedReferrals.map((c) => c.id)).toEqual(expect.arrayContaining(ids));
    const local = await first.queries.referrals();
    expect(local.map((r) => r.id).sort()).toEqual(feedReferrals.map((c) => c.id).sort());
    for (const c of feedReferrals) expect(await first.queries.referral(c.id)).toEqual(c.data);
    for (const id of ids) expect(await first.queries.imagesFor(id)).toHaveLength(1);
    expect(await first.db.images.count()).toBe([...latest.values()].filter((c) => c.type === 'image').length);
    expect(changeRequests).toBeGreaterThanOrEqual(Math.ceil(feed.length / 2));
    const cursor = await readCursor(first.db);
    expect(cursor).toBe(String(feed.at(-1)!.seq));
    stop(first);

    // Restart: a new engine on the same database (same key) asks only for what came after.
    const urls: string[] = [];
    const received: number[] = [];
    const counting: FetchLike = async (url, init) => {
      urls.push(url);
      const res = await fetch(url, init);
      if (url.includes('/changes')) received.push(((await res.clone().json()) as { changes: unknown[] }).changes.length);
      return res;
    };
    const again = await station(consultant, { fetch: counting, dbName: first.dbName, dataKey: first.dataKey });
    expect(again.engine.getStatus().ready).toBe(false);
    await again.engine.start();
    expect(again.engine.getStatus()).toMatchObject({ ready: true, lastSyncAt: expect.any(Number) }); // from the last session
    await again.engine.kickPull();
    await waitFor(() => expect(again.engine.getStatus().pulling).toBe(false));
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url).toContain(`after=${cursor}`);
    expect(received.every((n) => n === 0)).toBe(true);
    expect((await again.queries.referrals()).length).toBe(local.length);

    // Something new: only it comes.
    const [late] = await newReferrals(1);
    received.length = 0;
    await again.engine.kickPull();
    await waitFor(async () => expect(await again.queries.referral(late!)).not.toBeNull());
    expect(received.reduce((a, b) => a + b, 0)).toBe(2); // the referral and its image
  });
});

describe('push', () => {
  it('delivers 100 actions exactly once through a link that drops 30% of requests, half after the service answered', async () => {
    const N = 25;
    const ids = await newReferrals(N);
    const consultant = await session('consultant');
    const delays = seeded(3);
    const faults = { '/mutations': seeded(20_260_101), '/changes': seeded(42) };
    const log = { lostBefore: 0, lostAfter: 0, delivered: 0, duplicates: 0 };
    const flaky: FetchLike = async (url, init) => {
      await sleep(Math.floor(delays() * 15));
      const route = url.includes('/mutations') ? '/mutations' : url.includes('/changes') ? '/changes' : null;
      const roll = route ? faults[route]() : 1;
      if (roll < 0.15) {
        if (route === '/mutations') log.lostBefore++;
        throw new TypeError('fetch failed: connection reset before sending');
      }
      const res = await fetch(url, init);
      if (roll < 0.3) {
        await res.arrayBuffer(); // the service answered; the answer never arrives
        if (route === '/mutations') log.lostAfter++;
        throw new TypeError('fetch failed: connection reset before the answer');
      }
      if (route === '/mutations') {
        log.delivered++;
        const body = (await res.clone().json()) as MutationResults;
        log.duplicates += body.results.filter((r) => r.status === 'duplicate').length;
      }
      return res;
    };
    const jitter = seeded(9);
    const s = await station(consultant, { fetch: flaky, batchSize: 5, random: () => jitter() * 0.2 });
    await s.engine.start();
    await waitFor(async () => expect((await s.queries.referrals()).map((r) => r.id)).toEqual(expect.arrayContaining(ids)));

    // 25 × (claim, draft, draft, submit), recorded while the engine is already sending.
    const sent = new Map<string, { claim: string; outcomeId: string; outcome: string[] }>();
    for (const rid of ids) {
      const outcomeId = randomUUID();
      const claim = await act(s, 'referral.claim', rid, {}, rid);
      const d1 = await act(s, 'outcome.save-draft', outcomeId, { referralId: rid, ...fields(`First draft for ${rid}`) }, rid);
      const d2 = await act(s, 'outcome.save-draft', outcomeId, { referralId: rid, ...fields(`Second draft for ${rid}`) }, rid);
      const submit = await act(s, 'outcome.submit', outcomeId, { referralId: rid, ...fields(`Final advice for ${rid}`) }, rid);
      sent.set(rid, { claim, outcomeId, outcome: [d1, d2, submit] });
      // The clinician sees their decision at once, whatever the link does.
      expect(await s.queries.referral(rid)).toMatchObject({ status: 'done', assignedTo: { id: consultant.user.id } });
    }

    await waitFor(async () => expect((await s.outbox.counts()).pending).toBe(0), 50_000);
    expect(await s.outbox.counts()).toEqual({ pending: 0, conflict: 0, rejected: 0 });
    expect(await s.db.outbox.count()).toBe(0);
    // The faults really happened, both kinds, and lost answers were resent and recognised.
    expect(log.lostBefore).toBeGreaterThan(0);
    expect(log.lostAfter).toBeGreaterThan(0);
    expect(log.duplicates).toBeGreaterThan(0);

    // The service: every action exactly once.
    const feed = await allChanges(observer);
    for (const [rid, m] of sent) {
      const detail = await observer.referral(rid);
      expect(detail.referral).toMatchObject({ version: 3, status: 'done', assignedTo: { id: consultant.user.id } });
      expect(detail.outcomes).toHaveLength(1);
      expect(detail.outcomes[0]).toMatchObject({ id: m.outcomeId, version: 3, status: 'final', adviceToGp: `Final advice for ${rid}` });
      expect(versionsOf(feed, rid)).toEqual([1, 2, 3]);
      expect(versionsOf(feed, m.outcomeId)).toEqual([1, 2, 3]);
      const outcomeAudit = (await observer.audit(m.outcomeId)).events.filter((e) => e.action.startsWith('outcome.'));
      expect(outcomeAudit.map((e) => e.detail.mutationId)).toEqual(m.outcome);
      expect(outcomeAudit.map((e) => e.detail.version)).toEqual([1, 2, 3]);
      const claims = (await observer.audit(rid)).events.filter((e) => e.action === 'referral.claim');
      expect(claims.map((e) => e.detail.mutationId)).toEqual([m.claim]);
    }
    expect(feed.filter((c) => c.type === 'outcome' && ids.includes((c.data as Outcome | null)?.referralId ?? ''))).toHaveLength(3 * N);

    // The workstation settles on the service's versions: no overlay left behind.
    await s.engine.kickPull();
    await waitFor(async () => {
      expect(await overlays(s)).toBe(0);
      for (const rid of ids) expect(await s.queries.referral(rid)).toMatchObject({ version: 3, status: 'done' });
    });
    for (const [rid, m] of sent) {
      expect(await s.queries.outcomesFor(rid)).toEqual([(await observer.referral(rid)).outcomes[0]]);
      expect((await s.db.outcomes.get(m.outcomeId))?.version).toBe(3);
    }
  });

  it('survives a crash mid-push: a new engine resends, the service answers duplicate, nothing is applied twice', async () => {
    const [rid] = await newReferrals(1);
    const consultant = await session('consultant');
    let crashed!: () => void;
    const crash = new Promise<void>((resolve) => (crashed = resolve));
    let victim: Station | null = null;
    const crashing: FetchLike = async (url, init) => {
      const res = await fetch(url, init);
      if (url.includes('/mutations') && victim) {
        // The service has applied the batch; the workstation dies before recording it.
        await res.arrayBuffer();
        victim.engine.stop();
        crashed();
        throw new TypeError('the window was closed');
      }
      return res;
    };
    // Work done while offline: two actions queued.
    const offline = await station(consultant);
    await offline.engine.start();
    await waitFor(async () => expect(await offline.queries.referral(rid!)).not.toBeNull());
    offline.engine.stop();
    const outcomeId = randomUUID();
    const claim = await act(offline, 'referral.claim', rid!, {}, rid!);
    const draft = await act(offline, 'outcome.save-draft', outcomeId, { referralId: rid, ...fields('Draft written just before the crash') }, rid!);
    offline.db.close();

    // Back online, the engine sends both in one batch and the window dies before the answer is stored.
    const first = await station(consultant, { fetch: crashing, dbName: offline.dbName, dataKey: offline.dataKey });
    victim = first;
    await first.engine.start();
    await crash;
    await waitFor(() => expect(first.engine.getStatus().pushing).toBe(false));
    expect((await first.outbox.entries()).map((e) => e.mutation.id)).toEqual([claim, draft]);
    first.db.close();
    expect((await observer.referral(rid!)).referral.version).toBe(2);
    expect((await observer.referral(rid!)).outcomes).toHaveLength(1);

    // The window is opened again: same database, a new engine.
    const statuses: string[] = [];
    const watching: FetchLike = async (url, init) => {
      const res = await fetch(url, init);
      if (url.includes('/mutations')) statuses.push(...((await res.clone().json()) as MutationResults).results.map((r) => r.status));
      return res;
    };
    const second = await station(consultant, { fetch: watching, dbName: first.dbName, dataKey: first.dataKey });
    expect(await second.outbox.counts()).toEqual({ pending: 2, conflict: 0, rejected: 0 });
    await second.engine.start();
    await waitFor(async () => expect(await second.db.outbox.count()).toBe(0));
    expect(statuses).toEqual(['duplicate', 'duplicate']);

    const detail = await observer.referral(rid!);
    expect(detail.referral.version).toBe(2);
    expect(detail.outcomes).toEqual([expect.objectContaining({ id: outcomeId, version: 1, adviceToGp: 'Draft written just before the crash' })]);
    const feed = await allChanges(observer);
    expect(versionsOf(feed, outcomeId)).toEqual([1]);
    expect(versionsOf(feed, rid!)).toEqual([1, 2]);
    expect((await observer.audit(outcomeId)).events.filter((e) => e.action === 'outcome.save-draft')).toHaveLength(1);
    await waitFor(async () => {
      expect(await overlays(second)).toBe(0);
      expect(await second.db.outcomes.get(outcomeId)).toMatchObject({ version: 1, hasOverlay: 0 });
    });
  });
});

describe('conflict', () => {
  it('a stale edit conflicts, waits for the clinician, and is reapplied on top: neither text is lost', async () => {
    const [rid] = await newReferrals(1);
    const registrarSession = await session('registrar');
    const registrar = await station(registrarSession);
    await registrar.engine.start();
    await waitFor(async () => expect(await registrar.queries.referral(rid!)).not.toBeNull());

    const outcomeId = randomUUID();
    await act(registrar, 'outcome.save-draft', outcomeId, { referralId: rid, ...fields('Registrar: first draft') }, rid!);
    await waitFor(async () => expect(await registrar.db.outcomes.get(outcomeId)).toMatchObject({ version: 1, hasOverlay: 0 }));

    // The supervising consultant edits the registrar's draft on their own workstation.
    const consultant = await station(await session('consultant'));
    await consultant.engine.start();
    await waitFor(async () => expect((await consultant.db.outcomes.get(outcomeId))?.version).toBe(1));
    await act(consultant, 'outcome.save-draft', outcomeId, { referralId: rid, ...fields('Consultant: edited the advice') }, rid!);
    await waitFor(async () => expect(await consultant.db.outbox.count()).toBe(0));

    // The registrar, not having pulled that, edits version 1.
    expect((await registrar.db.outcomes.get(outcomeId))?.version).toBe(1);
    const stale = await act(registrar, 'outcome.save-draft', outcomeId, { referralId: rid, ...fields('Registrar: stale edit') }, rid!);
    await waitFor(async () => expect(await registrar.outbox.counts()).toEqual({ pending: 0, conflict: 1, rejected: 0 }));
    const [entry] = await registrar.outbox.entries();
    expect(entry!.row).toMatchObject({ mutationId: stale, state: 'conflict', baseVersion: 1, error: { code: 'version_conflict', currentVersion: 2 } });
    // The pull after the push brings the consultant's version; the registrar still sees theirs.
    await waitFor(async () => expect((await registrar.db.outcomes.get(outcomeId))?.version).toBe(2));
    expect((await registrar.queries.outcomesFor(rid!))[0]).toMatchObject({ adviceToGp: 'Registrar: stale edit' });
    expect(await registrar.queries.serverVersion('outcomes', outcomeId)).toMatchObject({ adviceToGp: 'Consultant: edited the advice', version: 2 });

    // Reapply: a new mutation on top of version 2.
    await registrar.outbox.resolve(stale, 'reapply');
    const [again] = await registrar.outbox.entries();
    expect(again!.mutation.id).not.toBe(stale);
    expect(again!.row).toMatchObject({ state: 'pending', baseVersion: 2 });
    void registrar.engine.kickPush();
    await waitFor(async () => expect(await registrar.db.outbox.count()).toBe(0));
    await waitFor(async () => expect(await registrar.db.outcomes.get(outcomeId)).toMatchObject({ version: 3, hasOverlay: 0 }));
    expect((await registrar.queries.outcomesFor(rid!))[0]).toMatchObject({ version: 3, adviceToGp: 'Registrar: stale edit', author: { id: registrarSession.user.id } });

    // Both versions are in the service's history, and the registrar's log holds both sides.
    const history = (await allChanges(observer)).filter((c) => c.id === outcomeId);
    expect(history.map((c) => [c.version, (c.data as Outcome).adviceToGp])).toEqual([
      [1, 'Registrar: first draft'],
      [2, 'Consultant: edited the advice'],
      [3, 'Registrar: stale edit'],
    ]);
    const [log] = await registrar.db.resolutions.toArray();
    const opened = (await registrar.codec.openJson(log!.sealed, `resolution:${outcomeId}:${log!.at}`)) as { choice: string; mine: Mutation; error: { currentVersion: number } };
    expect(opened).toMatchObject({ choice: 'reapply', mine: { id: stale, payload: { adviceToGp: 'Registrar: stale edit' } }, error: { currentVersion: 2 } });
  });
});

describe('authentication', () => {
  it('a refused token keeps the outbox and asks for sign-in; signing in sends it', async () => {
    const [rid] = await newReferrals(1);
    const consultant = await session('consultant', true);
    const s = await station(consultant);
    await s.engine.start();
    await waitFor(async () => expect(await s.queries.referral(rid!)).not.toBeNull());

    // The session ends on the service (signed out elsewhere, expired, revoked).
    await new ServiceClient(svc.url, fetch, consultant.token).signOut();
    await act(s, 'referral.claim', rid!, {}, rid!);
    await waitFor(() => expect(s.engine.getStatus().needsSignIn).toBe(true));
    await waitFor(() => expect(s.engine.getStatus().pushing).toBe(false));
    expect(await s.outbox.counts()).toEqual({ pending: 1, conflict: 0, rejected: 0 });
    expect((await observer.referral(rid!)).referral.version).toBe(1);
    expect(s.auth.client()).toBeNull();

    expect(await s.auth.signIn('not the password')).toBe('wrong-credentials');
    expect(s.engine.getStatus().needsSignIn).toBe(true);
    expect(await s.auth.signIn(PASSWORD)).toBe('ok');
    await waitFor(async () => expect(await s.db.outbox.count()).toBe(0));
    expect(s.engine.getStatus().needsSignIn).toBe(false);
    expect((await observer.referral(rid!)).referral).toMatchObject({ version: 2, assignedTo: { id: consultant.user.id } });
  });

  it('after an offline unlock, the held password gets a fresh token without asking', async () => {
    const [rid] = await newReferrals(1);
    const consultant = await session('consultant', true);
    await new ServiceClient(svc.url, fetch, consultant.token).signOut(); // the kept token is stale
    const s = await station({ user: consultant.user, token: consultant.token }, { password: PASSWORD });
    await s.engine.start();
    await waitFor(async () => expect(await s.queries.referral(rid!)).not.toBeNull());
    expect(s.engine.getStatus().needsSignIn).toBe(false);
    await act(s, 'referral.claim', rid!, {}, rid!);
    await waitFor(async () => expect(await s.db.outbox.count()).toBe(0));
    expect(s.auth.client()?.currentToken()).not.toBe(consultant.token);
  });
});

describe('sign-in and offline unlock', () => {
  it('signs in online (making the key record), unlocks offline for the last user within the grace period only', async () => {
    const [rid] = await newReferrals(1);
    const memory = new Map<string, string>();
    const storage = { getItem: (k: string) => memory.get(k) ?? null, setItem: (k: string, v: string) => void memory.set(k, v) };
    let savedToken: string | null = null;
    const bridge: LoupeBridge = {
      host: 'browser',
      appVersion: async () => 'test',
      serviceUrl: async () => svc.url,
      loadToken: async () => savedToken,
      saveToken: async (t) => void (savedToken = t),
      clearToken: async () => void (savedToken = null),
      deviceKey: async () => null,
      saveLetterPdf: async () => ({ saved: false }),
    };
    let online = true;
    let clock = Date.parse('2026-11-10T08:00:00Z');
    const deps = { serviceUrl: svc.url, fetch: fetch as FetchLike, bridge, storage, settings: { ...DEFAULT_SETTINGS, offlineGraceHours: 72 }, isOnline: () => online, now: () => clock, iterations: 1_000 };

    const first = await signInOrUnlock('registrar', PASSWORD, deps);
    if (!first.ok) throw new Error(first.message);
    const userId = first.workspace.user.id;
    dbNames.add(recordDbName(userId));
    expect(first).toMatchObject({ offline: false, notice: null });
    expect(loadLastUser(storage)).toMatchObject({ userId, username: 'registrar', role: 'registrar', onlineAt: clock });
    expect(savedToken).toEqual(expect.any(String));
    expect((await first.workspace.db.meta.get('keyRecord'))?.value).toMatchObject({ v: 1, userId });
    await first.workspace.sync.start();
    await waitFor(async () => expect(await first.workspace.queries.referral(rid!)).not.toBeNull());
    first.workspace.close();

    // Offline: the same password opens the same cache.
    online = false;
    clock += 71 * 3_600_000;
    const unlocked = await signInOrUnlock(' Registrar ', PASSWORD, deps);
    if (!unlocked.ok) throw new Error(unlocked.message);
    expect(unlocked.offline).toBe(true);
    expect(await unlocked.workspace.queries.referral(rid!)).toMatchObject({ id: rid });
    // Changes made offline go out once the service can be reached, under a fresh token from
    // the held password (the kept token was revoked meanwhile).
    await new ServiceClient(svc.url, fetch, savedToken).signOut();
    const ws = unlocked.workspace;
    const mutation: Omit<Mutation, 'baseVersion'> = { id: randomUUID(), type: 'referral.claim', entityId: rid!, payload: {}, clientTime: new Date().toISOString() };
    const referral = (await ws.queries.referral(rid!)) as Referral;
    await ws.outbox.enqueue({ mutation, effects: localEffects(mutation as Mutation, { user: { ...ws.user }, now: mutation.clientTime, outcome: null, referral }) });
    // (The workspace's engine asks navigator.onLine, which Node lacks: it is "online" here.)
    await ws.sync.start();
    await waitFor(async () => expect(await ws.db.outbox.count()).toBe(0));
    expect(ws.sync.getStatus().needsSignIn).toBe(false);
    expect((await observer.referral(rid!)).referral.assignedTo?.id).toBe(userId);
    ws.close();

    expect(await signInOrUnlock('registrar', 'wrong password', deps)).toEqual({ ok: false, message: 'The username or password is not right.' });
    const other = await signInOrUnlock('consultant', PASSWORD, deps);
    expect(other).toMatchObject({ ok: false, message: expect.stringContaining('only Dr R Egistrar') });
    clock += 2 * 3_600_000; // 73 h after the last online sign-in
    expect(await signInOrUnlock('registrar', PASSWORD, deps)).toMatchObject({ ok: false, message: expect.stringContaining('72 hours') });

    // Online, but the service does not answer: the offline unlock is the fallback.
    online = true;
    clock -= 2 * 3_600_000;
    const down = await signInOrUnlock('registrar', PASSWORD, { ...deps, fetch: async () => Promise.reject(new TypeError('fetch failed')) });
    if (!down.ok) throw new Error(down.message);
    expect(down.offline).toBe(true);
    down.workspace.close();

    // Online again: the existing key record is opened, not replaced; the cache is intact.
    const back = await signInOrUnlock('registrar', PASSWORD, deps);
    if (!back.ok) throw new Error(back.message);
    expect(back).toMatchObject({ offline: false, notice: null });
    expect(await back.workspace.queries.referral(rid!)).toMatchObject({ id: rid });
    expect(await signInOrUnlock('registrar', 'wrong', deps)).toEqual({ ok: false, message: 'The username or password is not right.' });
    back.workspace.close();
  });
});
