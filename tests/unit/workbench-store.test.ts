// fake-indexeddb first: Dexie looks up the global IndexedDB when it is loaded.
import 'fake-indexeddb/auto';
import { randomUUID } from 'node:crypto';
import Dexie, { liveQuery } from 'dexie';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ImageRecord, Referral } from '../../shared/contract';
import { comparisonKey, UNUSABLE_REASON_LABELS, UnusableReason, type Calibration, type Comparison, type ImageMark } from '../../shared/viewer/workbench';
import { generateDataKey, sealJson } from '../../renderer/src/data/crypto/cipher';
import { LATEST_VERSION, RecordDb, type EntityRow, type OutboxRow, type WorkbenchRow } from '../../renderer/src/data/db/record-db';
import { clearRecords, purgeExpired } from '../../renderer/src/data/retention';
import { applyPage, CURSOR_KEY } from '../../renderer/src/data/store/apply-page';
import { EntityCodec } from '../../renderer/src/data/store/entity-codec';
import { Queries } from '../../renderer/src/data/store/queries';
import { WorkbenchStore } from '../../renderer/src/data/store/workbench-store';
import { withLesionHistory } from '../../renderer/src/data/tiles/lesion-history';
import { feedBuilder, imageRecord, storedText } from '../support/records';

/*
 * The viewer's workbench (#5) on a real IndexedDB implementation (fake-indexeddb) with real
 * WebCrypto: calibrations, unusable-image marks and comparisons, sealed and bound to their
 * row, the v2 → v3 upgrade, retention, and the lesion timeline across a patient's referrals.
 */

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-10T12:00:00Z');
const NHS_A = '9990000018';
const NHS_B = '9990000026';
/** Clinical text that must never be found in the clear at rest. */
const NOTE = 'Hair over the lesion on the left shin of Philomena; ask the GP to retake it.';

const id = (): string => randomUUID();

function referral(rid: string, patch: Partial<Referral> = {}, nhsNumber = NHS_A): Referral {
  return {
    id: rid,
    version: 1,
    status: 'new',
    pathway: 'advice',
    patient: { nhsNumber, name: { given: 'Philomena', family: 'Quagmire' }, birthDate: '1950-02-01', sex: 'female' },
    referrer: { name: 'Dr A Example', practiceCode: 'A12345', userId: '0192f0a0-0000-7000-8000-0000000000d1' },
    question: 'Pigmented lesion on left shin. Melanoma?',
    history: {},
    receivedAt: '2026-11-02T09:00:00Z',
    dueAt: '2026-11-04T09:00:00Z',
    assignedTo: null,
    imageIds: [],
    infoRequests: [],
    followUps: [],
    ...patch,
  };
}

function image(iid: string, r: Referral, capturedAt = '2026-11-01T10:00:00Z', lesion = 'L1'): ImageRecord {
  return imageRecord({ id: iid, referralId: r.id, patientNhsNumber: r.patient.nhsNumber, capturedAt, lesion });
}

const { referral: refCh, image: imgCh, page } = feedBuilder();

const calibration = (imageId: string, patch: Partial<Calibration> = {}): Calibration => ({
  imageId,
  from: { x: 100, y: 200 },
  to: { x: 400, y: 600 },
  knownMm: 10,
  mmPerPixel: 10 / 500,
  at: '2026-11-09T10:00:00Z',
  ...patch,
});

const mark = (imageId: string, referralId: string, patch: Partial<ImageMark> = {}): ImageMark => ({
  imageId,
  referralId,
  reason: 'lesion-not-identifiable',
  note: NOTE,
  at: '2026-11-09T10:00:00Z',
  ...patch,
});

function comparison(referralId: string, imageIds: string[], patch: Partial<Comparison> = {}): Comparison {
  const [, second] = imageIds;
  return {
    key: comparisonKey(imageIds),
    referralId,
    imageIds,
    mode: 'side-by-side',
    alignments: second ? { [second]: { reference: [{ x: 10, y: 10 }, { x: 900, y: 700 }], other: [{ x: 20, y: 5 }, { x: 910, y: 690 }] } } : {},
    opacity: 0.5,
    split: 0.5,
    updatedAt: '2026-11-09T10:00:00Z',
    ...patch,
  };
}

const dataKey = await generateDataKey();

let db: RecordDb;
let codec: EntityCodec;
let store: WorkbenchStore;
let queries: Queries;

beforeEach(() => {
  db = new RecordDb(`workbench-store-${randomUUID()}`);
  codec = new EntityCodec(dataKey);
  store = new WorkbenchStore(db, dataKey);
  queries = new Queries(db, codec);
});

afterEach(async () => {
  vi.restoreAllMocks();
  db.close();
  await Dexie.delete(db.name);
});

/** A stored referral with `n` images (lesion L1), as the feed brings them. */
async function stored(n = 3, patch: Partial<Referral> = {}, storedAt = NOW): Promise<{ r: Referral; images: ImageRecord[] }> {
  const r = referral(id(), patch);
  const images = Array.from({ length: n }, (_, k) => image(id(), r, `2026-11-0${k + 1}T10:00:00Z`));
  await applyPage(db, codec, page([refCh(r), ...images.map(imgCh)]), storedAt);
  return { r, images };
}

describe('shared/viewer/workbench', () => {
  it('labels every reason and keys a comparison by its set of images', () => {
    expect(UnusableReason.options.map((r) => UNUSABLE_REASON_LABELS[r])).toEqual(['Blurred', 'Poor lighting', 'No scale', 'No dermoscopy', 'Lesion not identifiable']);
    const [a, b, c] = ['cccccccc-0000-4000-8000-000000000000', 'aaaaaaaa-0000-4000-8000-000000000000', 'BBBBBBBB-0000-4000-8000-000000000000'];
    expect(comparisonKey([a, b, c])).toBe(`${b}+${c.toLowerCase()}+${a}`);
    expect(comparisonKey([c, a, b])).toBe(comparisonKey([a, b, c]));
  });
});

describe('WorkbenchStore: round trips', () => {
  it('saves, replaces and clears a calibration', async () => {
    const { images } = await stored(2);
    const [i1, i2] = images as [ImageRecord, ImageRecord];
    expect(await store.calibration(i1.id)).toBeNull();
    await store.setCalibration(calibration(i1.id));
    expect(await store.calibration(i1.id)).toEqual(calibration(i1.id));
    expect(await store.calibration(i1.id.toUpperCase())).toEqual(calibration(i1.id));
    expect(await store.calibration(i2.id)).toBeNull();

    await store.setCalibration(calibration(i1.id, { knownMm: 5, mmPerPixel: 0.01 }));
    expect(await store.calibration(i1.id)).toMatchObject({ knownMm: 5, mmPerPixel: 0.01 });
    expect(await db.workbench.count()).toBe(1);
    expect(await db.workbench.get(`calibration:${i1.id}`)).toMatchObject({ referralId: i1.referralId });

    await store.clearCalibration(i1.id);
    expect(await store.calibration(i1.id)).toBeNull();
  });

  it('marks images unusable per referral, with or without a note, and clears a mark', async () => {
    const one = await stored(3);
    const two = await stored(1);
    const [a, b, c] = one.images as [ImageRecord, ImageRecord, ImageRecord];
    await store.markUnusable(mark(b.id, one.r.id, { at: '2026-11-09T11:00:00Z' }));
    await store.markUnusable(mark(a.id, one.r.id, { reason: 'blurred', note: undefined }));
    await store.markUnusable(mark(two.images[0]!.id, two.r.id));
    expect(await store.marksFor(one.r.id)).toEqual([mark(a.id, one.r.id, { reason: 'blurred', note: undefined }), mark(b.id, one.r.id, { at: '2026-11-09T11:00:00Z' })]);
    expect((await store.marksFor(one.r.id))[0]).not.toHaveProperty('note');
    // Calibrations and comparisons of the referral are not marks.
    await store.setCalibration(calibration(c.id));
    await store.saveComparison(comparison(one.r.id, [a.id, b.id]));
    expect(await store.marksFor(one.r.id)).toHaveLength(2);

    await store.markUnusable(mark(a.id, one.r.id, { reason: 'no-scale' }));
    expect((await store.marksFor(one.r.id)).map((m) => m.reason)).toEqual(['no-scale', 'lesion-not-identifiable']);
    await store.clearMark(b.id);
    expect((await store.marksFor(one.r.id)).map((m) => m.imageId)).toEqual([a.id]);
    expect(await store.marksFor(two.r.id)).toHaveLength(1);
  });

  it('finds a comparison whichever order its images are given in, keeping the order it was saved in', async () => {
    const { r, images } = await stored(3);
    const [a, b, c] = images.map((i) => i.id) as [string, string, string];
    const saved = comparison(r.id, [c, a, b], {
      mode: 'overlay',
      opacity: 0.3,
      split: 0,
      alignments: {
        [a]: { reference: [{ x: 1, y: 2 }, { x: 3, y: 4 }], other: [{ x: 5, y: 6 }, { x: 7, y: 8 }] },
        [b]: { reference: [{ x: 0, y: 0 }, { x: 10, y: 10 }], other: [{ x: 1, y: 1 }, { x: 11, y: 12 }] },
      },
    });
    await store.saveComparison(saved);
    for (const order of [[c, a, b], [a, b, c], [b, c, a]]) expect(await store.comparison(order)).toEqual(saved);
    expect(await store.comparison([a, b])).toBeNull();
    expect(await store.comparison([a])).toBeNull();

    await store.saveComparison({ ...saved, mode: 'swipe', split: 0.8 });
    expect(await store.comparison([a, b, c])).toMatchObject({ mode: 'swipe', split: 0.8, imageIds: [c, a, b] });
    expect(await db.workbench.count()).toBe(1);
  });

  it('refuses invalid values and records of images or referrals it does not hold, writing nothing', async () => {
    const { r, images } = await stored(2);
    const other = await stored(1);
    const [a, b] = images.map((i) => i.id) as [string, string];
    await expect(store.setCalibration(calibration(a, { knownMm: 0 }))).rejects.toThrow();
    await expect(store.setCalibration(calibration(a, { knownMm: 1001 }))).rejects.toThrow();
    await expect(store.setCalibration(calibration(a, { mmPerPixel: -1 }))).rejects.toThrow();
    await expect(store.setCalibration(calibration(id()))).rejects.toThrow('not stored');
    await expect(store.markUnusable(mark(a, r.id, { note: 'x'.repeat(501) }))).rejects.toThrow();
    await expect(store.markUnusable(mark(a, r.id, { reason: 'smudged' as never }))).rejects.toThrow();
    await expect(store.markUnusable(mark(a, other.r.id))).rejects.toThrow('another referral');
    await expect(store.markUnusable(mark(id(), id()))).rejects.toThrow('not stored');
    await expect(store.saveComparison(comparison(r.id, [a]))).rejects.toThrow();
    await expect(store.saveComparison(comparison(r.id, [a, b, id(), id(), id()]))).rejects.toThrow();
    await expect(store.saveComparison(comparison(r.id, [a, a]))).rejects.toThrow();
    await expect(store.saveComparison(comparison(r.id, [a, b], { key: `${a}+${b}+x` }))).rejects.toThrow();
    await expect(store.saveComparison(comparison(r.id, [a, b], { opacity: 1.5 }))).rejects.toThrow();
    // An alignment belongs to a non-reference image of the comparison.
    const aligned = comparison(r.id, [a, b]);
    await expect(store.saveComparison({ ...aligned, alignments: { [a]: aligned.alignments[b]! } })).rejects.toThrow();
    expect(await db.workbench.count()).toBe(0);
  });
});

describe('WorkbenchStore: at rest', () => {
  it('stores no note, reason, mode or field name in the clear', async () => {
    const { r, images } = await stored(2);
    const [a, b] = images.map((i) => i.id) as [string, string];
    await store.setCalibration(calibration(a));
    await store.markUnusable(mark(b, r.id));
    await store.saveComparison(comparison(r.id, [a, b]));
    const rows = await db.workbench.toArray();
    expect(rows).toHaveLength(3);
    const raw = storedText(rows);
    for (const secret of [NOTE, 'Philomena', 'left shin', 'lesion-not-identifiable', 'side-by-side', 'knownMm', 'mmPerPixel', 'alignments', 'opacity']) {
      expect(raw, secret).not.toContain(secret);
    }
    // The check itself finds plaintext in a buffer.
    expect(storedText({ data: new TextEncoder().encode(JSON.stringify(mark(b, r.id))).buffer })).toContain(NOTE);
    // In the clear: keys (ids) and the owning referral.
    expect(raw).toContain(`mark:${b}`);
    expect(raw).toContain(r.id);
  });

  it('treats a value moved to another row, or one that does not parse, as absent and logs no clinical text', async () => {
    const { r, images } = await stored(2);
    const [a, b] = images.map((i) => i.id) as [string, string];
    await store.markUnusable(mark(a, r.id));
    await store.markUnusable(mark(b, r.id, { note: 'Second note' }));
    await store.setCalibration(calibration(a));
    await store.setCalibration(calibration(b));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);

    const swap = async (k1: string, k2: string) => {
      const [r1, r2] = (await db.workbench.bulkGet([k1, k2])) as [WorkbenchRow, WorkbenchRow];
      await db.workbench.bulkPut([{ ...r1, sealed: r2.sealed }, { ...r2, sealed: r1.sealed }]);
    };
    // A fresh store: nothing remembered from writing.
    const fresh = new WorkbenchStore(db, dataKey);
    await swap(`mark:${a}`, `mark:${b}`);
    expect(await fresh.marksFor(r.id)).toEqual([]);
    await swap(`calibration:${a}`, `calibration:${b}`);
    expect(await fresh.calibration(a)).toBeNull();
    expect(await fresh.calibration(b)).toBeNull();
    // The store that wrote them does not open them either (its memory is per row).
    expect(await store.calibration(a)).toBeNull();
    // A calibration's value put on a mark's row (the same key text in another kind) does not open.
    const cal = (await db.workbench.get(`calibration:${a}`))!;
    await db.workbench.put({ ...cal, key: `mark:${a}` });
    expect(await fresh.marksFor(r.id)).toEqual([]);

    // Sealed for the right row but not a valid record (e.g. written by a faulty build).
    await db.workbench.put({ key: `calibration:${a}`, referralId: r.id, updatedAt: NOW, sealed: await sealJson(dataKey, { ...calibration(a), knownMm: -3, note: NOTE }, `workbench:calibration:${a}`) });
    expect(await fresh.calibration(a)).toBeNull();

    expect(warn).toHaveBeenCalled();
    const logged = storedText(warn.mock.calls);
    for (const secret of [NOTE, 'Second note', a, b, r.id]) expect(logged).not.toContain(secret);
    expect(logged).toContain('Workbench record');

    // A rewrite replaces the unreadable row.
    await fresh.setCalibration(calibration(a));
    expect(await fresh.calibration(a)).toEqual(calibration(a));
  });
});

describe('schema upgrade v2 → v3', () => {
  it('keeps every row written by version 2 and adds an empty workbench', async () => {
    const name = `workbench-v2-${randomUUID()}`;
    const r = referral(id());
    const i = image(id(), r);
    const row = async (table: 'referrals' | 'images', value: Referral | ImageRecord): Promise<EntityRow> => ({
      id: value.id,
      referralId: 'referralId' in value ? value.referralId : value.id,
      version: 1,
      sealed: await codec.seal(table, value.id, value as never),
      overlay: null,
      hasOverlay: 0,
      storedAt: NOW,
    });
    const referralRow = await row('referrals', r);
    const imageRow = await row('images', i);
    const annotationRow: EntityRow = { id: id(), referralId: r.id, version: 2, sealed: null, overlay: null, hasOverlay: 0, storedAt: NOW };
    const outboxRow: OutboxRow = {
      mutationId: randomUUID(),
      entityId: r.id,
      type: 'referral.claim',
      state: 'conflict',
      chained: false,
      baseVersion: 1,
      sealed: await sealJson(dataKey, { opaque: true }, 'outbox:x'),
      createdAt: NOW,
      attempts: 2,
      error: { code: 'version_conflict', message: 'at version 2', currentVersion: 2 },
    };

    const v2 = new RecordDb(name, 2);
    expect(v2.tables.map((t) => t.name).sort()).toEqual(['annotations', 'images', 'meta', 'outbox', 'outcomes', 'referrals', 'resolutions']);
    await v2.table('referrals').add(referralRow);
    await v2.table('images').add(imageRow);
    await v2.table('annotations').add(annotationRow);
    await v2.table('outbox').add(outboxRow);
    await v2.table('resolutions').add({ at: NOW, entityId: r.id, sealed: outboxRow.sealed });
    await v2.table('meta').bulkPut([
      { key: 'keyRecord', value: { opaque: true } },
      { key: CURSOR_KEY, value: '42' },
    ]);
    const before = Object.fromEntries(await Promise.all(v2.tables.map(async (t) => [t.name, await t.toArray()] as const)));
    v2.close();

    const v3 = new RecordDb(name);
    try {
      await v3.open();
      expect(v3.verno).toBe(LATEST_VERSION);
      // v2 → the latest (v3 added the workbench; v4 (#6) only indexes change stamps and rewrites no row).
      expect(LATEST_VERSION).toBeGreaterThanOrEqual(3);
      for (const [table, rows] of Object.entries(before)) expect(await v3.table(table).toArray(), table).toEqual(rows);
      expect(await v3.workbench.count()).toBe(0);
      expect(await v3.outbox.where('state').equals('conflict').count()).toBe(1);
      expect(await v3.images.where('referralId').equals(r.id).count()).toBe(1);

      // The stores work on top of the upgraded rows.
      const q = new Queries(v3, codec);
      expect(await q.referral(r.id)).toEqual(r);
      expect(await q.imagesFor(r.id)).toEqual([i]);
      const wb = new WorkbenchStore(v3, dataKey);
      await wb.setCalibration(calibration(i.id));
      expect(await wb.calibration(i.id)).toEqual(calibration(i.id));
      expect(await v3.workbench.where('referralId').equals(r.id).count()).toBe(1);
    } finally {
      v3.close();
      await Dexie.delete(name);
    }
  });
});

describe('retention', () => {
  const LIMIT_DAYS = 30;
  const OLD = NOW - 40 * DAY;

  /** A calibration, a mark and a comparison on a stored referral's images. */
  async function workbenchOf(r: Referral, images: ImageRecord[]): Promise<void> {
    const [a, b] = images.map((i) => i.id) as [string, string];
    await store.setCalibration(calibration(a));
    await store.markUnusable(mark(b, r.id));
    await store.saveComparison(comparison(r.id, [a, b]));
  }

  const rowsOf = (referralId: string) => db.workbench.where('referralId').equals(referralId).primaryKeys();

  async function cache() {
    const closed = await stored(2, { status: 'done' }, OLD);
    const open = await stored(2, { status: 'in-review' }, OLD);
    const recentClosed = await stored(2, { status: 'done' }, NOW - DAY);
    const changedClosed = await stored(2, { status: 'done' }, OLD);
    // The clinician's unsent change on a closed referral keeps it (and so its workbench).
    const row = (await db.referrals.get(changedClosed.r.id))!;
    const overlay = { mutationId: randomUUID(), baseVersion: 1, sealed: await codec.sealOverlay('referrals', row.id, changedClosed.r) };
    await db.referrals.put({ ...row, overlay, hasOverlay: 1 });
    for (const c of [closed, open, recentClosed, changedClosed]) await workbenchOf(c.r, c.images);
    await db.meta.put({ key: 'lastSyncAt', value: NOW - DAY });
    return { closed, open, recentClosed, changedClosed };
  }

  it('removes a purged referral’s workbench records with it, and no other', async () => {
    const c = await cache();
    expect(await db.workbench.count()).toBe(12);
    expect(await purgeExpired(db, codec, LIMIT_DAYS, NOW)).toEqual({ referralsRemoved: 1, wholeCache: false });
    expect(await db.referrals.get(c.closed.r.id)).toBeUndefined();
    expect(await rowsOf(c.closed.r.id)).toEqual([]);
    expect(await store.calibration(c.closed.images[0]!.id)).toBeNull();
    for (const kept of [c.open, c.recentClosed, c.changedClosed]) {
      expect(await rowsOf(kept.r.id)).toHaveLength(3);
      expect(await store.calibration(kept.images[0]!.id)).toEqual(calibration(kept.images[0]!.id));
      expect(await store.marksFor(kept.r.id)).toHaveLength(1);
    }
    expect(await db.workbench.count()).toBe(9);
  });

  it('empties the workbench with the whole cache, except the records of a referral that stays', async () => {
    const c = await cache();
    await db.meta.put({ key: 'lastSyncAt', value: NOW - 31 * DAY });
    expect((await purgeExpired(db, codec, LIMIT_DAYS, NOW)).wholeCache).toBe(true);
    expect((await db.referrals.toArray()).map((r) => r.id)).toEqual([c.changedClosed.r.id]);
    expect((await db.workbench.toArray()).map((r) => r.referralId)).toEqual([c.changedClosed.r.id, c.changedClosed.r.id, c.changedClosed.r.id]);
  });

  it('clearRecords (wipe at sign-out) removes workbench records of every referral it removes', async () => {
    const c = await cache();
    await clearRecords(db);
    expect(await rowsOf(c.open.r.id)).toEqual([]);
    expect(await rowsOf(c.recentClosed.r.id)).toEqual([]);
    expect(await rowsOf(c.changedClosed.r.id)).toHaveLength(3);
  });
});

describe('lesion timeline', () => {
  it('lists one lesion across the patient’s referrals by capture date, and nothing of another patient or lesion', async () => {
    const r1 = referral(id(), { receivedAt: '2025-01-10T09:00:00Z' });
    const r2 = referral(id(), { receivedAt: '2025-07-10T09:00:00Z' });
    const r3 = referral(id(), { receivedAt: '2026-11-02T09:00:00Z' });
    const someoneElse = referral(id(), {}, NHS_B);
    const first = image(id(), r1, '2025-01-05T10:00:00Z');
    const second = image(id(), r2, '2025-07-01T10:00:00+01:00');
    const third = image(id(), r3, '2026-11-01T10:00:00Z');
    const otherLesion = image(id(), r2, '2025-07-01T10:05:00Z', 'L2');
    const otherPatient = image(id(), someoneElse, '2025-03-01T10:00:00Z');
    // Delivered out of order, across pages.
    await applyPage(db, codec, page([refCh(r3), imgCh(third), refCh(someoneElse), imgCh(otherPatient)]), NOW);
    await applyPage(db, codec, page([refCh(r1), refCh(r2), imgCh(otherLesion), imgCh(second), imgCh(first)]), NOW);

    const timeline = await queries.lesionTimeline(r3.id, 'L1');
    expect(timeline.map((e) => e.image)).toEqual([first, second, third]);
    expect(timeline.map((e) => e.referral.id)).toEqual([r1.id, r2.id, r3.id]);
    expect(timeline[1]!.referral).toEqual(r2);
    // The same from any of the patient's referrals.
    expect((await queries.lesionTimeline(r1.id, 'L1')).map((e) => e.image.id)).toEqual([first.id, second.id, third.id]);
    expect((await queries.lesionTimeline(r2.id, 'L2')).map((e) => e.image.id)).toEqual([otherLesion.id]);
    expect((await queries.lesionTimeline(someoneElse.id, 'L1')).map((e) => e.image.id)).toEqual([otherPatient.id]);
    expect(await queries.lesionTimeline(r1.id, 'L9')).toEqual([]);
    expect(await queries.lesionTimeline(id(), 'L1')).toEqual([]);

    // Same capture time: by id.
    const twin = image('00000000-0000-4000-8000-000000000000', r1, first.capturedAt);
    await applyPage(db, codec, page([imgCh(twin)]), NOW);
    expect((await queries.lesionTimeline(r3.id, 'L1')).map((e) => e.image.id)).toEqual([twin.id, first.id, second.id, third.id]);
  });
});

describe('live queries', () => {
  /** Subscribes as useLiveQuery does and collects every value it emits. */
  function watch<T>(querier: () => Promise<T>) {
    const values: T[] = [];
    const errors: unknown[] = [];
    const sub = liveQuery(querier).subscribe({ next: (v) => values.push(v), error: (e: unknown) => errors.push(e) });
    return {
      values,
      errors,
      last: () => values[values.length - 1],
      stop: () => sub.unsubscribe(),
    };
  }

  it('re-run the workbench reads and the timeline when their rows change', async () => {
    const { r, images } = await stored(2);
    const [a, b] = images as [ImageRecord, ImageRecord];
    const cal = watch(() => store.calibration(a.id));
    const marks = watch(() => store.marksFor(r.id));
    const cmp = watch(() => store.comparison([b.id, a.id]));
    const timeline = watch(() => queries.lesionTimeline(r.id, 'L1'));
    try {
      await vi.waitFor(() => {
        expect(cal.values).toEqual([null]);
        expect(marks.values).toEqual([[]]);
        expect(cmp.values).toEqual([null]);
        expect(timeline.last()?.map((e) => e.image.id)).toEqual([a.id, b.id]);
      });

      await store.setCalibration(calibration(a.id));
      await vi.waitFor(() => expect(cal.last()).toEqual(calibration(a.id)));
      await store.markUnusable(mark(b.id, r.id));
      await vi.waitFor(() => expect(marks.last()).toEqual([mark(b.id, r.id)]));
      await store.saveComparison(comparison(r.id, [a.id, b.id]));
      await vi.waitFor(() => expect(cmp.last()).toEqual(comparison(r.id, [a.id, b.id])));
      await store.clearCalibration(a.id);
      await vi.waitFor(() => expect(cal.last()).toBeNull());

      // A new referral of the same patient with the same lesion joins the timeline.
      const later = referral(id());
      const third = image(id(), later, '2026-12-01T10:00:00Z');
      await applyPage(db, codec, page([refCh(later), imgCh(third)]), NOW);
      await vi.waitFor(() => expect(timeline.last()?.map((e) => e.image.id)).toEqual([a.id, b.id, third.id]));
      expect([...cal.errors, ...marks.errors, ...cmp.errors, ...timeline.errors]).toEqual([]);
    } finally {
      for (const w of [cal, marks, cmp, timeline]) w.stop();
    }
  });
});

describe('prefetch with lesion history', () => {
  it('adds the same patient’s earlier images of the planned lesions, after the plan, and nothing else', async () => {
    const now = referral(id());
    const before = referral(id(), { receivedAt: '2026-05-01T09:00:00Z' });
    const other = referral(id(), {}, NHS_B);
    const images = new Map<string, ImageRecord[]>([
      [now.id, [image(id(), now, '2026-11-01T10:00:00Z', 'L1')]],
      [before.id, [image(id(), before, '2026-05-01T10:00:00Z', 'L1'), image(id(), before, '2026-05-01T10:00:00Z', 'L2')]],
      [other.id, [image(id(), other, '2026-05-01T10:00:00Z', 'L1')]],
    ]);
    const imagesFor = async (rid: string) => images.get(rid) ?? [];
    const plan = [{ referralId: now.id, images: await imagesFor(now.id) }];
    const full = await withLesionHistory(plan, [now, before, other], imagesFor);
    expect(full.map((p) => p.referralId)).toEqual([now.id, before.id]);
    // Only lesion L1 of the earlier referral: L2 is not in the planned case.
    expect(full[1]!.images.map((i) => i.lesion)).toEqual(['L1']);
    // A referral already planned is not added twice.
    const both = await withLesionHistory([...plan, { referralId: before.id, images: images.get(before.id)! }], [now, before, other], imagesFor);
    expect(both.map((p) => p.referralId)).toEqual([now.id, before.id]);
  });
});
