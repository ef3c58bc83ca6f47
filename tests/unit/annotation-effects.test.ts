// fake-indexeddb first: Dexie looks up the global IndexedDB when it is loaded.
import 'fake-indexeddb/auto';
import { randomUUID } from 'node:crypto';
import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Annotation, AnnotationShape, Change, ImageRecord, Mutation, MutationResult, UserRef } from '../../shared/contract';
import { generateDataKey } from '../../renderer/src/data/crypto/cipher';
import { RecordDb } from '../../renderer/src/data/db/record-db';
import { applyPage } from '../../renderer/src/data/store/apply-page';
import { EntityCodec } from '../../renderer/src/data/store/entity-codec';
import { effectReferralId, isDeletion, localEffects, type EffectContext } from '../../renderer/src/data/store/local-effects';
import { OutboxStore, type Action } from '../../renderer/src/data/store/outbox-store';
import { Queries } from '../../renderer/src/data/store/queries';
import { feedBuilder, imageRecord } from '../support/records';

/*
 * Annotations drawn and removed on the workstation: the local effect that shows a save or
 * hides a deletion at once, and its round trip through the outbox and the change feed on a
 * real IndexedDB implementation (fake-indexeddb) with real WebCrypto.
 */

const NOW = Date.parse('2026-11-10T12:00:00Z');
const NOW_ISO = new Date(NOW).toISOString();
const LABEL = 'Asymmetric pigment network at 2 o’clock';

const ME: UserRef = { id: '0192f0a0-0000-7000-8000-0000000000c1', name: 'Dr C Onsultant', role: 'consultant' };
const OTHER: UserRef = { id: '0192f0a0-0000-7000-8000-0000000000c2', name: 'Dr R Egistrar', role: 'registrar' };

const id = (): string => randomUUID();

const LINE: AnnotationShape = { kind: 'line', from: { x: 10, y: 20 }, to: { x: 110, y: 20 } };
const RECT: AnnotationShape = { kind: 'rect', x: 5, y: 6, width: 70, height: 40 };
const image = (iid: string, referralId: string): ImageRecord => imageRecord({ id: iid, referralId, mmPerPixel: 0.05 });

function annotation(aid: string, img: ImageRecord, version: number, patch: Partial<Annotation> = {}): Annotation {
  return {
    id: aid,
    imageId: img.id,
    referralId: img.referralId,
    version,
    shape: LINE,
    label: 'Server label',
    note: null,
    author: OTHER,
    createdAt: '2026-11-03T09:00:00.000Z',
    updatedAt: '2026-11-03T09:00:00.000Z',
    ...patch,
  };
}

const feed = feedBuilder();
const { image: imgCh, annotation: annCh, page } = feed;
const delCh = (aid: string, version: number): Change => feed.deleted('annotation', aid, version);
const applied = (mutationId: string, entityVersion: number): MutationResult => ({ id: mutationId, status: 'applied', entityVersion });

function mutation(type: Mutation['type'], entityId: string, payload: unknown): Mutation {
  return { id: randomUUID(), type, entityId, payload, clientTime: NOW_ISO };
}

function ctx(patch: Partial<EffectContext> = {}): EffectContext {
  return { user: ME, now: NOW_ISO, outcome: null, referral: null, ...patch };
}

describe('localEffects: annotations', () => {
  const referralId = id();
  const img = image(id(), referralId);

  it('shows a new annotation as the service will make it: the user as author, absent label and note as null', () => {
    const aid = id();
    const effects = localEffects(mutation('annotation.save', aid, { imageId: img.id, shape: RECT }), ctx({ image: img }));
    expect(effects).toEqual([
      {
        table: 'annotations',
        id: aid,
        value: {
          id: aid,
          imageId: img.id,
          referralId,
          version: 1,
          shape: RECT,
          label: null,
          note: null,
          author: ME,
          createdAt: NOW_ISO,
          updatedAt: NOW_ISO,
        },
      },
    ]);
    expect(effectReferralId(effects[0]!)).toBe(referralId);
  });

  it('stores the label and note as the service will (trimmed)', () => {
    const aid = id();
    const [effect] = localEffects(mutation('annotation.save', aid, { imageId: img.id, shape: LINE, label: `  ${LABEL} `, note: 'Compare in 3 months\n' }), ctx({ image: img }));
    expect(effect).toMatchObject({ value: { label: LABEL, note: 'Compare in 3 months' } });
  });

  it('keeps the author, creation time, version and referral of an annotation being edited', () => {
    const existing = annotation(id(), img, 3);
    const [effect] = localEffects(
      mutation('annotation.save', existing.id, { imageId: img.id, shape: RECT, label: 'Edited' }),
      // No image in the context: the annotation itself says where it belongs.
      ctx({ annotation: existing }),
    );
    expect(effect).toEqual({
      table: 'annotations',
      id: existing.id,
      value: { ...existing, shape: RECT, label: 'Edited', note: null, updatedAt: NOW_ISO },
    });
  });

  it('shows nothing when it cannot tell which referral owns the annotation, or the image would change', () => {
    const payload = { imageId: img.id, shape: LINE };
    expect(localEffects(mutation('annotation.save', id(), payload), ctx())).toEqual([]);
    expect(localEffects(mutation('annotation.save', id(), payload), ctx({ image: image(id(), referralId) }))).toEqual([]);
    // An annotation in the context that is another one is not a base to edit.
    expect(localEffects(mutation('annotation.save', id(), payload), ctx({ annotation: annotation(id(), img, 1) }))).toEqual([]);
    const elsewhere = annotation(id(), image(id(), referralId), 1);
    expect(localEffects(mutation('annotation.save', elsewhere.id, payload), ctx({ annotation: elsewhere, image: img }))).toEqual([]);
  });

  it('refuses a payload the service would refuse, before it reaches the outbox', () => {
    const bad = [
      { imageId: img.id, shape: { kind: 'rect', x: 0, y: 0, width: 0, height: 4 } },
      { imageId: img.id, shape: { kind: 'polygon', points: [{ x: 1, y: 1 }, { x: 2, y: 2 }] } },
      { imageId: img.id, shape: LINE, label: '   ' },
      { imageId: 'not-a-uuid', shape: LINE },
      { imageId: img.id, shape: LINE, colour: 'red' },
    ];
    for (const payload of bad) expect(() => localEffects(mutation('annotation.save', id(), payload), ctx({ image: img }))).toThrow();
  });

  it('hides a deleted annotation, remembering its referral; nothing for an annotation it was not given', () => {
    const existing = annotation(id(), img, 2);
    const [effect] = localEffects(mutation('annotation.delete', existing.id, {}), ctx({ annotation: existing }));
    expect(effect).toEqual({ table: 'annotations', id: existing.id, deleted: true, referralId });
    expect(isDeletion(effect!)).toBe(true);
    expect(effectReferralId(effect!)).toBe(referralId);
    expect(localEffects(mutation('annotation.delete', existing.id, {}), ctx())).toEqual([]);
    expect(localEffects(mutation('annotation.delete', id(), {}), ctx({ annotation: existing }))).toEqual([]);
  });
});

// One key for the file (AES-GCM keys are cheap).
const dataKey = await generateDataKey();

describe('annotations through the outbox and the feed', () => {
  let db: RecordDb;
  let codec: EntityCodec;
  let outbox: OutboxStore;
  let queries: Queries;
  let img: ImageRecord;

  beforeEach(async () => {
    db = new RecordDb(`annotation-effects-${randomUUID()}`);
    codec = new EntityCodec(dataKey);
    outbox = new OutboxStore(db, codec);
    queries = new Queries(db, codec);
    img = image(id(), id());
    await applyPage(db, codec, page([imgCh(img)]), NOW);
  });

  afterEach(async () => {
    db.close();
    await Dexie.delete(db.name);
  });

  /** An action as the annotation panel makes it. */
  function act(type: 'annotation.save' | 'annotation.delete', entityId: string, payload: unknown, current: Annotation | null = null): Action {
    const m = mutation(type, entityId, payload);
    return { mutation: m, effects: localEffects(m, ctx({ image: img, annotation: current })) };
  }

  const visible = () => queries.annotationsFor(img.referralId);
  const current = async (aid: string) => (await visible()).find((a) => a.id === aid) ?? null;

  async function serverAnnotation(version = 1): Promise<Annotation> {
    const a = annotation(id(), img, version);
    await applyPage(db, codec, page([annCh(a)]), NOW);
    return a;
  }

  it('shows a new annotation at once, sends it as a creation and settles when the feed brings it', async () => {
    const aid = id();
    const save = act('annotation.save', aid, { imageId: img.id, shape: LINE, label: LABEL });
    await outbox.enqueue(save, NOW);
    expect(await db.annotations.get(aid)).toMatchObject({ version: 0, sealed: null, hasOverlay: 1, referralId: img.referralId, overlay: { baseVersion: 0 } });
    expect(await visible()).toMatchObject([{ id: aid, label: LABEL, shape: LINE, author: ME, version: 1 }]);
    expect(await queries.serverVersion('annotations', aid)).toBeNull();

    const [sent] = await outbox.nextBatch(10);
    expect(sent?.mutation).toMatchObject({ id: save.mutation.id, type: 'annotation.save', entityId: aid, baseVersion: 0, payload: { imageId: img.id, label: LABEL } });

    await outbox.applyResults([applied(save.mutation.id, 1)]);
    expect(await db.outbox.count()).toBe(0);
    // Until the feed brings version 1, the clinician's own copy stays on screen.
    expect(await current(aid)).toMatchObject({ label: LABEL });
    const server = annotation(aid, img, 1, { label: LABEL, author: ME, createdAt: '2026-11-10T12:00:01.000Z', updatedAt: '2026-11-10T12:00:01.000Z' });
    await applyPage(db, codec, page([annCh(server)]), NOW);
    expect(await db.annotations.get(aid)).toMatchObject({ version: 1, overlay: null, hasOverlay: 0 });
    expect(await visible()).toEqual([server]);
  });

  it('shows an edit over the server copy and sends it on top of the version it was made on', async () => {
    const a = await serverAnnotation(2);
    const edit = act('annotation.save', a.id, { imageId: img.id, shape: RECT, label: 'Edited' }, a);
    await outbox.enqueue(edit, NOW);
    expect(await current(a.id)).toEqual({ ...a, shape: RECT, label: 'Edited', updatedAt: NOW_ISO });
    expect(await queries.serverVersion('annotations', a.id)).toEqual(a);
    expect((await outbox.nextBatch(10))[0]?.mutation).toMatchObject({ id: edit.mutation.id, baseVersion: 2 });
  });

  it('hides a deleted annotation at once and keeps it hidden until the feed brings the deletion', async () => {
    const a = await serverAnnotation(1);
    const keep = await serverAnnotation(1);
    const del = act('annotation.delete', a.id, {}, a);
    await outbox.enqueue(del, NOW);

    expect((await visible()).map((x) => x.id)).toEqual([keep.id]);
    // The server's copy is still there (for "Your changes") and the row keeps its referral.
    expect(await queries.serverVersion('annotations', a.id)).toEqual(a);
    expect(await db.annotations.get(a.id)).toMatchObject({ version: 1, hasOverlay: 1, referralId: img.referralId, overlay: { mutationId: del.mutation.id, baseVersion: 1 } });
    expect((await outbox.nextBatch(10))[0]?.mutation).toMatchObject({ id: del.mutation.id, type: 'annotation.delete', entityId: a.id, baseVersion: 1 });

    // A replayed copy of the old version does not bring it back.
    await applyPage(db, codec, page([annCh(a)]), NOW);
    expect(await current(a.id)).toBeNull();

    await outbox.applyResults([applied(del.mutation.id, 2)]);
    expect(await current(a.id)).toBeNull();
    expect(await db.annotations.get(a.id)).toMatchObject({ hasOverlay: 1, overlay: { appliedVersion: 2 } });

    await applyPage(db, codec, page([delCh(a.id, 2)]), NOW);
    expect(await db.annotations.get(a.id)).toMatchObject({ version: 2, sealed: null, overlay: null, hasOverlay: 0, referralId: img.referralId });
    expect((await visible()).map((x) => x.id)).toEqual([keep.id]);
  });

  it('settles a deletion whose tombstone the feed brought before the push heard the answer', async () => {
    const a = await serverAnnotation(1);
    const del = act('annotation.delete', a.id, {}, a);
    await outbox.enqueue(del, NOW);
    await applyPage(db, codec, page([delCh(a.id, 2)]), NOW);
    // The entry is still queued, so the overlay stays; hidden either way.
    expect(await db.annotations.get(a.id)).toMatchObject({ version: 2, hasOverlay: 1 });
    expect(await current(a.id)).toBeNull();
    await outbox.applyResults([applied(del.mutation.id, 2)]);
    expect(await db.annotations.get(a.id)).toMatchObject({ version: 2, sealed: null, overlay: null, hasOverlay: 0 });
    expect(await current(a.id)).toBeNull();
  });

  it('brings a deleted annotation back when the clinician discards the refused deletion', async () => {
    const a = await serverAnnotation(1);
    const del = act('annotation.delete', a.id, {}, a);
    await outbox.enqueue(del, NOW);
    await outbox.applyResults([{ id: del.mutation.id, status: 'rejected', error: { code: 'not_author', message: 'Only its author or a consultant may delete an annotation' } }]);
    expect(await current(a.id)).toBeNull();
    await outbox.resolve(del.mutation.id, 'discard', NOW);
    expect(await current(a.id)).toEqual(a);
    expect(await db.annotations.get(a.id)).toMatchObject({ overlay: null, hasOverlay: 0, version: 1 });
  });

  it('keeps it hidden when a conflicting deletion is applied again on top of the current version', async () => {
    const a = await serverAnnotation(1);
    const del = act('annotation.delete', a.id, {}, a);
    await outbox.enqueue(del, NOW);
    await outbox.applyResults([{ id: del.mutation.id, status: 'conflict', error: { code: 'version_conflict', message: 'The annotation is at version 2', currentVersion: 2 } }]);
    const theirs = { ...a, version: 2, label: 'Their edit' };
    await applyPage(db, codec, page([annCh(theirs)]), NOW);
    expect(await current(a.id)).toBeNull();
    await outbox.resolve(del.mutation.id, 'reapply', NOW);
    const [again] = await outbox.nextBatch(10);
    expect(again?.mutation).toMatchObject({ type: 'annotation.delete', entityId: a.id, baseVersion: 2 });
    expect(again?.mutation.id).not.toBe(del.mutation.id);
    expect(await current(a.id)).toBeNull();
  });

  it('deletes an annotation drawn offline before it was ever sent: the save goes first, the deletion on top', async () => {
    const aid = id();
    const save = act('annotation.save', aid, { imageId: img.id, shape: RECT });
    await outbox.enqueue(save, NOW);
    const del = act('annotation.delete', aid, {}, await current(aid));
    expect(del.effects).toHaveLength(1);
    await outbox.enqueue(del, NOW);
    expect(await current(aid)).toBeNull();
    expect(await db.annotations.get(aid)).toMatchObject({ version: 0, sealed: null, referralId: img.referralId, overlay: { mutationId: del.mutation.id, baseVersion: 0 } });

    expect((await outbox.nextBatch(10)).map((e) => e.mutation.id)).toEqual([save.mutation.id]);
    await outbox.applyResults([applied(save.mutation.id, 1)]);
    // The feed brings the save while the deletion is still queued: it stays hidden.
    await applyPage(db, codec, page([annCh(annotation(aid, img, 1, { shape: RECT, label: null, author: ME }))]), NOW);
    expect(await current(aid)).toBeNull();
    expect((await outbox.nextBatch(10))[0]?.mutation).toMatchObject({ id: del.mutation.id, baseVersion: 1 });

    await outbox.applyResults([applied(del.mutation.id, 2)]);
    await applyPage(db, codec, page([delCh(aid, 2)]), NOW);
    expect(await db.annotations.get(aid)).toMatchObject({ version: 2, sealed: null, overlay: null, hasOverlay: 0 });
    expect(await visible()).toEqual([]);
  });

  it('removes the row of a never-sent annotation entirely when its refused save is discarded', async () => {
    const aid = id();
    const save = act('annotation.save', aid, { imageId: img.id, shape: LINE });
    await outbox.enqueue(save, NOW);
    await outbox.applyResults([{ id: save.mutation.id, status: 'rejected', error: { code: 'shape_outside_image', message: 'outside' } }]);
    await outbox.resolve(save.mutation.id, 'discard', NOW);
    expect(await db.annotations.get(aid)).toBeUndefined();
    expect(await visible()).toEqual([]);
  });

  it('seals the tombstone like any overlay: the row does not say in the clear that it was a deletion', async () => {
    const a = await serverAnnotation(1);
    const edit = act('annotation.save', a.id, { imageId: img.id, shape: RECT, label: LABEL }, a);
    const del = act('annotation.delete', a.id, {}, a);
    await outbox.enqueue(edit, NOW);
    const editRow = (await db.annotations.get(a.id))!;
    await outbox.enqueue(del, NOW);
    const delRow = (await db.annotations.get(a.id))!;
    expect(Object.keys(delRow).sort()).toEqual(Object.keys(editRow).sort());
    expect(Object.keys(delRow.overlay!).sort()).toEqual(Object.keys(editRow.overlay!).sort());
    expect(JSON.stringify(delRow)).not.toContain('deleted');
    // Bound to its row like an overlay: it does not open as the server's copy or another row's.
    const other = await serverAnnotation(1);
    const moved = { ...(await db.annotations.get(other.id))!, overlay: delRow.overlay, hasOverlay: 1 as const };
    await db.annotations.put(moved);
    await expect(codec.visible('annotations', moved)).rejects.toThrow();
    await expect(codec.server('annotations', { ...delRow, sealed: delRow.overlay!.sealed })).rejects.toThrow();
  });
});
