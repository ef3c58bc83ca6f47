import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Annotation, ImageRecord, Outcome, Referral, type AuditEvent, type Role } from '../../shared/contract';
import { syntheticNhsNumber } from '../../shared/domain/nhs-number';
import { SQLITE_MIGRATIONS } from '../../service/db/migrations';
import { migratePg, PG_MIGRATIONS } from '../../service/db/pg-migrations';
import { migrate } from '../../service/db/sqlite';
import { brokenLink, CHAIN_START, type ChainPosition } from '../../service/repo/audit-hash';
import type { Repository, Tx, UserRow } from '../../service/repo/repository';
import { createTestDatabase, startService, TEST_BACKEND, type RunningService } from './harness';

/**
 * The repository's contract, checked through a started service's `ctx.repo` on whichever
 * backend this project runs (integration-sqlite, integration-postgres): both must behave the
 * same, call for call.
 */
let svc: RunningService;
let repo: Repository;

beforeAll(async () => {
  svc = await startService();
  repo = svc.ctx.repo;
});

afterAll(async () => {
  await svc?.close();
});

const user = (username: string, role: Role, over: Partial<UserRow> = {}): UserRow => ({
  id: randomUUID(),
  username,
  name: `Name of ${username}`,
  role,
  passwordHash: `hash-${username}`,
  disabled: false,
  createdAt: '2026-11-24T09:00:00.000Z',
  ...over,
});

async function addUser(username: string, role: Role): Promise<UserRow> {
  const u = user(username, role);
  await repo.transaction((tx) => tx.insertUser(u));
  return u;
}

function referral(referrer: UserRow, over: Partial<Referral> = {}): Referral {
  return Referral.parse({
    id: randomUUID(),
    version: 1,
    status: 'new',
    pathway: 'advice',
    patient: { nhsNumber: syntheticNhsNumber(4242), name: { given: 'Ada', family: 'Example' }, birthDate: '1950-02-01', sex: 'female' },
    referrer: { name: referrer.name, practiceCode: 'A12345', userId: referrer.id },
    question: 'Pigmented lesion on the left shin — changed over 3 months. Melanoma? “quoted” ünïcödé',
    history: { duration: '3 months', changed: true, bleeding: false },
    receivedAt: '2026-11-24T10:00:00.000Z',
    dueAt: '2026-12-08T10:00:00.000Z',
    assignedTo: null,
    imageIds: [],
    ...over,
  });
}

function image(ref: Referral, id = randomUUID()): ImageRecord {
  return ImageRecord.parse({
    id,
    referralId: ref.id,
    patientNhsNumber: ref.patient.nhsNumber,
    lesion: 'L1',
    kind: 'dermoscopic',
    bodySite: 'left lower leg',
    capturedAt: '2026-11-01T10:00:00Z',
    width: 900,
    height: 600,
    tileSize: 254,
    overlap: 1,
    format: 'jpeg',
    mmPerPixel: 0.0125,
  });
}

function outcome(ref: Referral, author: UserRow, id = randomUUID()): Outcome {
  return Outcome.parse({
    id,
    referralId: ref.id,
    version: 1,
    status: 'draft',
    author: { id: author.id, name: author.name, role: author.role },
    decision: 'discharge',
    diagnosis: { text: 'Seborrhoeic keratosis', code: '69322001', system: 'http://snomed.info/sct' },
    adviceToGp: 'Benign; no follow-up needed.',
    createdAt: '2026-11-24T11:00:00.000Z',
    updatedAt: '2026-11-24T11:00:00.000Z',
    submittedAt: null,
  });
}

function annotation(img: ImageRecord, author: UserRow, id = randomUUID()): Annotation {
  return Annotation.parse({
    id,
    imageId: img.id,
    referralId: img.referralId,
    version: 1,
    shape: { kind: 'polygon', points: [{ x: 1.5, y: 2 }, { x: 10, y: 2.25 }, { x: 5, y: 9 }] },
    label: 'A',
    note: null,
    author: { id: author.id, name: author.name, role: author.role },
    createdAt: '2026-11-24T12:00:00.000Z',
    updatedAt: '2026-11-24T12:00:00.000Z',
  });
}

/** Ids in descending order, so insertion order and id order disagree. */
const descendingIds = (n: number) => Array.from({ length: n }, () => randomUUID()).sort().reverse();

const walkAudit = async (pageSize: number): Promise<{ events: AuditEvent[]; broken: string | null }> => {
  const events: AuditEvent[] = [];
  let prev: ChainPosition = CHAIN_START;
  for (;;) {
    const page = await repo.read((tx) => tx.auditPage(prev.seq, pageSize));
    for (const e of page) {
      const broken = brokenLink(prev, e);
      if (broken) return { events, broken };
      events.push(e);
      prev = { seq: e.seq, hash: e.hash };
    }
    if (page.length < pageSize) return { events, broken: null };
  }
};

describe(`repository conformance (${TEST_BACKEND})`, () => {
  it('reports its backend', () => {
    expect(repo.kind).toBe(TEST_BACKEND);
  });

  it('stores, finds, lists (by username, byte order) and updates users', async () => {
    const before = await repo.read((tx) => tx.countUsers());
    const zed = user('Zed', 'registrar');
    const amy = user('amy', 'consultant', { disabled: true });
    await repo.transaction(async (tx) => {
      await tx.insertUser(zed);
      await tx.insertUser(amy);
    });
    expect(await repo.read((tx) => tx.countUsers())).toBe(before + 2);
    expect(await repo.read((tx) => tx.findUserByUsername('amy'))).toEqual(amy);
    expect(await repo.read((tx) => tx.getUser(zed.id))).toEqual(zed);
    expect(await repo.read((tx) => tx.findUserByUsername('AMY'))).toBeUndefined();
    expect(await repo.read((tx) => tx.getUser(randomUUID()))).toBeUndefined();

    const names = (await repo.read((tx) => tx.listUsers())).map((u) => u.username);
    // Byte order, as SQLite's BINARY collation: capitals before lower case.
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(names.indexOf('Zed')).toBeLessThan(names.indexOf('amy'));

    const changed = { ...amy, username: 'ignored', name: 'Dr Amy Changed', role: 'admin' as const, passwordHash: 'new-hash', disabled: false, createdAt: '1999-01-01T00:00:00.000Z' };
    await repo.transaction((tx) => tx.updateUser(changed));
    // Name, role, hash and the flag change; username and creation time do not.
    expect(await repo.read((tx) => tx.getUser(amy.id))).toEqual({ ...amy, name: 'Dr Amy Changed', role: 'admin', passwordHash: 'new-hash', disabled: false });
  });

  it('keeps sessions: touch, revoke once, revoke all of a user (counting)', async () => {
    const a = await addUser(`sess-a-${randomUUID()}`, 'registrar');
    const b = await addUser(`sess-b-${randomUUID()}`, 'registrar');
    const s = (userId: string, tokenHash = randomUUID()) => ({
      tokenHash, userId, createdAt: '2026-11-24T10:00:00.000Z', expiresAt: '2026-11-24T22:00:00.000Z', lastSeenAt: '2026-11-24T10:00:00.000Z', revokedAt: null,
    });
    const [a1, a2, a3, b1] = [s(a.id), s(a.id), s(a.id), s(b.id)];
    await repo.transaction(async (tx) => {
      for (const x of [a1, a2, a3, b1]) await tx.insertSession(x);
    });
    expect(await repo.read((tx) => tx.getSession(a1.tokenHash))).toEqual(a1);
    expect(await repo.read((tx) => tx.getSession('nope'))).toBeUndefined();

    await repo.transaction((tx) => tx.touchSession(a1.tokenHash, '2026-11-24T10:05:00.000Z'));
    expect((await repo.read((tx) => tx.getSession(a1.tokenHash)))?.lastSeenAt).toBe('2026-11-24T10:05:00.000Z');

    await repo.transaction((tx) => tx.revokeSession(a2.tokenHash, '2026-11-24T10:06:00.000Z'));
    await repo.transaction((tx) => tx.revokeSession(a2.tokenHash, '2026-11-24T10:07:00.000Z'));
    expect((await repo.read((tx) => tx.getSession(a2.tokenHash)))?.revokedAt).toBe('2026-11-24T10:06:00.000Z');

    // Only the sessions still open count, and only this user's.
    expect(await repo.transaction((tx) => tx.revokeSessionsForUser(a.id, '2026-11-24T10:08:00.000Z'))).toBe(2);
    expect(await repo.transaction((tx) => tx.revokeSessionsForUser(a.id, '2026-11-24T10:09:00.000Z'))).toBe(0);
    const after = await repo.read((tx) => Promise.all([a1, a2, a3, b1].map((x) => tx.getSession(x.tokenHash))));
    expect(after.map((x) => x?.revokedAt)).toEqual(['2026-11-24T10:08:00.000Z', '2026-11-24T10:06:00.000Z', '2026-11-24T10:08:00.000Z', null]);
  });

  it('counts refused sign-ins by username and by address since a time, and clears a username', async () => {
    const name = `mallory-${randomUUID()}`;
    const other = `trudy-${randomUUID()}`;
    const addr = `192.0.2.${Math.floor(Math.random() * 250) + 1}-${randomUUID()}`;
    await repo.transaction(async (tx) => {
      await tx.recordSignInFailure({ username: name, address: addr }, '2026-11-24T10:00:00.000Z');
      await tx.recordSignInFailure({ username: name, address: addr }, '2026-11-24T10:10:00.000Z');
      await tx.recordSignInFailure({ username: name, address: '198.51.100.7' }, '2026-11-24T10:20:00.000Z');
      await tx.recordSignInFailure({ username: other, address: addr }, '2026-11-24T10:30:00.000Z');
    });
    const count = (key: { username: string } | { address: string }, since: string) => repo.read((tx) => tx.countSignInFailures(key, since));
    expect(await count({ username: name }, '2026-11-24T00:00:00.000Z')).toBe(3);
    // `since` is inclusive.
    expect(await count({ username: name }, '2026-11-24T10:10:00.000Z')).toBe(2);
    expect(await count({ username: name }, '2026-11-24T10:20:00.001Z')).toBe(0);
    expect(await count({ address: addr }, '2026-11-24T00:00:00.000Z')).toBe(3);
    expect(await count({ address: addr }, '2026-11-24T10:05:00.000Z')).toBe(2);

    await repo.transaction((tx) => tx.clearSignInFailures(name));
    expect(await count({ username: name }, '2026-11-24T00:00:00.000Z')).toBe(0);
    expect(await count({ username: other }, '2026-11-24T00:00:00.000Z')).toBe(1);
    expect(await count({ address: addr }, '2026-11-24T00:00:00.000Z')).toBe(1);
  });

  it('round-trips referrals, images, outcomes and annotations, listed in insertion order', async () => {
    const gp = await addUser(`gp-${randomUUID()}`, 'referrer');
    const doc = await addUser(`doc-${randomUUID()}`, 'consultant');
    const nhs = syntheticNhsNumber(Math.floor(Math.random() * 900_000) + 1000);
    const later = referral(gp, { receivedAt: '2026-11-25T10:00:00.000Z', patient: { ...referral(gp).patient, nhsNumber: nhs } });
    const earlier = referral(gp, { receivedAt: '2026-11-20T10:00:00.000Z', patient: { ...referral(gp).patient, nhsNumber: nhs } });
    const before = await repo.read((tx) => tx.countReferrals());
    await repo.transaction(async (tx) => {
      await tx.insertReferral(later);
      await tx.insertReferral(earlier);
    });
    expect(await repo.read((tx) => tx.countReferrals())).toBe(before + 2);
    expect(await repo.read((tx) => tx.getReferral(later.id))).toEqual(later);
    expect(await repo.read((tx) => tx.getReferral(randomUUID()))).toBeUndefined();
    expect((await repo.read((tx) => tx.referralsForPatient(nhs))).map((r) => r.id)).toEqual([earlier.id, later.id]);

    const updated: Referral = { ...later, version: 2, status: 'in-review', assignedTo: { id: doc.id, name: doc.name, role: doc.role } };
    await repo.transaction((tx) => tx.updateReferral(updated));
    expect(await repo.read((tx) => tx.getReferral(later.id))).toEqual(updated);

    const images = descendingIds(3).map((id) => image(later, id));
    await repo.transaction(async (tx) => {
      for (const img of images) await tx.insertImage(img, 'ab'.repeat(32));
    });
    expect(await repo.read((tx) => tx.imagesForReferral(later.id))).toEqual(images);
    expect(await repo.read((tx) => tx.getImage(images[1]!.id))).toEqual(images[1]);
    expect(await repo.read((tx) => tx.imagesForReferral(earlier.id))).toEqual([]);

    const outcomes = descendingIds(2).map((id) => outcome(later, doc, id));
    await repo.transaction(async (tx) => {
      for (const o of outcomes) await tx.insertOutcome(o);
    });
    // Updating the first keeps its place in the list.
    const finalised: Outcome = { ...outcomes[0]!, version: 2, status: 'final', submittedAt: '2026-11-24T11:30:00.000Z', updatedAt: '2026-11-24T11:30:00.000Z' };
    await repo.transaction((tx) => tx.updateOutcome(finalised));
    expect(await repo.read((tx) => tx.getOutcome(finalised.id))).toEqual(finalised);
    expect(await repo.read((tx) => tx.outcomesForReferral(later.id))).toEqual([finalised, outcomes[1]]);
    expect(await repo.read((tx) => tx.getOutcome(randomUUID()))).toBeUndefined();

    const notes = descendingIds(3).map((id) => annotation(images[0]!, doc, id));
    await repo.transaction(async (tx) => {
      for (const a of notes) await tx.insertAnnotation(a);
    });
    const edited: Annotation = { ...notes[0]!, version: 2, label: null, note: 'edited', shape: { kind: 'line', from: { x: 0, y: 0 }, to: { x: 3, y: 4 } } };
    await repo.transaction(async (tx) => {
      await tx.updateAnnotation(edited);
      await tx.markAnnotationDeleted(notes[1]!.id, 2);
    });
    expect(await repo.read((tx) => tx.getAnnotation(edited.id))).toEqual({ annotation: edited, deleted: false });
    expect(await repo.read((tx) => tx.getAnnotation(notes[1]!.id))).toMatchObject({ deleted: true, annotation: { id: notes[1]!.id } });
    expect(await repo.read((tx) => tx.getAnnotation(randomUUID()))).toBeUndefined();
    expect(await repo.read((tx) => tx.annotationsForReferral(later.id))).toEqual([edited, notes[2]]);

    // Calls issued concurrently inside one transaction are fine (they queue on its connection).
    const [r, imgs, outs, anns] = await repo.read((tx) =>
      Promise.all([tx.getReferral(later.id), tx.imagesForReferral(later.id), tx.outcomesForReferral(later.id), tx.annotationsForReferral(later.id)]),
    );
    expect([r?.id, imgs.length, outs.length, anns.length]).toEqual([later.id, 3, 2, 2]);
  });

  it('records mutations for idempotency', async () => {
    const m = { id: randomUUID(), userId: randomUUID(), type: 'referral.claim', entityId: randomUUID(), entityVersion: 7 };
    await repo.transaction((tx) => tx.recordMutation(m, '2026-11-24T10:00:00.000Z'));
    expect(await repo.read((tx) => tx.getMutation(m.id))).toEqual(m);
    expect(await repo.read((tx) => tx.getMutation(randomUUID()))).toBeUndefined();
  });

  it('pages the change feed in seq order, filtered by role', async () => {
    const gp = await addUser(`feed-gp-${randomUUID()}`, 'referrer');
    const gp2 = await addUser(`feed-gp2-${randomUUID()}`, 'referrer');
    const ref = referral(gp);
    const other = referral(gp2);
    const draft = outcome(ref, gp);
    const seqs = await repo.transaction(async (tx) => [
      await tx.appendChange({ type: 'referral', id: ref.id, version: 1, data: ref, referrerUserId: gp.id }),
      await tx.appendChange({ type: 'outcome', id: draft.id, version: 1, data: draft, referrerUserId: null }),
      await tx.appendChange({ type: 'referral', id: other.id, version: 1, data: other, referrerUserId: gp2.id }),
      await tx.appendChange({ type: 'annotation', id: randomUUID(), version: 2, data: null, deleted: true, referrerUserId: null }),
      await tx.appendChange({ type: 'referral', id: ref.id, version: 2, data: { ...ref, version: 2 }, referrerUserId: gp.id }),
    ]);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(5);
    const base = seqs[0]! - 1;
    const list = (viewer: { userId: string; role: Role }, after = base, limit = 100) => repo.read((tx) => tx.listChanges(after, limit, viewer));

    const all = await list({ userId: randomUUID(), role: 'registrar' });
    expect(all.map((c) => c.seq)).toEqual(seqs);
    expect(all[0]).toEqual({ seq: seqs[0], type: 'referral', id: ref.id, version: 1, deleted: false, data: ref });
    expect(all[1]!.data).toEqual(draft);
    expect(all[3]).toMatchObject({ type: 'annotation', version: 2, deleted: true, data: null });
    expect((await list({ userId: randomUUID(), role: 'consultant' })).map((c) => c.seq)).toEqual(seqs);

    // Paging: after and limit.
    expect((await list({ userId: randomUUID(), role: 'consultant' }, seqs[1]!, 2)).map((c) => c.seq)).toEqual([seqs[2], seqs[3]]);

    // A referrer sees only what names them; other roles likewise (admin is not a clinician).
    expect((await list({ userId: gp.id, role: 'referrer' })).map((c) => c.seq)).toEqual([seqs[0], seqs[4]]);
    expect((await list({ userId: gp2.id, role: 'referrer' })).map((c) => c.seq)).toEqual([seqs[2]]);
    expect(await list({ userId: gp.id, role: 'admin' })).toHaveLength(2);
    expect(await list({ userId: randomUUID(), role: 'admin' })).toEqual([]);
  });

  it('appends audit events as a hash chain that verifies across page boundaries', async () => {
    const entity = randomUUID();
    const other = randomUUID();
    const appended = await repo.transaction(async (tx) => {
      const out: AuditEvent[] = [];
      out.push(await tx.appendAudit({ actorId: null, action: 'session.sign-in-failed' }, '2026-11-24T10:00:00Z'));
      out.push(await tx.appendAudit({ actorId: randomUUID(), action: 'referral.view', entityType: 'referral', entityId: entity }, '2026-11-24T10:00:00.123456Z'));
      out.push(await tx.appendAudit({ actorId: randomUUID(), action: 'outcome.submit', entityType: 'outcome', entityId: other, detail: { version: 3, final: true, b: null, a: 'x', big: 1e21, frac: 0.1 } }, '2026-11-24T10:02:00.000+01:00'));
      return out;
    });
    for (let i = 0; i < 5; i++) {
      appended.push(await repo.transaction((tx) => tx.appendAudit({ actorId: null, action: 'image.view', entityType: 'image', entityId: entity, detail: { i } }, new Date(Date.UTC(2026, 10, 24, 11, i)).toISOString())));
    }
    // Contiguous, linked, and read back exactly as written (times byte for byte).
    for (let i = 1; i < appended.length; i++) {
      expect(appended[i]!.seq).toBe(appended[i - 1]!.seq + 1);
      expect(appended[i]!.prevHash).toBe(appended[i - 1]!.hash);
    }
    const first = appended[0]!.seq;
    const back = await repo.read((tx) => tx.auditPage(first - 1, 100));
    expect(back.slice(0, appended.length)).toEqual(appended);
    expect(back[1]!.at).toBe('2026-11-24T10:00:00.123456Z');

    // The whole chain, walked in pages of 3 so that links cross page boundaries.
    const walked = await walkAudit(3);
    expect(walked.broken).toBeNull();
    expect(walked.events.length).toBeGreaterThanOrEqual(appended.length);
    expect(walked.events.slice(-appended.length)).toEqual(appended);

    expect((await repo.read((tx) => tx.auditForEntity(entity))).map((e) => e.seq)).toEqual([appended[1]!.seq, ...appended.slice(3).map((e) => e.seq)]);
    expect((await repo.read((tx) => tx.auditForEntities([other, entity]))).map((e) => e.seq)).toEqual([appended[1]!.seq, appended[2]!.seq, ...appended.slice(3).map((e) => e.seq)]);
    expect(await repo.read((tx) => tx.auditForEntities([]))).toEqual([]);
    expect(await repo.read((tx) => tx.auditForEntity(randomUUID()))).toEqual([]);
  });

  it('keeps the audit table append-only, even for direct SQL', async () => {
    await repo.transaction((tx) => tx.appendAudit({ actorId: null, action: 'test.event' }, '2026-11-24T10:00:00.000Z'));
    await expect(svc.exec("UPDATE audit_events SET action = 'tampered'")).rejects.toThrow(/append-only/);
    await expect(svc.exec('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
    // SQLite has no TRUNCATE; PostgreSQL's skips row triggers, so it has a trigger of its own.
    if (TEST_BACKEND === 'postgres') await expect(svc.exec('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    expect((await walkAudit(100)).broken).toBeNull();
  });

  it('rolls back everything a transaction did when it throws, and carries on after', async () => {
    const gp = await addUser(`rb-gp-${randomUUID()}`, 'referrer');
    const clinician = { userId: randomUUID(), role: 'consultant' as const };
    const lastAudit = (await walkAudit(100)).events.at(-1)!;
    const changesBefore = await repo.read((tx) => tx.listChanges(0, 100_000, clinician));
    const lastSeq = changesBefore.at(-1)?.seq ?? 0;
    const counts = () => repo.read(async (tx) => [await tx.countUsers(), await tx.countReferrals()]);
    const before = await counts();

    const ghost = user(`ghost-${randomUUID()}`, 'registrar');
    const ref = referral(gp);
    const boom = new Error('boom after writing');
    await expect(
      repo.transaction(async (tx: Tx) => {
        await tx.insertUser(ghost);
        await tx.insertReferral(ref);
        await tx.insertImage(image(ref), 'cd'.repeat(32));
        await tx.appendChange({ type: 'referral', id: ref.id, version: 1, data: ref, referrerUserId: gp.id });
        await tx.appendAudit({ actorId: gp.id, action: 'referral.create', entityType: 'referral', entityId: ref.id }, '2026-11-24T10:00:00.000Z');
        await tx.recordMutation({ id: ref.id, userId: gp.id, type: 'x', entityId: ref.id, entityVersion: 1 }, '2026-11-24T10:00:00.000Z');
        throw boom;
      }),
    ).rejects.toBe(boom);

    expect(await counts()).toEqual(before);
    expect(await repo.read((tx) => tx.findUserByUsername(ghost.username))).toBeUndefined();
    expect(await repo.read((tx) => tx.getReferral(ref.id))).toBeUndefined();
    expect(await repo.read((tx) => tx.getMutation(ref.id))).toBeUndefined();
    expect(await repo.read((tx) => tx.listChanges(lastSeq, 100, clinician))).toEqual([]);
    expect(await repo.read((tx) => tx.auditPage(lastAudit.seq, 100))).toEqual([]);

    // A failing statement (duplicate key) rolls back the same way.
    await expect(repo.transaction(async (tx) => {
      await tx.appendAudit({ actorId: null, action: 'about-to-fail' }, '2026-11-24T10:00:00.000Z');
      await tx.insertUser({ ...ghost, id: gp.id });
    })).rejects.toThrow();
    expect(await repo.read((tx) => tx.auditPage(lastAudit.seq, 100))).toEqual([]);

    // The next transaction works, and the audit chain has no gap where the rolled-back ones were.
    const next = await repo.transaction((tx) => tx.appendAudit({ actorId: null, action: 'after.rollback' }, '2026-11-24T10:00:01.000Z'));
    expect(next.seq).toBe(lastAudit.seq + 1);
    expect(next.prevHash).toBe(lastAudit.hash);
    expect((await walkAudit(100)).broken).toBeNull();
  });
});

describe(`metrics reads (${TEST_BACKEND})`, () => {
  it('reads a period\'s referrals by receipt, and decided referrals with every outcome of theirs that became final', async () => {
    const gp = await addUser(`gp-metrics-${randomUUID().slice(0, 8)}`, 'referrer');
    const doc = await addUser(`doc-metrics-${randomUUID().slice(0, 8)}`, 'consultant');
    const reg = await addUser(`reg-metrics-${randomUUID().slice(0, 8)}`, 'registrar');
    const ref = (receivedAt: string) => referral(gp, { receivedAt, dueAt: '2030-01-01T00:00:00.000Z' });
    // Received: before the period, at its first instant, inside, at its last millisecond, at its end (excluded).
    const [early, first, inside, last, after] = ['2030-02-28T23:59:59.999Z', '2030-03-01T00:00:00.000Z', '2030-03-03T12:00:00.000Z', '2030-03-07T23:59:59.999Z', '2030-03-08T00:00:00.000Z'].map(ref) as [Referral, Referral, Referral, Referral, Referral];
    const final = (r: Referral, at: string, over: Partial<Outcome> = {}): Outcome => ({ ...outcome(r, doc), status: 'final', submittedAt: at, updatedAt: at, ...over });
    const earlyFirst = final(early, '2030-03-01T09:00:00.000Z');
    const insideDraft = outcome(inside, reg);
    const lastSigned = final(last, '2030-03-07T10:00:00.000Z', { author: { id: reg.id, name: reg.name, role: 'registrar' }, signedOff: { by: { id: doc.id, name: doc.name, role: 'consultant' }, at: '2030-03-08T09:00:00.000Z', amended: false } });
    const firstOld = final(first, '2030-03-02T09:00:00.000Z');
    const firstAmendment = final(first, '2030-03-09T09:00:00.000Z', { supersedes: firstOld.id });
    const afterFinal = final(after, '2030-03-08T10:00:00.000Z');
    await repo.transaction(async (tx) => {
      for (const r of [early, first, inside, last, after]) await tx.insertReferral(r);
      for (const o of [earlyFirst, insideDraft, lastSigned, firstOld, afterFinal]) await tx.insertOutcome(o);
      // Final, then superseded by an amendment after the period: it was final when it was.
      await tx.insertOutcome(firstAmendment);
      await tx.updateOutcome({ ...firstOld, status: 'superseded', supersededBy: firstAmendment.id, version: 2 });
    });
    const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id).sort();

    const start = '2030-03-01T00:00:00.000Z';
    const end = '2030-03-08T00:00:00.000Z';
    const { received, decided, ofReceived } = await repo.read(async (tx) => ({
      received: await tx.referralsReceivedBetween(start, end),
      decided: await tx.decidedBetween(start, end),
      ofReceived: await tx.finalOutcomesOfReferralsReceivedBetween(start, end),
    }));
    expect(ids(received)).toEqual(ids([first, inside, last]));
    // lastSigned became final on 8 March (its sign-off), after the period.
    expect(ids(decided.referrals)).toEqual(ids([early, first]));
    expect(ids(decided.outcomes)).toEqual(ids([earlyFirst, firstOld, firstAmendment]));
    expect(decided.outcomes.find((o) => o.id === firstOld.id)?.status).toBe('superseded');
    expect(ids(ofReceived)).toEqual(ids([firstOld, firstAmendment, lastSigned]));

    const signedWeek = await repo.read((tx) => tx.decidedBetween('2030-03-08T00:00:00.000Z', '2030-03-15T00:00:00.000Z'));
    expect(ids(signedWeek.referrals)).toEqual(ids([first, last, after]));
  });

  it('schema v4 fills final_at for outcomes stored before it, and leaves drafts without one', async () => {
    const at = '2026-01-05T10:00:00.000Z';
    const signed = '2026-01-06T11:00:00.000Z';
    const refJson = JSON.stringify({ id: 'r1' });
    const outcomeJson = (status: string, signedOff: unknown) => JSON.stringify({ status, submittedAt: status === 'draft' ? null : at, signedOff });
    const rows: [string, string, unknown][] = [
      ['o-final', 'final', null],
      ['o-signed', 'final', { by: { id: 'u1' }, at: signed, amended: false }],
      ['o-superseded', 'superseded', null],
      ['o-draft', 'draft', null],
      ['o-awaiting', 'awaiting-signoff', null],
    ];
    const expected = { 'o-final': at, 'o-signed': signed, 'o-superseded': at, 'o-draft': null, 'o-awaiting': null };
    const seedV3 = [
      "INSERT INTO users (id, username, name, role, password_hash, disabled, created_at) VALUES ('u1', 'u1', 'U', 'consultant', 'h', %FALSE%, '2026-01-01')",
      `INSERT INTO referrals (id, version, status, pathway, nhs_number, referrer_user_id, received_at, due_at, data) VALUES ('r1', 1, 'done', 'advice', '9990000018', 'u1', '${at}', '${at}', '${refJson}')`,
      ...rows.map(([id, status, so]) => `INSERT INTO outcomes (id, referral_id, version, status, author_id, data) VALUES ('${id}', 'r1', 1, '${status}', 'u1', '${outcomeJson(status, so)}')`),
    ];
    let finalAt: Record<string, string | null>;
    if (TEST_BACKEND === 'sqlite') {
      const db = new Database(':memory:');
      migrate(db, SQLITE_MIGRATIONS.slice(0, 3));
      for (const sql of seedV3) db.exec(sql.replace('%FALSE%', '0'));
      migrate(db);
      finalAt = Object.fromEntries((db.prepare('SELECT id, final_at FROM outcomes').all() as { id: string; final_at: string | null }[]).map((r) => [r.id, r.final_at]));
      db.close();
    } else {
      const testDb = await createTestDatabase();
      const pool = new pg.Pool({ connectionString: testDb.url, max: 2 });
      try {
        await migratePg(pool, PG_MIGRATIONS.slice(0, 3));
        for (const sql of seedV3) await pool.query(sql.replace('%FALSE%', 'false'));
        await migratePg(pool);
        finalAt = Object.fromEntries((await pool.query<{ id: string; final_at: string | null }>('SELECT id, final_at FROM outcomes')).rows.map((r) => [r.id, r.final_at]));
      } finally {
        await pool.end();
        await testDb.drop();
      }
    }
    expect(finalAt).toEqual(expected);
  });
});
