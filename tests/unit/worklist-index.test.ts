// fake-indexeddb first: Dexie looks up the global IndexedDB when it is loaded.
import 'fake-indexeddb/auto';
import { randomUUID } from 'node:crypto';
import Dexie, { liveQuery } from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Mutation, Outcome, Pathway, Referral, UserRef } from '../../shared/contract';
import { generateDataKey } from '../../renderer/src/data/crypto/cipher';
import { LATEST_VERSION, RecordDb, SCHEMA_VERSIONS } from '../../renderer/src/data/db/record-db';
import { purgeExpired } from '../../renderer/src/data/retention';
import { applyPage } from '../../renderer/src/data/store/apply-page';
import { EntityCodec } from '../../renderer/src/data/store/entity-codec';
import { localEffects } from '../../renderer/src/data/store/local-effects';
import { OutboxStore } from '../../renderer/src/data/store/outbox-store';
import { LOOKBACK_MS, WorklistIndex } from '../../renderer/src/data/worklist-index';
import { DEFAULT_VIEW, queryRows, summariseOutcome, summariseReferral, latestOutcome, type WorklistView } from '../../renderer/src/worklist/worklist-model';
import { feedBuilder } from '../support/records';

/*
 * The worklist index on a real IndexedDB implementation: built once by decrypting every row,
 * then kept up to date by reading only rows whose change stamp (schema v4) moved, including
 * the clinician's own overlays and deletions; its queries agree with a plain filter and sort.
 */

const ME: UserRef = { id: '0192f0a0-0000-7000-8000-0000000000c1', name: 'Dr C Onsultant', role: 'consultant' };
const REG: UserRef = { id: '0192f0a0-0000-7000-8000-0000000000c2', name: 'Dr R Egistrar', role: 'registrar' };
const GP_ID = '0192f0a0-0000-7000-8000-0000000000d1';
const NOW = Date.now();
const HOUR = 3_600_000;

const dataKey = await generateDataKey();
let db: RecordDb;
let codec: EntityCodec;
const feed = feedBuilder();

function referral(i: number, patch: Partial<Referral> = {}): Referral {
  const pathways: Pathway[] = ['advice', 'usc', 'waiting-list'];
  return {
    id: randomUUID(),
    version: 1,
    status: (['new', 'in-review', 'awaiting-signoff', 'waiting-info', 'done'] as const)[i % 5]!,
    pathway: pathways[i % 3]!,
    patient: { nhsNumber: '9990000018', name: { given: `Given${i}`, family: `Family${(i * 7) % 13}` }, birthDate: '1950-02-01', sex: 'female' },
    referrer: { name: 'Dr A Example', practiceCode: `A1234${i % 4}`, userId: GP_ID },
    question: 'A question the index never keeps.',
    history: {},
    receivedAt: new Date(NOW - (i % 9) * 24 * HOUR).toISOString(),
    dueAt: new Date(NOW + ((i % 11) - 4) * 12 * HOUR).toISOString(),
    assignedTo: i % 4 === 1 ? ME : null,
    imageIds: [],
    infoRequests: [],
    followUps: [],
    ...patch,
  };
}

function outcome(r: Referral, patch: Partial<Outcome> = {}): Outcome {
  return {
    id: randomUUID(),
    referralId: r.id,
    version: 1,
    status: 'awaiting-signoff',
    author: REG,
    decision: 'advice',
    diagnosis: { text: 'Seborrhoeic keratosis' },
    adviceToGp: 'Reassure.',
    priority: 'routine',
    createdAt: new Date(NOW - HOUR).toISOString(),
    updatedAt: new Date(NOW - HOUR).toISOString(),
    submittedAt: new Date(NOW - HOUR).toISOString(),
    supersedes: null,
    supersededBy: null,
    signedOff: null,
    returned: null,
    ...patch,
  };
}

async function load(referrals: readonly Referral[], outcomes: readonly Outcome[] = []): Promise<void> {
  await applyPage(db, codec, feed.page([...referrals.map(feed.referral), ...outcomes.map(feed.outcome)]));
}

/** What the index must answer: the plain filter and sort over freshly decrypted referrals. */
async function reference(view: WorklistView, me: UserRef): Promise<string[]> {
  const outcomes = await Promise.all((await db.outcomes.toArray()).map((r) => codec.visible('outcomes', r)));
  const referrals = await Promise.all((await db.referrals.toArray()).map((r) => codec.visible('referrals', r)));
  const rows = referrals
    .filter((r): r is Referral => r !== null)
    .map((r) => summariseReferral(r, latestOutcome(outcomes.filter((o): o is Outcome => o?.referralId === r.id).map(summariseOutcome))));
  return queryRows(rows, view, me, NOW).map((r) => r.id);
}

/** Ids of referral rows stamped at or after `from`, through the [changedAt+id] index. */
async function stampedSince(target: RecordDb, from: number): Promise<string[]> {
  return target.referrals.where('[changedAt+id]').between([from, Dexie.minKey], [Infinity, Dexie.maxKey]).primaryKeys();
}

beforeEach(() => {
  db = new RecordDb(`worklist-index-${randomUUID()}`);
  codec = new EntityCodec(dataKey);
});
afterEach(async () => {
  db.close();
  await Dexie.delete(db.name);
});

describe('worklist index', () => {
  it('is built once from every row and answers as a plain filter and sort would', async () => {
    const referrals = Array.from({ length: 60 }, (_, i) => referral(i));
    await load(referrals, [outcome(referrals[2]!), outcome(referrals[7]!, { status: 'final', author: ME, priority: 'urgent' })]);
    const index = new WorklistIndex(db, codec, ME);
    expect(await index.catchUp()).toBe(true);
    expect(index.isReady()).toBe(true);
    expect(index.getStats()).toMatchObject({ referrals: 60, outcomes: 2, decryptedSinceBuild: 0 });
    expect(index.getStats().buildMs).toBeGreaterThan(0);

    const views: WorklistView[] = [
      DEFAULT_VIEW,
      { ...DEFAULT_VIEW, queue: 'mine' },
      { ...DEFAULT_VIEW, queue: 'unassigned', sort: 'name' },
      { ...DEFAULT_VIEW, queue: 'signoff', sort: 'priority', dir: 'desc' },
      { ...DEFAULT_VIEW, queue: 'waiting', sort: 'received' },
      { ...DEFAULT_VIEW, filters: { ...DEFAULT_VIEW.filters, pathway: 'usc', due: 'overdue' }, sort: 'pathway' },
      { ...DEFAULT_VIEW, filters: { ...DEFAULT_VIEW.filters, search: 'family3', priority: 'none', age: { mode: 'within', days: 4 } } },
    ];
    for (const view of views) expect(index.query(view, NOW).rows.map((r) => r.id), JSON.stringify(view)).toEqual(await reference(view, ME));
    expect(index.query({ ...DEFAULT_VIEW, queue: 'signoff' }, NOW).rows.map((r) => r.id)).toEqual([referrals[2]!.id]);
    expect(index.query(DEFAULT_VIEW, NOW).counts).toMatchObject({ all: 60, signoff: 1, waiting: 12 });
  });

  it('keeps nothing clinical beyond what the table shows', async () => {
    const r = referral(0);
    await load([r]);
    const index = new WorklistIndex(db, codec, ME);
    await index.catchUp();
    expect(JSON.stringify(index.query(DEFAULT_VIEW, NOW).rows)).not.toContain('never keeps');
  });

  it('after the build, reads and decrypts only rows written since: a pull, an overlay, an outcome', async () => {
    const referrals = Array.from({ length: 40 }, (_, i) => referral(i, { status: 'new', assignedTo: null }));
    await load(referrals);
    const index = new WorklistIndex(db, codec, ME);
    await index.catchUp();
    expect(await index.catchUp()).toBe(false); // nothing changed: nothing decrypted
    expect(index.getStats().decryptedSinceBuild).toBe(0);

    // A pull brings a new version of one referral and a new one.
    const changed = { ...referrals[5]!, version: 2, pathway: 'usc' as const };
    const added = referral(99, { status: 'new' });
    await load([changed, added]);
    expect(await index.catchUp()).toBe(true);
    expect(index.get(changed.id)?.pathway).toBe('usc');
    expect(index.get(added.id)).toBeDefined();
    // Rows inside the look-back window are looked at again but skipped unopened when unchanged.
    expect(index.getStats().decryptedSinceBuild).toBe(2);

    // The clinician takes a referral: the outbox writes an overlay, the index shows it at once.
    const outbox = new OutboxStore(db, codec);
    const target = referrals[9]!;
    const claim: Omit<Mutation, 'baseVersion'> = { id: randomUUID(), type: 'referral.claim', entityId: target.id, payload: {}, clientTime: new Date().toISOString() };
    await outbox.enqueue({ mutation: claim, effects: localEffects(claim as Mutation, { user: ME, now: claim.clientTime, outcome: null, referral: target }) });
    await index.catchUp();
    expect(index.get(target.id)).toMatchObject({ assignedToId: ME.id, status: 'in-review' });
    expect(index.query({ ...DEFAULT_VIEW, queue: 'mine' }, NOW).rows.map((r) => r.id)).toEqual([target.id]);
    expect(index.getStats().decryptedSinceBuild).toBe(3);

    // An outcome arrives: the referral's priority and queue follow without re-reading the referral.
    await load([], [outcome(referrals[11]!, { priority: 'P1a' })]);
    await index.catchUp();
    expect(index.get(referrals[11]!.id)?.outcome?.priority).toBe('P1a');
    expect(index.query({ ...DEFAULT_VIEW, filters: { ...DEFAULT_VIEW.filters, priority: 'P1a' } }, NOW).rows.map((r) => r.id)).toEqual([referrals[11]!.id]);
  });

  it('drops rows the store deleted (retention), found by key without reading values', async () => {
    const referrals = Array.from({ length: 5 }, (_, i) => referral(i, { status: 'done' }));
    await load(referrals);
    const index = new WorklistIndex(db, codec, ME);
    await index.catchUp();
    await db.referrals.delete(referrals[1]!.id);
    expect(await index.catchUp()).toBe(true);
    expect(index.get(referrals[1]!.id)).toBeUndefined();
    expect(index.query(DEFAULT_VIEW, NOW).rows).toHaveLength(4);
    // Retention's own path too.
    const report = await purgeExpired(db, codec, 30, NOW + 365 * 24 * HOUR);
    expect(report.referralsRemoved).not.toBe(0);
    await index.catchUp();
    expect(index.query(DEFAULT_VIEW, NOW).rows.length).toBe(await db.referrals.count());
  });

  it('follows the database live while someone listens', async () => {
    await load([referral(0, { status: 'new' })]);
    const index = new WorklistIndex(db, codec, ME);
    let calls = 0;
    const stop = index.subscribe(() => calls++);
    await index.ready();
    const before = calls;
    await load([referral(1, { status: 'new' })]);
    await expect.poll(() => index.query(DEFAULT_VIEW, NOW).rows.length).toBe(2);
    expect(calls).toBeGreaterThan(before);
    stop();
  });

  it('looks back a few seconds for clocks that stepped back', () => {
    expect(LOOKBACK_MS).toBeGreaterThanOrEqual(1000);
  });
});

describe('schema upgrade v3 → v4: change stamps', () => {
  it('declares v4 last', () => {
    expect(SCHEMA_VERSIONS.map((v) => v.version)).toEqual([1, 2, 3, 4]);
    expect(LATEST_VERSION).toBe(4);
  });

  it('keeps v3 rows as they were, indexes what is written after, and the index reads both', async () => {
    const name = `worklist-index-v3-${randomUUID()}`;
    const r1 = referral(0, { status: 'new' });
    const r2 = referral(1, { status: 'new' });
    const v3 = new RecordDb(name, 3);
    await applyPage(v3, codec, feed.page([feed.referral(r1), feed.referral(r2)]));
    const before = await v3.referrals.toArray();
    expect(before.every((row) => row.changedAt === undefined)).toBe(true);
    v3.close();

    const v4 = new RecordDb(name);
    try {
      await v4.open();
      expect(v4.verno).toBe(4);
      expect(await v4.referrals.toArray()).toEqual(before);
      expect(await stampedSince(v4, 0)).toEqual([]);

      db.close();
      db = v4;
      const index = new WorklistIndex(v4, codec, ME);
      await index.catchUp();
      expect(index.query(DEFAULT_VIEW, NOW).rows.map((r) => r.id).sort()).toEqual([r1.id, r2.id].sort());

      // Any writer now stamps its rows: a feed page, and a plain put.
      const t0 = Date.now();
      await applyPage(v4, codec, feed.page([feed.referral({ ...r1, version: 2, status: 'in-review' })]));
      const stamped = await v4.referrals.get(r1.id);
      expect(stamped?.changedAt).toBeGreaterThanOrEqual(t0);
      expect(await stampedSince(v4, t0)).toEqual([r1.id]);
      await index.catchUp();
      expect(index.get(r1.id)?.status).toBe('in-review');
      expect(index.get(r2.id)?.status).toBe('new');
    } finally {
      v4.close();
      await Dexie.delete(name);
    }
  });

  it('stamps rows changed through modify() and update() as well as put()', async () => {
    const r = referral(0);
    await load([r]);
    await db.referrals.where('id').equals(r.id).modify({ storedAt: 1 });
    const a = (await db.referrals.get(r.id))!.changedAt!;
    await new Promise((res) => setTimeout(res, 5));
    await db.referrals.update(r.id, { storedAt: 2 });
    const b = (await db.referrals.get(r.id))!.changedAt!;
    expect(b).toBeGreaterThan(a);
    // liveQuery sees it through the index, as the worklist does.
    const seen = await new Promise<number>((resolve) => {
      const sub = liveQuery(() => stampedSince(db, b).then((ids) => ids.length)).subscribe((n) => {
        sub.unsubscribe();
        resolve(n);
      });
    });
    expect(seen).toBe(1);
  });
});
