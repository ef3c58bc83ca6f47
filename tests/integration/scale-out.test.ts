import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ReferralCreated, type Change, type Mutation, type MutationResult } from '../../shared/contract';
import { ServiceClient } from '../../shared/client/service-client';
import { PgRepository } from '../../service/repo/pg-repository';
import type { ChangeInput, Viewer } from '../../service/repo/repository';
import { createTestDatabase, postReferral, referralBody, startInstance, startService, testJpeg, type RunningService } from './harness';

/**
 * Scale-out on PostgreSQL (this file runs only in the integration-postgres project): several
 * service instances share one database and one image store, and the change feed, paged with a
 * plain `seq` cursor, must never skip a change that commits late.
 */

const clinician: Viewer = { userId: randomUUID(), role: 'consultant' };
const change = (id: string): ChangeInput => ({ type: 'referral', id, version: 1, data: { id }, referrerUserId: null });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sessions waiting for an advisory lock in this database (the write lock is the only one). */
const lockWaiters = (url: string) =>
  withClient(url, async (c) => {
    const { rows } = await c.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    );
    return rows[0]!.n;
  });

describe('a seq cursor never skips a late commit', () => {
  it('without the write lock it would: the hazard the lock exists for', async () => {
    const db = await createTestDatabase();
    const repo = await PgRepository.open(db.url); // creates the schema
    try {
      await withClient(db.url, (early) =>
        withClient(db.url, async (late) => {
          // Two raw transactions that skip the repository (and so its lock): the first draws the
          // lower seq but commits last.
          await late.query('BEGIN');
          const lateSeq = Number((await late.query("INSERT INTO changes (entity_type, entity_id, version) VALUES ('referral', 'late', 1) RETURNING seq")).rows[0].seq);
          await early.query('BEGIN');
          const earlySeq = Number((await early.query("INSERT INTO changes (entity_type, entity_id, version) VALUES ('referral', 'early', 1) RETURNING seq")).rows[0].seq);
          await early.query('COMMIT');
          expect(lateSeq).toBeLessThan(earlySeq);

          const page = await repo.read((tx) => tx.listChanges(0, 100, clinician));
          expect(page.map((c) => c.id)).toEqual(['early']);
          const cursor = page.at(-1)!.seq;
          await late.query('COMMIT');
          // The reader's next page starts after `early`: `late` is behind the cursor for ever.
          expect(await repo.read((tx) => tx.listChanges(cursor, 100, clinician))).toEqual([]);
          expect((await repo.read((tx) => tx.listChanges(0, 100, clinician))).map((c) => c.id)).toEqual(['late', 'early']);
        }),
      );
    } finally {
      await repo.close();
      await db.drop();
    }
  });

  it('with it, a transaction that appended first and commits late is seen before a later one', async () => {
    const db = await createTestDatabase();
    const a = await PgRepository.open(db.url, { poolSize: 2 });
    const b = await PgRepository.open(db.url, { poolSize: 2 });
    const reader = await PgRepository.open(db.url, { poolSize: 2 });
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    try {
      const feed = () => reader.read((tx) => tx.listChanges(0, 100, clinician));
      let appended!: () => void;
      const aAppended = new Promise<void>((resolve) => (appended = resolve));
      const [idA, idB] = [randomUUID(), randomUUID()];

      // Instance A appends a change, then holds its transaction open until the gate opens.
      const txA = a.transaction(async (tx) => {
        const seq = await tx.appendChange(change(idA));
        appended();
        await gate;
        return seq;
      });
      await aAppended;

      // Instance B appends and commits meanwhile: it queues on the write lock behind A.
      let bSettled = false;
      const txB = b.transaction((tx) => tx.appendChange(change(idB))).finally(() => (bSettled = true));
      await waitFor('B waits for the write lock (or, were there none, commits)', async () => bSettled || (await lockWaiters(db.url)) === 1);

      // Neither is visible, and B cannot commit ahead of A (without the lock it would have, and
      // a reader paging now would move its cursor past A's lower seq).
      expect(await feed()).toEqual([]);
      await sleep(100);
      expect(bSettled).toBe(false);
      expect(await feed()).toEqual([]);

      openGate();
      const [seqA, seqB] = await Promise.all([txA, txB]);
      expect(seqA).toBeLessThan(seqB);
      expect((await feed()).map((c) => [c.seq, c.id])).toEqual([[seqA, idA], [seqB, idB]]);
    } finally {
      openGate(); // a failed expectation must not leave A's transaction (and close()) waiting
      await Promise.all([a.close(), b.close(), reader.close()]);
      await db.drop();
    }
  });
});

describe('reads do not wait for writers', () => {
  it('answer while a write transaction is held open and more are queued behind it', async () => {
    const db = await createTestDatabase();
    const repo = await PgRepository.open(db.url, { poolSize: 2 });
    const other = await PgRepository.open(db.url, { poolSize: 2 });
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    try {
      let started!: () => void;
      const held = new Promise<void>((resolve) => (started = resolve));
      const first = repo.transaction(async (tx) => {
        await tx.appendChange(change(randomUUID()));
        started();
        await gate;
      });
      await held;
      // More writes than the pool has connections, from this instance and another one.
      const queued = [
        ...Array.from({ length: 5 }, () => repo.transaction((tx) => tx.appendChange(change(randomUUID())))),
        ...Array.from({ length: 3 }, () => other.transaction((tx) => tx.appendChange(change(randomUUID())))),
      ];
      // Reads on both instances still get a connection and a snapshot, at once.
      expect(await within(5000, 'a read', repo.read((tx) => tx.listChanges(0, 100, clinician)))).toEqual([]);
      expect(await within(5000, 'a read', other.read((tx) => tx.listChanges(0, 100, clinician)))).toEqual([]);
      openGate();
      await Promise.all([first, ...queued]);
      const seqs = (await repo.read((tx) => tx.listChanges(0, 100, clinician))).map((c) => c.seq);
      expect(seqs).toHaveLength(9);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    } finally {
      openGate();
      await Promise.all([repo.close(), other.close()]);
      await db.drop();
    }
  });
});

describe('two service instances on one PostgreSQL and one image store', () => {
  it('deliver every change exactly once, in order, to a reader paging both under concurrent writes', async () => {
    const one = await startService();
    let two: RunningService | undefined;
    try {
      two = await startInstance(one);
      const instances = [one, two];
      expect((await one.client().health()).database).toBe('postgres');
      expect((await two.client().health()).database).toBe('postgres');

      // A session made on one instance works on the other: sessions live in the database.
      const gp = await one.signedIn('gp');
      const gpToken = gp.currentToken()!;
      const consultant = await two.signedIn('consultant');
      const registrar = await one.signedIn('registrar');
      const on = (svc: RunningService, c: ServiceClient) => new ServiceClient(svc.url, fetch, c.currentToken());

      const createReferral = async (svc: RunningService, part: string) => {
        const res = await postReferral(svc, gpToken, referralBody([part]), { [part]: await testJpeg(320 + Math.floor(Math.random() * 200), 240) });
        expect(res.status).toBe(201);
        return ReferralCreated.parse(await res.json()).id;
      };
      const referrals: string[] = [];
      for (let i = 0; i < 4; i++) referrals.push(await createReferral(instances[i % 2]!, `seed${i}`));

      // The reader: a clinician paging the feed with a small page size, against alternating
      // instances, from before the writers start until after they have finished.
      const delivered: Change[] = [];
      let writersDone = false;
      let pages = 0;
      const readers = [on(one, consultant), on(two, consultant)];
      const reader = (async () => {
        let cursor: string | undefined;
        for (;;) {
          const finished = writersDone; // read before the page: everything was committed by then
          const page = await readers[pages++ % 2]!.changes(cursor, 3);
          for (const c of page.changes) {
            if (cursor !== undefined) expect(c.seq).toBeGreaterThan(Number(cursor));
            delivered.push(c);
            cursor = String(c.seq);
          }
          cursor = page.cursor;
          if (finished && !page.hasMore) return;
          if (!page.hasMore) await sleep(2);
        }
      })();
      reader.catch(() => undefined); // awaited below; a failure must not surface as unhandled first

      // The writers: clinicians on both instances claiming, releasing and saving drafts on the
      // same referrals (conflicts and refusals are expected under contention), and the GP
      // sending two more referrals, one through each instance.
      const applied = new Map<string, number>(instances.map((s) => [s.url, 0]));
      const statuses = new Map<string, number>();
      const writer = async (svc: RunningService, who: ServiceClient, rounds: number) => {
        const client = on(svc, who);
        const known = new Map<string, number>();
        for (let i = 0; i < rounds; i++) {
          const referralId = referrals[Math.floor(Math.random() * referrals.length)]!;
          if (!known.has(referralId) || Math.random() < 0.2) known.set(referralId, (await client.referral(referralId)).referral.version);
          const base = known.get(referralId)!;
          const clientTime = new Date().toISOString();
          const mutations: Mutation[] = [
            { id: randomUUID(), type: Math.random() < 0.5 ? 'referral.claim' : 'referral.release', entityId: referralId, baseVersion: base, payload: {}, clientTime },
            {
              id: randomUUID(), type: 'outcome.save-draft', entityId: randomUUID(), clientTime,
              payload: { referralId, decision: 'discharge', diagnosis: { text: 'Seborrhoeic keratosis' }, adviceToGp: 'Benign; safety-netting advice given.' },
            },
          ];
          const { results } = await client.mutate(mutations);
          results.forEach((r: MutationResult) => statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1));
          const [first] = results;
          if (first?.status === 'applied') known.set(referralId, first.entityVersion!);
          if (first?.status === 'conflict' && first.error?.currentVersion !== undefined) known.set(referralId, first.error.currentVersion);
          applied.set(svc.url, applied.get(svc.url)! + results.filter((r) => r.status === 'applied').length);
        }
      };
      // Every writer runs to its end even if one fails, so nothing is in flight at close().
      const settled = await Promise.allSettled([
        writer(one, consultant, 12),
        writer(two, consultant, 12),
        writer(one, registrar, 12),
        writer(two, registrar, 12),
        createReferral(one, 'late1').then((id) => referrals.push(id)),
        createReferral(two, 'late2').then((id) => referrals.push(id)),
      ]);
      writersDone = true;
      await reader;
      for (const r of settled) if (r.status === 'rejected') throw r.reason;

      // Both instances wrote, and contention happened.
      for (const [url, n] of applied) expect(n, `mutations applied through ${url}`).toBeGreaterThan(0);
      expect(statuses.get('applied') ?? 0).toBeGreaterThan(48);
      expect(pages).toBeGreaterThan(10);

      const dbUrl = one.ctx.config.databaseUrl!;
      const db = await withClient(dbUrl, async (c) => ({
        seqs: (await c.query<{ seq: string }>('SELECT seq FROM changes ORDER BY seq')).rows.map((r) => Number(r.seq)),
        // Images are written once (version 1); referrals and outcomes carry their version.
        entities: (await c.query<{ type: string; id: string; version: number; data: unknown }>(
          `SELECT 'referral' AS type, id, version, data FROM referrals
           UNION ALL SELECT 'outcome', id, version, data FROM outcomes
           UNION ALL SELECT 'image', id, 1, data FROM images`,
        )).rows,
      }));

      // Every change the database holds was delivered exactly once, in increasing seq order.
      const seqs = delivered.map((c) => c.seq);
      expect(seqs).toEqual(db.seqs);
      expect(new Set(seqs).size).toBe(seqs.length);

      // The reader's latest state of every entity is the database's.
      const latest = new Map<string, Change>();
      for (const c of delivered) latest.set(`${c.type}:${c.id}`, c);
      expect(latest.size).toBe(db.entities.length);
      for (const e of db.entities) {
        const seen = latest.get(`${e.type}:${e.id}`);
        expect(seen, `${e.type} ${e.id}`).toBeDefined();
        expect(seen!.version).toBe(e.version);
        expect(seen!.data).toEqual(e.data);
      }
    } finally {
      await two?.close();
      await one.close();
    }
  });
});
