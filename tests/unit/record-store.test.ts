// fake-indexeddb first: Dexie looks up the global IndexedDB when it is loaded.
import 'fake-indexeddb/auto';
import { randomUUID } from 'node:crypto';
import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ImageRecord, Mutation, MutationResult, Outcome, Referral, UserRef } from '../../shared/contract';
import { generateDataKey, openJson, sealJson } from '../../renderer/src/data/crypto/cipher';
import { createKeyRecord } from '../../renderer/src/data/crypto/key-vault';
import { LATEST_VERSION, RecordDb, recordDbName, SCHEMA_VERSIONS, type EntityRow, type OutboxRow } from '../../renderer/src/data/db/record-db';
import { clearRecords, purgeExpired } from '../../renderer/src/data/retention';
import { applyPage, CURSOR_KEY, readCursor } from '../../renderer/src/data/store/apply-page';
import { EntityCodec } from '../../renderer/src/data/store/entity-codec';
import { localEffects } from '../../renderer/src/data/store/local-effects';
import { OutboxStore, type Action } from '../../renderer/src/data/store/outbox-store';
import { Queries } from '../../renderer/src/data/store/queries';
import { nextReferrals, worklistIds } from '../../renderer/src/data/worklist-scope';
import { feedBuilder, imageRecord, storedText } from '../support/records';

/*
 * The workstation's local record store on a real IndexedDB implementation (fake-indexeddb)
 * with real WebCrypto: the change feed folded in page by page, the outbox and the clinician's
 * overlays, the schema upgrade and the age limit.
 */

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-10T12:00:00Z');

/** Clinical text that must never be found in the clear at rest. */
const PATIENT_FAMILY = 'Quagmire-Featherstonehaugh';
const PATIENT_GIVEN = 'Philomena';
const NHS = '9990000018';
const ADVICE = 'Reassure: benign seborrhoeic keratosis on the left shin; photograph again in 3 months.';

const ME: UserRef = { id: '0192f0a0-0000-7000-8000-0000000000c1', name: 'Dr C Onsultant', role: 'consultant' };
const OTHER: UserRef = { id: '0192f0a0-0000-7000-8000-0000000000c2', name: 'Dr R Egistrar', role: 'registrar' };
const GP_ID = '0192f0a0-0000-7000-8000-0000000000d1';

const id = (): string => randomUUID();

function referral(rid: string, version: number, patch: Partial<Referral> = {}): Referral {
  return {
    id: rid,
    version,
    status: 'new',
    pathway: 'advice',
    patient: { nhsNumber: NHS, name: { given: PATIENT_GIVEN, family: PATIENT_FAMILY }, birthDate: '1950-02-01', sex: 'female' },
    referrer: { name: 'Dr A Example', practiceCode: 'A12345', userId: GP_ID },
    question: 'Pigmented lesion on left shin, changed over 3 months. Melanoma?',
    history: { duration: '3 months' },
    receivedAt: '2026-11-02T09:00:00Z',
    dueAt: '2026-11-04T09:00:00Z',
    assignedTo: null,
    imageIds: [],
    infoRequests: [],
    followUps: [],
    ...patch,
  };
}

function image(iid: string, referralId: string, capturedAt = '2026-11-01T10:00:00Z'): ImageRecord {
  return imageRecord({ id: iid, referralId, patientNhsNumber: NHS, capturedAt });
}

function outcome(oid: string, referralId: string, version: number, patch: Partial<Outcome> = {}): Outcome {
  return {
    id: oid,
    referralId,
    version,
    status: 'draft',
    author: OTHER,
    decision: 'discharge',
    diagnosis: { text: 'Seborrhoeic keratosis' },
    adviceToGp: `Server text v${version}`,
    createdAt: '2026-11-03T09:00:00Z',
    updatedAt: '2026-11-03T09:00:00Z',
    submittedAt: null,
    supersedes: null,
    supersededBy: null,
    signedOff: null,
    returned: null,
    ...patch,
  };
}

const feed = feedBuilder();
const { referral: refCh, image: imgCh, outcome: outCh, deleted: delCh, page } = feed;

// One key for the file (AES-GCM keys are cheap; the PBKDF2 path is covered in key-vault.test.ts).
const dataKey = await generateDataKey();

let db: RecordDb;
let codec: EntityCodec;
let outbox: OutboxStore;
let queries: Queries;

beforeEach(() => {
  db = new RecordDb(`record-store-${randomUUID()}`);
  codec = new EntityCodec(dataKey);
  outbox = new OutboxStore(db, codec);
  queries = new Queries(db, codec);
});

afterEach(async () => {
  vi.restoreAllMocks();
  db.close();
  await Dexie.delete(db.name);
});

/** The mutation of a clinician's action with its local effect, as the screens make them. */
function action(
  type: Mutation['type'],
  entityId: string,
  payload: unknown,
  ctx: { referral?: Referral | null; outcome?: Outcome | null; user?: UserRef } = {},
): Action {
  const mutation: Omit<Mutation, 'baseVersion'> = { id: randomUUID(), type, entityId, payload, clientTime: new Date(NOW).toISOString() };
  const user = ctx.user ?? ME;
  return {
    mutation,
    effects: localEffects(mutation as Mutation, { user, now: mutation.clientTime, outcome: ctx.outcome ?? null, referral: ctx.referral ?? null }),
  };
}

const draftPayload = (referralId: string, adviceToGp = ADVICE) => ({ referralId, decision: 'discharge', diagnosis: { text: 'Seborrhoeic keratosis' }, adviceToGp });

const applied = (mutationId: string, entityVersion: number): MutationResult => ({ id: mutationId, status: 'applied', entityVersion });
const conflict = (mutationId: string, currentVersion: number): MutationResult => ({
  id: mutationId,
  status: 'conflict',
  error: { code: 'version_conflict', message: `The outcome is at version ${currentVersion}`, currentVersion },
});

async function outboxRows(): Promise<OutboxRow[]> {
  return db.outbox.orderBy('seq').toArray();
}

async function rawDatabase(target: RecordDb = db): Promise<string> {
  const tables = await Promise.all(target.tables.map(async (t) => ({ name: t.name, rows: await t.toArray() })));
  return storedText(tables);
}

describe('applyPage: folding the change feed in', () => {
  it('is idempotent: the same page twice leaves the same rows and applies nothing the second time', async () => {
    const r = referral(id(), 1);
    const i = image(id(), r.id);
    const p = page([refCh(r), imgCh(i)]);
    expect(await applyPage(db, codec, p, NOW)).toBe(2);
    const before = { referrals: await db.referrals.toArray(), images: await db.images.toArray() };
    expect(await applyPage(db, codec, p, NOW + 1000)).toBe(0);
    expect({ referrals: await db.referrals.toArray(), images: await db.images.toArray() }).toEqual(before);
    expect(await queries.referrals()).toEqual([r]);
    expect(await queries.imagesFor(r.id)).toEqual([i]);
  });

  it('keeps the highest version whatever order the versions come in, within a page and across pages', async () => {
    const r = referral(id(), 1);
    const v2 = { ...r, version: 2, status: 'in-review' as const, assignedTo: ME };
    const v3 = { ...v2, version: 3, question: 'Updated question' };
    await applyPage(db, codec, page([refCh(v2), refCh(r), refCh(v3), refCh(v2)]), NOW);
    expect(await queries.referral(r.id)).toEqual(v3);
    await applyPage(db, codec, page([refCh(r), refCh(v2)]), NOW);
    expect(await queries.referral(r.id)).toEqual(v3);
    expect((await db.referrals.get(r.id))?.version).toBe(3);
  });

  it('stores the owning referral of every entity in the clear for cascades and indexes', async () => {
    const r = referral(id(), 1);
    const i = image(id(), r.id);
    const o = outcome(id(), r.id, 1);
    await applyPage(db, codec, page([refCh(r), imgCh(i), outCh(o)]), NOW);
    expect((await db.referrals.get(r.id))?.referralId).toBe(r.id);
    expect((await db.images.get(i.id))?.referralId).toBe(r.id);
    expect((await db.outcomes.get(o.id))?.referralId).toBe(r.id);
    expect(await db.outcomes.where('referralId').equals(r.id).count()).toBe(1);
  });

  it('turns a deletion into a tombstone that an older copy can never overwrite', async () => {
    const r = referral(id(), 1);
    const o = outcome(id(), r.id, 1);
    await applyPage(db, codec, page([refCh(r), outCh(o)]), NOW);
    await applyPage(db, codec, page([delCh('outcome', o.id, 2)]), NOW);
    const tomb = await db.outcomes.get(o.id);
    expect(tomb).toMatchObject({ id: o.id, version: 2, sealed: null, overlay: null, hasOverlay: 0, referralId: r.id });
    expect(await queries.outcomesFor(r.id)).toEqual([]);

    // A late, older copy (a replayed page, a slow page) does not resurrect it.
    expect(await applyPage(db, codec, page([outCh(o), outCh({ ...o, version: 2 })]), NOW)).toBe(0);
    expect(await queries.outcomesFor(r.id)).toEqual([]);
    expect((await db.outcomes.get(o.id))?.sealed).toBeNull();

    // A deletion the workstation never saw the entity of still blocks it.
    const ghost = id();
    await applyPage(db, codec, page([delCh('annotation', ghost, 4)]), NOW);
    expect(await applyPage(db, codec, page([delCh('annotation', ghost, 3)]), NOW)).toBe(0);
    expect(await db.annotations.get(ghost)).toMatchObject({ version: 4, sealed: null, referralId: ghost });
  });

  it('saves the cursor with the page, in the same transaction: a failed page leaves neither', async () => {
    const r1 = referral(id(), 1);
    const p1 = page([refCh(r1)]);
    await applyPage(db, codec, p1, NOW);
    expect(await readCursor(db)).toBe(p1.cursor);

    const r2 = referral(id(), 1);
    const o2 = outcome(id(), r2.id, 1);
    const p2 = page([refCh(r2), outCh(o2)]);
    // The second write of the page fails (disk full, quota): the first must be rolled back.
    const put = vi.spyOn(db.outcomes, 'put').mockRejectedValueOnce(new Error('QuotaExceededError'));
    await expect(applyPage(db, codec, p2, NOW)).rejects.toThrow('QuotaExceededError');
    expect(put).toHaveBeenCalledTimes(1);
    expect(await db.referrals.get(r2.id)).toBeUndefined();
    expect(await readCursor(db)).toBe(p1.cursor);

    // Retried, the page applies in full and the cursor moves on.
    put.mockRestore();
    expect(await applyPage(db, codec, p2, NOW)).toBe(2);
    expect(await readCursor(db)).toBe(p2.cursor);
    expect(await db.meta.get(CURSOR_KEY)).toEqual({ key: CURSOR_KEY, value: p2.cursor });
  });

  it('records when each row was delivered, for the age limit', async () => {
    const r = referral(id(), 1);
    await applyPage(db, codec, page([refCh(r)]), NOW - 5 * DAY);
    expect((await db.referrals.get(r.id))?.storedAt).toBe(NOW - 5 * DAY);
    await applyPage(db, codec, page([refCh({ ...r, version: 2 })]), NOW);
    expect((await db.referrals.get(r.id))?.storedAt).toBe(NOW);
  });
});

describe('encryption at rest', () => {
  it('stores no patient name, NHS number or clinical text in the clear, in any table', async () => {
    const r = referral(id(), 1);
    const i = image(id(), r.id);
    const o = outcome(id(), r.id, 1, { adviceToGp: 'Server copy of the advice about Philomena' });
    await applyPage(db, codec, page([refCh(r), imgCh(i), outCh(o)]), NOW);
    // An overlay, an outbox entry and a resolution as well.
    const mine = action('outcome.save-draft', o.id, draftPayload(r.id), { outcome: o, referral: r });
    await outbox.enqueue(mine, NOW);
    await outbox.applyResults([conflict(mine.mutation.id, 2)]);
    const again = action('outcome.save-draft', id(), draftPayload(r.id), { referral: r });
    await outbox.enqueue(again, NOW);
    await outbox.applyResults([{ id: again.mutation.id, status: 'rejected', error: { code: 'referral_closed', message: 'closed' } }]);
    await outbox.resolve(again.mutation.id, 'discard', NOW);
    const record = await createKeyRecord({ userId: ME.id, password: 'pw', iterations: 1_000 });
    await db.meta.put({ key: 'keyRecord', value: record.record });

    const raw = await rawDatabase();
    for (const secret of [PATIENT_FAMILY, PATIENT_GIVEN, NHS, ADVICE, 'Seborrhoeic', 'Philomena', 'left lower leg', 'Melanoma']) {
      expect(raw, secret).not.toContain(secret);
    }
    // The check itself finds plaintext in a buffer: it would have caught an unsealed row.
    expect(storedText({ data: new TextEncoder().encode(JSON.stringify(r)).buffer })).toContain(PATIENT_FAMILY);
    // What is in the clear: ids, versions, times, mutation types.
    expect(raw).toContain(r.id);
    expect(raw).toContain('outcome.save-draft');
    expect(await db.resolutions.count()).toBe(1);
  });

  it('refuses altered ciphertext, a ciphertext moved to another row and an overlay read as the server copy', async () => {
    const r1 = referral(id(), 1);
    const r2 = referral(id(), 1, { patient: { ...referral('x', 1).patient, name: { given: 'Other', family: 'Patient' } } });
    await applyPage(db, codec, page([refCh(r1), refCh(r2)]), NOW);
    const row1 = (await db.referrals.get(r1.id))!;
    const row2 = (await db.referrals.get(r2.id))!;
    const fresh = () => new EntityCodec(dataKey); // no memory of what was opened before

    const flipped = new Uint8Array(row1.sealed!.data.slice(0));
    flipped[5] = (flipped[5] ?? 0) ^ 0x01;
    await db.referrals.put({ ...row1, sealed: { iv: row1.sealed!.iv, data: flipped.buffer } });
    await expect(fresh().server('referrals', (await db.referrals.get(r1.id))!)).rejects.toThrow();

    const iv = new Uint8Array(row1.sealed!.iv);
    iv[0] = (iv[0] ?? 0) ^ 0x01;
    await expect(fresh().server('referrals', { ...row1, sealed: { iv, data: row1.sealed!.data } })).rejects.toThrow();

    // Patient 2's ciphertext on patient 1's row: bound to "referrals:<id>", it does not open.
    await expect(fresh().server('referrals', { ...row1, sealed: row2.sealed })).rejects.toThrow();
    // The overlay of a row is bound to the overlay slot.
    await expect(fresh().server('referrals', { ...row1, sealed: await codec.sealOverlay('referrals', r1.id, r1) })).rejects.toThrow();
    // A wrong key opens nothing.
    await expect(new EntityCodec(await generateDataKey()).server('referrals', row2)).rejects.toThrow();
    // The untouched row still opens.
    expect(await fresh().server('referrals', row2)).toEqual(r2);
  });

  it('seals each value with a fresh nonce and binds it to its place', async () => {
    const a = await sealJson(dataKey, { x: 1 }, 'referrals:a');
    const b = await sealJson(dataKey, { x: 1 }, 'referrals:a');
    expect(Buffer.from(a.iv).equals(Buffer.from(b.iv))).toBe(false);
    expect(await openJson(dataKey, a, 'referrals:a')).toEqual({ x: 1 });
    await expect(openJson(dataKey, a, 'referrals:b')).rejects.toThrow();
  });
});

describe('outbox: enqueue with the local effect', () => {
  it('writes the entry and the overlay in one transaction, or neither', async () => {
    const r = referral(id(), 1);
    await applyPage(db, codec, page([refCh(r)]), NOW);
    const claim = action('referral.claim', r.id, {}, { referral: r });
    vi.spyOn(db.referrals, 'put').mockRejectedValueOnce(new Error('disk full'));
    await expect(outbox.enqueue(claim, NOW)).rejects.toThrow('disk full');
    expect(await db.outbox.count()).toBe(0);
    expect((await db.referrals.get(r.id))?.overlay).toBeNull();

    await outbox.enqueue(claim, NOW);
    const [entry] = await outboxRows();
    expect(entry).toMatchObject({ mutationId: claim.mutation.id, entityId: r.id, type: 'referral.claim', state: 'pending', attempts: 0, error: null, createdAt: NOW });
    const row = (await db.referrals.get(r.id))!;
    expect(row).toMatchObject({ version: 1, hasOverlay: 1, overlay: { mutationId: claim.mutation.id, baseVersion: 1 } });
    expect(await queries.referral(r.id)).toMatchObject({ status: 'in-review', assignedTo: ME, version: 1 });
    expect(await queries.serverVersion('referrals', r.id)).toEqual(r);
  });

  it('gives every mutation the version it was made on, since the service checks one for every type', async () => {
    const r = referral(id(), 4);
    await applyPage(db, codec, page([refCh(r)]), NOW);
    // A claim names no table: its type does, and the referral's version is sent.
    const claim = action('referral.claim', r.id, {}, { referral: r });
    await outbox.enqueue(claim, NOW);
    const [batch] = await outbox.nextBatch(10);
    expect(batch?.mutation).toMatchObject({ id: claim.mutation.id, baseVersion: 4 });
    // A release made on top of the unconfirmed claim waits for the version the claim makes.
    const release = action('referral.release', r.id, {}, { referral: (await queries.referral(r.id))! });
    await outbox.enqueue(release, NOW);
    expect((await outboxRows())[1]).toMatchObject({ chained: true, baseVersion: null });
    await outbox.applyResults([applied(claim.mutation.id, 5)]);
    expect((await outbox.nextBatch(10))[0]?.mutation).toMatchObject({ id: release.mutation.id, baseVersion: 5 });
  });

  it('shows a new outcome at once as an overlay-only row, and queries show overlays over the server copy', async () => {
    const r = referral(id(), 1);
    await applyPage(db, codec, page([refCh(r)]), NOW);
    const oid = id();
    const draft = action('outcome.save-draft', oid, draftPayload(r.id), { referral: r });
    await outbox.enqueue(draft, NOW);
    expect(await db.outcomes.get(oid)).toMatchObject({ version: 0, sealed: null, hasOverlay: 1, referralId: r.id, overlay: { baseVersion: 0 } });
    expect((await outboxRows())[0]).toMatchObject({ baseVersion: 0, chained: false });
    expect(await queries.outcomesFor(r.id)).toMatchObject([{ id: oid, status: 'draft', adviceToGp: ADVICE, author: ME }]);
    expect(await queries.serverVersion('outcomes', oid)).toBeNull();

    // A consultant's submit also moves the referral on, on screen.
    const submit = action('outcome.submit', oid, draftPayload(r.id), { referral: r, outcome: (await queries.outcomesFor(r.id))[0]! });
    await outbox.enqueue(submit, NOW);
    expect(await queries.outcomesFor(r.id)).toMatchObject([{ id: oid, status: 'final' }]);
    expect(await queries.referral(r.id)).toMatchObject({ status: 'done' });
    expect(await db.referrals.where('hasOverlay').equals(1).count()).toBe(1);
  });
});

describe('overlays and the feed', () => {
  async function draftedOutcome() {
    const r = referral(id(), 1);
    const o = outcome(id(), r.id, 1, { author: ME });
    await applyPage(db, codec, page([refCh(r), outCh(o)]), NOW);
    const edit = action('outcome.save-draft', o.id, draftPayload(r.id), { referral: r, outcome: o });
    await outbox.enqueue(edit, NOW);
    return { r, o, edit };
  }

  it('keeps the overlay over an older, an equal and a newer server version while its entry is queued', async () => {
    const { r, o, edit } = await draftedOutcome();
    const mine = async () => (await queries.outcomesFor(r.id))[0];
    expect(await mine()).toMatchObject({ adviceToGp: ADVICE });

    await applyPage(db, codec, page([outCh(o)]), NOW); // equal
    expect(await mine()).toMatchObject({ adviceToGp: ADVICE });
    // Someone else's newer version arrives while the clinician's edit is still queued.
    const theirs = outcome(o.id, r.id, 2, { author: ME, adviceToGp: 'Their edit' });
    await applyPage(db, codec, page([outCh(theirs)]), NOW);
    expect(await mine()).toMatchObject({ adviceToGp: ADVICE });
    expect(await queries.serverVersion('outcomes', o.id)).toEqual(theirs);
    expect(await db.outcomes.get(o.id)).toMatchObject({ version: 2, hasOverlay: 1, overlay: { mutationId: edit.mutation.id, baseVersion: 1 } });

    // A conflict keeps it too: the clinician's version must stay until they decide.
    await outbox.applyResults([conflict(edit.mutation.id, 2)]);
    await applyPage(db, codec, page([outCh({ ...theirs, version: 3 })]), NOW);
    expect(await mine()).toMatchObject({ adviceToGp: ADVICE });
  });

  it('clears the overlay once the entry has left the outbox and the feed passes its base version', async () => {
    const { r, o, edit } = await draftedOutcome();
    await outbox.applyResults([applied(edit.mutation.id, 2)]);
    expect(await db.outbox.count()).toBe(0);
    // Until the feed brings the result, the clinician still sees their own version.
    expect((await queries.outcomesFor(r.id))[0]).toMatchObject({ adviceToGp: ADVICE });
    await applyPage(db, codec, page([outCh(o)]), NOW); // an old copy changes nothing
    expect((await db.outcomes.get(o.id))?.hasOverlay).toBe(1);
    const result = outcome(o.id, r.id, 2, { author: ME, adviceToGp: ADVICE.trim() });
    await applyPage(db, codec, page([outCh(result)]), NOW);
    expect(await db.outcomes.get(o.id)).toMatchObject({ overlay: null, hasOverlay: 0, version: 2 });
    expect(await queries.outcomesFor(r.id)).toEqual([result]);
  });

  it('clears the overlay when its entry leaves after the feed already brought the result (pull raced the push)', async () => {
    const { r, o, edit } = await draftedOutcome();
    // The service applied the edit; a pull running meanwhile brings version 2 before the push
    // has recorded the answer, so the overlay is kept then…
    const result = outcome(o.id, r.id, 2, { author: ME, adviceToGp: ADVICE });
    await applyPage(db, codec, page([outCh(result)]), NOW);
    expect((await db.outcomes.get(o.id))?.hasOverlay).toBe(1);
    // …and the answer then settles it: no later change to this outcome may ever come.
    await outbox.applyResults([applied(edit.mutation.id, 2)]);
    expect(await db.outcomes.get(o.id)).toMatchObject({ overlay: null, hasOverlay: 0 });
    expect(await queries.outcomesFor(r.id)).toEqual([result]);
  });

  it('keeps the overlay when the answer arrives before the feed has brought the version it made', async () => {
    const { r, o, edit } = await draftedOutcome();
    const second = action('outcome.save-draft', o.id, draftPayload(r.id, 'Second edit'), { referral: r, outcome: (await queries.outcomesFor(r.id))[0]! });
    await outbox.enqueue(second, NOW);
    // The first edit's result (v2) is pulled; the second is applied as v3 but not yet pulled.
    await outbox.applyResults([applied(edit.mutation.id, 2)]);
    await applyPage(db, codec, page([outCh(outcome(o.id, r.id, 2, { author: ME, adviceToGp: ADVICE }))]), NOW);
    expect((await queries.outcomesFor(r.id))[0]).toMatchObject({ adviceToGp: 'Second edit' });
    await outbox.applyResults([applied(second.mutation.id, 3)]);
    // Version 2 on screen would take the clinician's last edit away until the next pull.
    expect((await queries.outcomesFor(r.id))[0]).toMatchObject({ adviceToGp: 'Second edit' });
    await applyPage(db, codec, page([outCh(outcome(o.id, r.id, 3, { author: ME, adviceToGp: 'Second edit' }))]), NOW);
    expect((await db.outcomes.get(o.id))?.hasOverlay).toBe(0);
  });
});

describe('an edit made before the feed brought the previous one', () => {
  it('is made on top of the version the service gave the previous edit, not the older stored one', async () => {
    const r = referral(id(), 1);
    await applyPage(db, codec, page([refCh(r)]), NOW);
    const oid = id();
    const first = action('outcome.save-draft', oid, draftPayload(r.id, 'First'), { referral: r });
    await outbox.enqueue(first, NOW);
    await outbox.applyResults([applied(first.mutation.id, 1)]);
    // The feed has not brought version 1 yet: the stored row is still the overlay only.
    expect(await db.outcomes.get(oid)).toMatchObject({ version: 0, hasOverlay: 1, overlay: { appliedVersion: 1 } });
    const second = action('outcome.save-draft', oid, draftPayload(r.id, 'Second'), { referral: r, outcome: (await queries.outcomesFor(r.id))[0]! });
    await outbox.enqueue(second, NOW);
    // Version 0 would be a conflict with the clinician's own first draft.
    expect((await outbox.nextBatch(10))[0]?.mutation).toMatchObject({ id: second.mutation.id, baseVersion: 1 });
    expect(await db.outcomes.get(oid)).toMatchObject({ overlay: { mutationId: second.mutation.id, baseVersion: 0 } });
    expect((await db.outcomes.get(oid))?.overlay?.appliedVersion).toBeUndefined();

    // The same for a claim followed by a release of the referral.
    const claim = action('referral.claim', r.id, {}, { referral: r });
    await outbox.enqueue(claim, NOW);
    await outbox.applyResults([applied(claim.mutation.id, 2)]);
    const release = action('referral.release', r.id, {}, { referral: (await queries.referral(r.id))! });
    await outbox.enqueue(release, NOW);
    expect((await outbox.nextBatch(10)).find((e) => e.mutation.id === release.mutation.id)?.mutation).toMatchObject({ baseVersion: 2 });
  });
});

describe('outbox: sending order', () => {
  async function threeEntities() {
    const r = referral(id(), 1);
    const oA = outcome(id(), r.id, 3, { author: ME });
    const oB = outcome(id(), r.id, 1, { author: ME });
    await applyPage(db, codec, page([refCh(r), outCh(oA), outCh(oB)]), NOW);
    const a1 = action('outcome.save-draft', oA.id, draftPayload(r.id, 'A1'), { referral: r, outcome: oA });
    const b1 = action('outcome.save-draft', oB.id, draftPayload(r.id, 'B1'), { referral: r, outcome: oB });
    const a2 = action('outcome.save-draft', oA.id, draftPayload(r.id, 'A2'), { referral: r, outcome: oA });
    const claim = action('referral.claim', r.id, {}, { referral: r });
    for (const a of [a1, b1, a2, claim]) await outbox.enqueue(a, NOW);
    return { r, oA, oB, a1, b1, a2, claim };
  }

  it('sends the oldest entry of each entity, in entry order', async () => {
    const { a1, b1, a2, claim } = await threeEntities();
    expect((await outbox.nextBatch(10)).map((e) => e.mutation.id)).toEqual([a1.mutation.id, b1.mutation.id, claim.mutation.id]);
    expect((await outbox.nextBatch(2)).map((e) => e.mutation.id)).toEqual([a1.mutation.id, b1.mutation.id]);
    const batch = await outbox.nextBatch(10);
    expect(batch[0]?.mutation).toMatchObject({ type: 'outcome.save-draft', baseVersion: 3, payload: { adviceToGp: 'A1' } });
    expect(batch[0]?.mutation.clientTime).toBe(new Date(NOW).toISOString());
    expect((await outboxRows()).find((r) => r.mutationId === a2.mutation.id)).toMatchObject({ chained: true, baseVersion: null });
    expect((await outbox.entries()).map((e) => e.mutation.id)).toEqual([a1, b1, a2, claim].map((a) => a.mutation.id));
  });

  it('fills a chained entry’s base version from the version its predecessor produced', async () => {
    const { a1, a2 } = await threeEntities();
    expect(await outbox.applyResults([applied(a1.mutation.id, 4)])).toBe(1);
    expect((await outboxRows()).find((r) => r.mutationId === a2.mutation.id)).toMatchObject({ chained: false, baseVersion: 4 });
    expect((await outbox.nextBatch(10)).find((e) => e.mutation.id === a2.mutation.id)?.mutation).toMatchObject({ baseVersion: 4 });
    // A duplicate (the answer to a request whose reply was lost) counts as applied.
    expect(await outbox.applyResults([{ id: a2.mutation.id, status: 'duplicate', entityVersion: 5 }])).toBe(1);
    // An answer about an entry that is no longer there changes nothing.
    expect(await outbox.applyResults([applied(a2.mutation.id, 5), applied(randomUUID(), 1)])).toBe(0);
  });

  it('holds an entity’s later entries behind a conflict while other entities go on', async () => {
    const { a1, b1, a2, claim } = await threeEntities();
    await outbox.applyResults([conflict(a1.mutation.id, 7), applied(b1.mutation.id, 2)]);
    expect(await outbox.counts()).toEqual({ pending: 2, conflict: 1, rejected: 0 });
    const next = (await outbox.nextBatch(10)).map((e) => e.mutation.id);
    expect(next).toEqual([claim.mutation.id]);
    expect(next).not.toContain(a2.mutation.id);
    expect((await outboxRows())[0]).toMatchObject({
      mutationId: a1.mutation.id,
      state: 'conflict',
      error: { code: 'version_conflict', currentVersion: 7 },
    });
    await outbox.markRejected(claim.mutation.id, 'invalid_request', 'Malformed');
    expect(await outbox.counts()).toEqual({ pending: 1, conflict: 1, rejected: 1 });
    expect(await outbox.nextBatch(10)).toEqual([]);
  });

  it('reapply: a new mutation id on top of the current server version, in the same place in the order', async () => {
    const { r, oA, a1, a2 } = await threeEntities();
    await outbox.applyResults([conflict(a1.mutation.id, 4)]);
    // The pull brings the other clinician's version 4; the clinician still sees theirs.
    await applyPage(db, codec, page([outCh({ ...oA, version: 4, adviceToGp: 'Theirs' })]), NOW);
    expect((await queries.outcomesFor(r.id)).find((o) => o.id === oA.id)).toMatchObject({ adviceToGp: 'A2' });

    await outbox.resolve(a1.mutation.id, 'reapply', NOW + 1000);
    const rows = await outboxRows();
    const replaced = rows[0]!;
    expect(replaced.mutationId).not.toBe(a1.mutation.id);
    expect(replaced).toMatchObject({ entityId: oA.id, state: 'pending', error: null, baseVersion: 4, chained: false, createdAt: NOW + 1000 });
    expect(rows.map((x) => x.seq)).toEqual([...rows.map((x) => x.seq)].sort((x, y) => x! - y!));
    expect(rows.find((x) => x.mutationId === a2.mutation.id)).toMatchObject({ chained: true });
    const [first] = await outbox.nextBatch(10);
    expect(first?.mutation).toMatchObject({ id: replaced.mutationId, baseVersion: 4, payload: { adviceToGp: 'A1' }, clientTime: new Date(NOW + 1000).toISOString() });
    expect(await db.outbox.where('mutationId').equals(a1.mutation.id).count()).toBe(0);
    expect(await db.resolutions.count()).toBe(1);
    // Resolving the spent id again, or a pending entry, does nothing.
    await outbox.resolve(a1.mutation.id, 'reapply', NOW);
    await outbox.resolve(replaced.mutationId, 'discard', NOW);
    expect(await db.outbox.count()).toBe(4);
    expect(await db.resolutions.count()).toBe(1);
  });

  it('reapply gives a version even to an entry stored without one (a claim queued before every type carried one)', async () => {
    const r = referral(id(), 6);
    await applyPage(db, codec, page([refCh(r)]), NOW);
    const mutation: Mutation = { id: randomUUID(), type: 'referral.claim', entityId: r.id, payload: {}, clientTime: new Date(NOW).toISOString() };
    await db.outbox.add({
      mutationId: mutation.id, entityId: r.id, type: mutation.type, state: 'conflict', chained: false, baseVersion: null,
      sealed: await codec.sealMutation(mutation), createdAt: NOW, attempts: 1,
      error: { code: 'version_conflict', message: 'The referral is at version 6; the change was made on no version', currentVersion: 6 },
    });
    await outbox.resolve(mutation.id, 'reapply', NOW);
    // Without a version the service refuses it again, forever.
    expect((await outbox.nextBatch(10))[0]?.mutation).toMatchObject({ type: 'referral.claim', baseVersion: 6 });
  });

  it('reapply re-points the overlay it owns at the new mutation and its base version', async () => {
    const r = referral(id(), 1);
    const o = outcome(id(), r.id, 1, { author: ME });
    await applyPage(db, codec, page([refCh(r), outCh(o)]), NOW);
    const edit = action('outcome.save-draft', o.id, draftPayload(r.id), { referral: r, outcome: o });
    await outbox.enqueue(edit, NOW);
    await outbox.applyResults([conflict(edit.mutation.id, 2)]);
    await applyPage(db, codec, page([outCh({ ...o, version: 2, adviceToGp: 'Theirs' })]), NOW);
    await outbox.resolve(edit.mutation.id, 'reapply', NOW);
    const [entry] = await outboxRows();
    expect(await db.outcomes.get(o.id)).toMatchObject({ hasOverlay: 1, overlay: { mutationId: entry!.mutationId, baseVersion: 2 } });
    // Applied as version 3; the overlay goes when the feed brings it.
    await outbox.applyResults([applied(entry!.mutationId, 3)]);
    await applyPage(db, codec, page([outCh({ ...o, version: 3, adviceToGp: ADVICE })]), NOW);
    expect(await db.outcomes.get(o.id)).toMatchObject({ hasOverlay: 0, version: 3 });
  });

  it('discard: drops the entry and its overlay, shows the server copy, and logs both versions', async () => {
    const { r, oA, a1, a2 } = await threeEntities();
    await outbox.applyResults([applied(a1.mutation.id, 4)]);
    await outbox.applyResults([conflict(a2.mutation.id, 5)]);
    const server = { ...oA, version: 5, adviceToGp: 'Theirs' };
    await applyPage(db, codec, page([outCh(server)]), NOW);
    await outbox.resolve(a2.mutation.id, 'discard', NOW + 5);
    expect(await db.outbox.where('entityId').equals(oA.id).count()).toBe(0);
    expect(await db.outcomes.get(oA.id)).toMatchObject({ hasOverlay: 0, overlay: null, version: 5 });
    expect((await queries.outcomesFor(r.id)).find((o) => o.id === oA.id)).toEqual(server);

    const [log] = await db.resolutions.toArray();
    expect(log).toMatchObject({ entityId: oA.id, at: NOW + 5 });
    const opened = (await codec.openJson(log!.sealed, `resolution:${oA.id}:${NOW + 5}`)) as { choice: string; mine: Mutation; error: { currentVersion: number } };
    expect(opened).toMatchObject({ choice: 'discard', mine: { id: a2.mutation.id, payload: { adviceToGp: 'A2' } }, error: { currentVersion: 5 } });
  });

  it('discard of an entity that never reached the service removes its row entirely', async () => {
    const r = referral(id(), 1, { status: 'done' });
    await applyPage(db, codec, page([refCh(r)]), NOW);
    const oid = id();
    const draft = action('outcome.save-draft', oid, draftPayload(r.id), { referral: r });
    await outbox.enqueue(draft, NOW);
    await outbox.applyResults([{ id: draft.mutation.id, status: 'rejected', error: { code: 'referral_closed', message: 'The referral is done' } }]);
    expect(await outbox.counts()).toEqual({ pending: 0, conflict: 0, rejected: 1 });
    expect((await outboxRows())[0]?.error).toEqual({ code: 'referral_closed', message: 'The referral is done' });
    await outbox.resolve(draft.mutation.id, 'discard', NOW);
    expect(await db.outcomes.get(oid)).toBeUndefined();
    expect(await queries.outcomesFor(r.id)).toEqual([]);
    expect(await outbox.counts()).toEqual({ pending: 0, conflict: 0, rejected: 0 });
    expect(await db.resolutions.count()).toBe(1);
  });

  it('discard passes the discarded entry’s base version on to the entry made on top of it', async () => {
    const { oA, a1, a2 } = await threeEntities();
    await outbox.applyResults([conflict(a1.mutation.id, 9)]);
    await outbox.resolve(a1.mutation.id, 'discard', NOW);
    expect((await outboxRows()).find((r) => r.mutationId === a2.mutation.id)).toMatchObject({ chained: false, baseVersion: 3 });
    // a2 was made on top of a1, so it is not what the clinician saw of version 9: it conflicts
    // in its turn rather than silently overwriting.
    expect((await outbox.nextBatch(10)).find((e) => e.mutation.id === a2.mutation.id)?.mutation).toMatchObject({ entityId: oA.id, baseVersion: 3 });
    // a2 owns the overlay, so it stays.
    expect((await db.outcomes.get(oA.id))?.overlay?.mutationId).toBe(a2.mutation.id);
  });

  it('counts entries by state', async () => {
    expect(await outbox.counts()).toEqual({ pending: 0, conflict: 0, rejected: 0 });
    const { a1, b1 } = await threeEntities();
    expect(await outbox.counts()).toEqual({ pending: 4, conflict: 0, rejected: 0 });
    await outbox.applyResults([conflict(a1.mutation.id, 1), { id: b1.mutation.id, status: 'rejected' }]);
    expect(await outbox.counts()).toEqual({ pending: 2, conflict: 1, rejected: 1 });
    expect((await outboxRows())[1]?.error).toEqual({ code: 'rejected', message: 'The service did not say why.' });
  });
});

describe('schema upgrade v1 → v2', () => {
  it('declares every version in order, ending at the latest', () => {
    expect(SCHEMA_VERSIONS.map((v) => v.version)).toEqual([1, 2, 3, 4]);
    expect(LATEST_VERSION).toBe(4);
    expect(recordDbName(ME.id)).toBe(`loupe-records-${ME.id}`);
  });

  it('upgrades rows written by version 1 and loses none of them', async () => {
    const name = `record-store-v1-${randomUUID()}`;
    const r = referral(id(), 2);
    const i = image(id(), r.id);
    const o = outcome(id(), r.id, 1, { author: ME });
    const overlayValue = { ...r, status: 'in-review' as const, assignedTo: ME };
    const claimId = randomUUID();
    const draftId = randomUUID();
    const claimMutation: Mutation = { id: claimId, type: 'referral.claim', entityId: r.id, payload: {}, clientTime: new Date(NOW).toISOString() };
    const draftMutation: Mutation = { id: draftId, type: 'outcome.save-draft', entityId: o.id, payload: draftPayload(r.id), clientTime: new Date(NOW).toISOString() };
    const keyRecord = { v: 1, note: 'opaque to the upgrade' };

    const v1 = new RecordDb(name, 1);
    expect(v1.tables.map((t) => t.name).sort()).toEqual(['images', 'meta', 'outbox', 'outcomes', 'referrals']);
    // Version 1 rows: no referralId on referrals, no hasOverlay, outbox entries without state.
    await v1.table('referrals').bulkAdd([
      { id: r.id, version: 2, sealed: await codec.seal('referrals', r.id, r), storedAt: NOW, overlay: { mutationId: claimId, baseVersion: 2, sealed: await codec.sealOverlay('referrals', r.id, overlayValue) } },
    ]);
    await v1.table('images').add({ id: i.id, referralId: r.id, version: 1, sealed: await codec.seal('images', i.id, i), storedAt: NOW });
    await v1.table('outcomes').add({ id: o.id, referralId: r.id, version: 1, sealed: await codec.seal('outcomes', o.id, o), overlay: null, storedAt: NOW });
    await v1.table('outbox').bulkAdd([
      { mutationId: claimId, entityId: r.id, type: 'referral.claim', baseVersion: 2, sealed: await codec.sealMutation(claimMutation), createdAt: NOW },
      { mutationId: draftId, entityId: o.id, type: 'outcome.save-draft', baseVersion: 1, sealed: await codec.sealMutation(draftMutation), createdAt: NOW, attempts: 3 },
    ]);
    await v1.table('meta').bulkPut([
      { key: 'keyRecord', value: keyRecord },
      { key: CURSOR_KEY, value: '42' },
    ]);
    v1.close();

    const v2 = new RecordDb(name);
    try {
      expect(v2.verno).toBe(LATEST_VERSION);
      const rows = {
        referral: (await v2.referrals.get(r.id)) as EntityRow,
        image: (await v2.images.get(i.id)) as EntityRow,
        outcome: (await v2.outcomes.get(o.id)) as EntityRow,
      };
      expect(rows.referral).toMatchObject({ referralId: r.id, hasOverlay: 1, version: 2, storedAt: NOW });
      expect(rows.image).toMatchObject({ referralId: r.id, hasOverlay: 0, overlay: null });
      expect(rows.outcome).toMatchObject({ referralId: r.id, hasOverlay: 0, overlay: null });
      expect(await v2.referrals.where('hasOverlay').equals(1).primaryKeys()).toEqual([r.id]);
      expect(await v2.annotations.count()).toBe(0);
      expect(await v2.resolutions.count()).toBe(0);

      const outboxRowsV2 = await v2.outbox.orderBy('seq').toArray();
      expect(outboxRowsV2).toHaveLength(2);
      expect(outboxRowsV2[0]).toMatchObject({ mutationId: claimId, state: 'pending', chained: false, error: null, attempts: 0, baseVersion: 2 });
      expect(outboxRowsV2[1]).toMatchObject({ mutationId: draftId, state: 'pending', chained: false, error: null, attempts: 3 });
      expect(await v2.outbox.where('state').equals('pending').count()).toBe(2);
      expect(await v2.meta.get('keyRecord')).toEqual({ key: 'keyRecord', value: keyRecord });
      expect(await readCursor(v2)).toBe('42');

      // Everything still opens, and the stores work on top of the upgraded rows.
      const q = new Queries(v2, codec);
      expect(await q.referral(r.id)).toEqual(overlayValue);
      expect(await q.serverVersion('referrals', r.id)).toEqual(r);
      expect(await q.imagesFor(r.id)).toEqual([i]);
      expect(await q.outcomesFor(r.id)).toEqual([o]);
      const store = new OutboxStore(v2, codec);
      expect((await store.nextBatch(10)).map((e) => e.mutation.id)).toEqual([claimId, draftId]);
      expect(await store.counts()).toEqual({ pending: 2, conflict: 0, rejected: 0 });
    } finally {
      v2.close();
      await Dexie.delete(name);
    }
  });

  it('opens an empty database straight at the latest version', async () => {
    const name = `record-store-new-${randomUUID()}`;
    const fresh = new RecordDb(name);
    try {
      await fresh.open();
      expect(fresh.verno).toBe(LATEST_VERSION);
      expect(fresh.tables.map((t) => t.name).sort()).toEqual(['annotations', 'images', 'meta', 'outbox', 'outcomes', 'referrals', 'resolutions', 'workbench']);
    } finally {
      fresh.close();
      await Dexie.delete(name);
    }
  });
});

describe('retention', () => {
  const LIMIT_DAYS = 30;
  const OLD = NOW - 40 * DAY;

  async function cache() {
    const closed = referral(id(), 3, { status: 'done' });
    const closedImage = image(id(), closed.id);
    const closedOutcome = outcome(id(), closed.id, 2, { status: 'final' });
    const open = referral(id(), 1, { status: 'in-review' });
    const openImage = image(id(), open.id);
    const recentClosed = referral(id(), 3, { status: 'done' });
    const claimedClosed = referral(id(), 3, { status: 'done' });
    const amendedClosed = referral(id(), 3, { status: 'done' });
    const amendedOutcome = outcome(id(), amendedClosed.id, 1, { status: 'final', author: ME });
    const deleted = id();
    await applyPage(
      db,
      codec,
      page([
        refCh(closed), imgCh(closedImage), outCh(closedOutcome),
        refCh(open), imgCh(openImage),
        refCh(claimedClosed),
        refCh(amendedClosed), outCh(amendedOutcome),
        delCh('referral', deleted, 2),
      ]),
      OLD,
    );
    await applyPage(db, codec, page([refCh(recentClosed)]), NOW - DAY);
    await db.annotations.put({ id: id(), referralId: closed.id, version: 1, sealed: null, overlay: null, hasOverlay: 0, storedAt: OLD });
    // An unsent change on a closed referral (an overlay), and an unsent amendment of a closed
    // referral's final outcome (the overlay is on the new outcome, not on the referral).
    await outbox.enqueue({ mutation: { id: randomUUID(), type: 'referral.request-info', entityId: claimedClosed.id, payload: { message: 'x' }, clientTime: new Date().toISOString() }, effects: [{ table: 'referrals', id: claimedClosed.id, value: claimedClosed }] }, OLD);
    const amendment = id();
    await outbox.enqueue(action('outcome.submit', amendment, { ...draftPayload(amendedClosed.id), supersedes: amendedOutcome.id }, { referral: amendedClosed }), OLD);
    await db.meta.put({ key: 'lastSyncAt', value: NOW - DAY });
    await db.meta.put({ key: 'keyRecord', value: { opaque: true } });
    return { closed, closedImage, closedOutcome, open, openImage, recentClosed, claimedClosed, amendedClosed, amendedOutcome, amendment, deleted };
  }

  it('purges closed referrals older than the limit with their images, outcomes and annotations', async () => {
    const c = await cache();
    const report = await purgeExpired(db, codec, LIMIT_DAYS, NOW);
    expect(report).toEqual({ referralsRemoved: 2, wholeCache: false });
    expect(await db.referrals.get(c.closed.id)).toBeUndefined();
    expect(await db.referrals.get(c.deleted)).toBeUndefined(); // an old tombstone goes too
    expect(await db.images.get(c.closedImage.id)).toBeUndefined();
    expect(await db.outcomes.get(c.closedOutcome.id)).toBeUndefined();
    expect(await db.annotations.where('referralId').equals(c.closed.id).count()).toBe(0);

    // Kept: open referrals however old, closed ones refreshed recently, anything with an
    // unsent change, and everything of a referral whose outcome has one.
    expect((await queries.referrals()).map((r) => r.id).sort()).toEqual([c.open.id, c.recentClosed.id, c.claimedClosed.id, c.amendedClosed.id].sort());
    expect(await queries.imagesFor(c.open.id)).toEqual([c.openImage]);
    expect((await queries.outcomesFor(c.amendedClosed.id)).map((o) => o.id).sort()).toEqual([c.amendedOutcome.id, c.amendment].sort());
    expect(await db.outbox.count()).toBe(2);
    expect(await readCursor(db)).toBeDefined();
    // Nothing left to do the second time.
    expect(await purgeExpired(db, codec, LIMIT_DAYS, NOW)).toEqual({ referralsRemoved: 0, wholeCache: false });
  });

  it('empties the whole cache when it has not synced within the limit, keeping the outbox, its overlays and the key record', async () => {
    const c = await cache();
    await db.meta.put({ key: 'lastSyncAt', value: NOW - 31 * DAY });
    const cursorBefore = await readCursor(db);
    expect(cursorBefore).toBeDefined();
    const report = await purgeExpired(db, codec, LIMIT_DAYS, NOW);
    expect(report.wholeCache).toBe(true);
    expect(await readCursor(db)).toBeUndefined();
    expect(await db.meta.get('lastSyncAt')).toBeUndefined();
    expect(await db.meta.get('keyRecord')).toEqual({ key: 'keyRecord', value: { opaque: true } });
    expect(await db.outbox.count()).toBe(2);
    expect(await db.images.count()).toBe(0);
    // Only rows carrying an unsent change remain.
    expect((await db.referrals.toArray()).map((r) => r.id)).toEqual([c.claimedClosed.id]);
    expect((await db.outcomes.toArray()).map((r) => r.id)).toEqual([c.amendment]);
    expect(await outbox.nextBatch(10)).toHaveLength(2);
  });

  it('clearRecords (wipe at sign-out) keeps the outbox, overlays and the key record', async () => {
    await cache();
    await clearRecords(db);
    expect(await readCursor(db)).toBeUndefined();
    expect(await db.meta.get('keyRecord')).toBeDefined();
    expect(await db.outbox.count()).toBe(2);
    expect(await db.referrals.where('hasOverlay').equals(0).count()).toBe(0);
    expect(await db.images.count()).toBe(0);
  });

  it('does nothing before the first sync or while everything is recent', async () => {
    const r = referral(id(), 1, { status: 'done' });
    await applyPage(db, codec, page([refCh(r)]), NOW - DAY);
    expect(await purgeExpired(db, codec, LIMIT_DAYS, NOW)).toEqual({ referralsRemoved: 0, wholeCache: false });
    expect(await db.referrals.count()).toBe(1);
  });
});

describe('worklist scope', () => {
  const rs = [
    referral('00000000-0000-4000-8000-000000000001', 1, { status: 'new', dueAt: '2026-11-05T09:00:00Z' }),
    referral('00000000-0000-4000-8000-000000000002', 1, { status: 'awaiting-signoff', dueAt: '2026-11-03T09:00:00Z' }),
    referral('00000000-0000-4000-8000-000000000003', 1, { status: 'done', dueAt: '2026-11-01T09:00:00Z' }),
    referral('00000000-0000-4000-8000-000000000004', 1, { status: 'in-review', dueAt: '2026-11-04T09:00:00Z' }),
    referral('00000000-0000-4000-8000-000000000005', 1, { status: 'waiting-info', dueAt: '2026-11-02T09:00:00Z' }),
  ];

  it('prefetches what each role acts on next, soonest due first', () => {
    expect(nextReferrals(rs, 'consultant', 10).map((r) => r.id.slice(-1))).toEqual(['2', '4', '1']);
    expect(nextReferrals(rs, 'registrar', 10).map((r) => r.id.slice(-1))).toEqual(['4', '1']);
    expect(nextReferrals(rs, 'consultant', 1).map((r) => r.id.slice(-1))).toEqual(['2']);
  });

  it('protects every referral not yet done', () => {
    expect([...worklistIds(rs)].map((r) => r.slice(-1)).sort()).toEqual(['1', '2', '4', '5']);
  });
});
