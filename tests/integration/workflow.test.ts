import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReferralCreated, type Change, type Mutation, type MutationResult, type Outcome } from '../../shared/contract';
import type { ServiceClient } from '../../shared/client/service-client';
import { allChanges, postReferral, referralBody, startService, testJpeg, type RunningService } from './harness';

let svc: RunningService;
let gp: ServiceClient;
let consultant: ServiceClient;
let registrar: ServiceClient;

const tokenOf = (c: ServiceClient) => c.currentToken() ?? '';
const now = () => new Date().toISOString();
const fields = {
  decision: 'discharge',
  diagnosis: { text: 'Seborrhoeic keratosis' },
  adviceToGp: 'Benign. Safety-netting advice given.',
  safetyNetting: 'Re-refer if it grows, bleeds or changes colour.',
};

async function newReferral(): Promise<ReferralCreated> {
  const res = await postReferral(svc, tokenOf(gp), referralBody(['a']), { a: await testJpeg(640, 480) });
  expect(res.status).toBe(201);
  return ReferralCreated.parse(await res.json());
}

/** Sends one mutation; `payload` defaults to `{}` (claims and deletions carry none). */
async function one(c: ServiceClient, m: Omit<Mutation, 'id' | 'clientTime' | 'payload'> & { id?: string; payload?: unknown }): Promise<MutationResult> {
  const { results } = await c.mutate([{ id: randomUUID(), clientTime: now(), payload: {}, ...m }]);
  expect(results).toHaveLength(1);
  return results[0]!;
}

async function referralVersion(id: string): Promise<number> {
  return (await consultant.referral(id)).referral.version;
}

/** The latest state of each entity a feed carries. */
function latest(changes: Change[]): Map<string, Change> {
  const m = new Map<string, Change>();
  for (const c of changes) m.set(c.id, c);
  return m;
}

beforeAll(async () => {
  svc = await startService();
  [gp, consultant, registrar] = await Promise.all([svc.signedIn('gp'), svc.signedIn('consultant'), svc.signedIn('registrar')]);
});

afterAll(async () => {
  await svc?.close();
});

describe('drafts under supervision', () => {
  it('lets a consultant edit a registrar\'s draft (the registrar stays its author), reports a stale edit as a conflict, and keeps other drafts their author\'s', async () => {
    const r = await newReferral();
    const draftId = randomUUID();
    expect(await one(registrar, { type: 'outcome.save-draft', entityId: draftId, payload: { referralId: r.id, ...fields } })).toMatchObject({ status: 'applied', entityVersion: 1 });
    const edited = await one(consultant, { type: 'outcome.save-draft', entityId: draftId, baseVersion: 1, payload: { referralId: r.id, ...fields, adviceToGp: 'Consultant: add dermoscopy findings.' } });
    expect(edited).toMatchObject({ status: 'applied', entityVersion: 2 });
    // The registrar's edit was made on version 1: the service reports it, it never overwrites.
    const stale = await one(registrar, { type: 'outcome.save-draft', entityId: draftId, baseVersion: 1, payload: { referralId: r.id, ...fields, adviceToGp: 'Registrar: reassure.' } });
    expect(stale).toMatchObject({ status: 'conflict', error: { currentVersion: 2 } });
    const outcome = (await consultant.referral(r.id)).outcomes.find((o) => o.id === draftId);
    expect(outcome).toMatchObject({ version: 2, status: 'draft', adviceToGp: 'Consultant: add dermoscopy findings.', author: { role: 'registrar' } });

    // A consultant's own draft is theirs alone; a registrar may not edit it.
    const own = randomUUID();
    expect(await one(consultant, { type: 'outcome.save-draft', entityId: own, payload: { referralId: r.id, ...fields } })).toMatchObject({ status: 'applied' });
    expect(await one(registrar, { type: 'outcome.save-draft', entityId: own, baseVersion: 1, payload: { referralId: r.id, ...fields } })).toMatchObject({ status: 'rejected', error: { code: 'not_author' } });
  });
});

describe('registrar outcomes and consultant sign-off', () => {
  it('returns a registrar outcome with a comment, then signs off the resubmission with an amendment', async () => {
    const r = await newReferral();
    const outcomeId = randomUUID();
    const submitted = await one(registrar, { type: 'outcome.submit', entityId: outcomeId, payload: { referralId: r.id, ...fields } });
    expect(submitted).toMatchObject({ status: 'applied', entityVersion: 1 });
    let detail = await consultant.referral(r.id);
    expect(detail.referral.status).toBe('awaiting-signoff');
    expect(detail.outcomes[0]).toMatchObject({ status: 'awaiting-signoff' });

    // Only a consultant signs off or returns, and never a draft.
    expect(await one(registrar, { type: 'outcome.sign-off', entityId: outcomeId, baseVersion: 1, payload: {} })).toMatchObject({ status: 'rejected', error: { code: 'role_not_allowed' } });

    const returned = await one(consultant, { type: 'outcome.return', entityId: outcomeId, baseVersion: 1, payload: { comment: 'Please give the lesion size and add dermoscopy findings.' } });
    expect(returned).toMatchObject({ status: 'applied', entityVersion: 2 });
    detail = await consultant.referral(r.id);
    expect(detail.referral).toMatchObject({ status: 'in-review', assignedTo: { role: 'registrar' } });
    expect(detail.outcomes[0]).toMatchObject({ status: 'returned', returned: { comment: 'Please give the lesion size and add dermoscopy findings.', by: { role: 'consultant' } } });

    // A returned outcome cannot be signed off until it is resubmitted.
    expect(await one(consultant, { type: 'outcome.sign-off', entityId: outcomeId, baseVersion: 2 })).toMatchObject({ status: 'rejected', error: { code: 'not_awaiting_signoff' } });

    const edited = await one(registrar, { type: 'outcome.save-draft', entityId: outcomeId, baseVersion: 2, payload: { referralId: r.id, ...fields, adviceToGp: 'Benign seborrhoeic keratosis, 6 mm. No follow-up needed.' } });
    expect(edited).toMatchObject({ status: 'applied', entityVersion: 3 });
    expect((await consultant.referral(r.id)).outcomes[0]).toMatchObject({ status: 'draft' });
    expect(await one(registrar, { type: 'outcome.submit', entityId: outcomeId, baseVersion: 3, payload: { referralId: r.id, ...fields, adviceToGp: 'Benign seborrhoeic keratosis, 6 mm. No follow-up needed.' } })).toMatchObject({ status: 'applied', entityVersion: 4 });

    const signed = await one(consultant, { type: 'outcome.sign-off', entityId: outcomeId, baseVersion: 4, payload: { amend: { decision: 'advice' } } });
    expect(signed).toMatchObject({ status: 'applied', entityVersion: 5 });
    detail = await consultant.referral(r.id);
    expect(detail.referral.status).toBe('done');
    expect(detail.outcomes[0]).toMatchObject({ status: 'final', decision: 'advice', signedOff: { amended: true, by: { role: 'consultant' } }, author: { role: 'registrar' } });
    expect(detail.timeline.map((e) => e.action)).toEqual(['referral.create', 'outcome.submit', 'outcome.return', 'outcome.save-draft', 'outcome.submit', 'outcome.sign-off']);

    // The GP sees the final outcome, never the drafts or the returned state.
    const gpOutcome = [...(await allChanges(gp))].filter((c) => c.type === 'outcome' && c.id === outcomeId);
    expect(gpOutcome.map((c) => (c.data as Outcome).status)).toEqual(['final']);
  });

  it('refuses a stale sign-off as a conflict naming the current version', async () => {
    const r = await newReferral();
    const outcomeId = randomUUID();
    await one(registrar, { type: 'outcome.submit', entityId: outcomeId, payload: { referralId: r.id, ...fields } });
    expect(await one(consultant, { type: 'outcome.sign-off', entityId: outcomeId, baseVersion: 7 })).toMatchObject({ status: 'conflict', error: { code: 'version_conflict', currentVersion: 1 } });
  });
});

describe('final outcomes are immutable; amendments supersede them', () => {
  it('keeps the first final outcome, marked superseded, when a consultant amends it', async () => {
    const r = await newReferral();
    const first = randomUUID();
    expect(await one(consultant, { type: 'outcome.submit', entityId: first, payload: { referralId: r.id, ...fields } })).toMatchObject({ status: 'applied' });

    expect(await one(consultant, { type: 'outcome.save-draft', entityId: first, baseVersion: 1, payload: { referralId: r.id, ...fields, decision: 'biopsy-urgent' } })).toMatchObject({ status: 'rejected', error: { code: 'outcome_not_editable' } });
    expect(await one(consultant, { type: 'outcome.submit', entityId: randomUUID(), payload: { referralId: r.id, ...fields } })).toMatchObject({ status: 'rejected', error: { code: 'referral_closed' } });
    expect(await one(registrar, { type: 'outcome.submit', entityId: randomUUID(), payload: { referralId: r.id, ...fields, supersedes: first } })).toMatchObject({ status: 'rejected', error: { code: 'amendment_needs_consultant' } });

    const amendment = randomUUID();
    expect(await one(consultant, { type: 'outcome.submit', entityId: amendment, payload: { referralId: r.id, ...fields, decision: 'biopsy-urgent', supersedes: first } })).toMatchObject({ status: 'applied', entityVersion: 1 });
    const detail = await consultant.referral(r.id);
    expect(detail.referral.status).toBe('done');
    const byId = new Map(detail.outcomes.map((o) => [o.id, o]));
    expect(byId.get(first)).toMatchObject({ status: 'superseded', supersededBy: amendment, decision: 'discharge' });
    expect(byId.get(amendment)).toMatchObject({ status: 'final', supersedes: first, decision: 'biopsy-urgent' });

    // A superseded outcome is not amended again, and the GP sees both (the record of what changed).
    expect(await one(consultant, { type: 'outcome.submit', entityId: randomUUID(), payload: { referralId: r.id, ...fields, supersedes: first } })).toMatchObject({ status: 'rejected', error: { code: 'not_final' } });
    const gpView = latest(await allChanges(gp));
    expect((gpView.get(first)?.data as Outcome).status).toBe('superseded');
    expect((gpView.get(amendment)?.data as Outcome).status).toBe('final');
  });
});

describe('requests for information', () => {
  it('puts the referral in waiting-info and shows the GP what was asked', async () => {
    const r = await newReferral();
    const requestId = randomUUID();
    const applied = await one(registrar, { id: requestId, type: 'referral.request-info', entityId: r.id, baseVersion: 1, payload: { kind: 'better-images', message: 'Please send a dermoscopic image in focus.' } });
    expect(applied).toMatchObject({ status: 'applied', entityVersion: 2 });
    const referral = latest(await allChanges(gp)).get(r.id);
    expect(referral?.data).toMatchObject({ status: 'waiting-info', infoRequests: [{ id: requestId, kind: 'better-images', message: 'Please send a dermoscopic image in focus.', by: { role: 'registrar' } }] });
    // Nothing can be signed off or requested from a decided referral.
    await one(consultant, { type: 'outcome.submit', entityId: randomUUID(), payload: { referralId: r.id, ...fields } });
    expect(await one(consultant, { type: 'referral.request-info', entityId: r.id, baseVersion: await referralVersion(r.id), payload: { message: 'More?' } })).toMatchObject({ status: 'rejected', error: { code: 'referral_closed' } });
  });

  it('rejects a request without a message', async () => {
    const r = await newReferral();
    expect(await one(consultant, { type: 'referral.request-info', entityId: r.id, baseVersion: 1, payload: { kind: 'better-images' } })).toMatchObject({ status: 'rejected', error: { code: 'invalid_payload' } });
  });
});

describe('follow-up submissions', () => {
  const followUp = (followUpTo: string, parts: string[] = ['b']) => ({
    followUpTo,
    response: 'New dermoscopic image attached, taken in focus today.',
    history: { bleeding: true },
    images: parts.map((part) => ({ part, kind: 'dermoscopic', lesion: 'L1', bodySite: 'left lower leg', capturedAt: '2026-11-20T10:00:00Z' })),
  });

  it('answers a request on the same referral, which returns to its reviewer with the new image', async () => {
    const r = await newReferral();
    expect(await one(registrar, { type: 'referral.claim', entityId: r.id, baseVersion: 1 })).toMatchObject({ status: 'applied' });
    const requestId = randomUUID();
    expect(await one(registrar, { id: requestId, type: 'referral.request-info', entityId: r.id, baseVersion: 2, payload: { kind: 'better-images', message: 'Dermoscopy please.' } })).toMatchObject({ status: 'applied' });

    const res = await postReferral(svc, tokenOf(gp), followUp(r.id), { b: await testJpeg(800, 600) });
    expect(res.status).toBe(201);
    const created = ReferralCreated.parse(await res.json());
    expect(created.id).toBe(r.id);
    expect(created.images).toEqual([expect.objectContaining({ part: 'b', width: 800, height: 600 })]);

    const detail = await consultant.referral(r.id);
    expect(detail.referral).toMatchObject({
      status: 'in-review',
      assignedTo: { role: 'registrar' },
      version: 4,
      imageIds: [r.images[0]!.id, created.images[0]!.id],
      history: { duration: '3 months', changed: true, bleeding: true },
      followUps: [{ inReplyTo: requestId, response: 'New dermoscopic image attached, taken in focus today.', imageIds: [created.images[0]!.id] }],
    });
    expect(detail.images.map((i) => i.id)).toEqual(detail.referral.imageIds);
    expect(detail.timeline.map((e) => e.action)).toContain('referral.follow-up');
    const dzi = await fetch(`${svc.url}/api/v1/images/${created.images[0]!.id}/image.dzi`, { headers: { authorization: `Bearer ${tokenOf(consultant)}` } });
    expect(dzi.status).toBe(200);
    // The GP's own feed carries the new image too.
    expect(latest(await allChanges(gp)).has(created.images[0]!.id)).toBe(true);
  });

  it('refuses a follow-up to a referral that is not waiting (409), or from another practice (404)', async () => {
    const r = await newReferral();
    const notWaiting = await postReferral(svc, tokenOf(gp), followUp(r.id), { b: await testJpeg(300, 200) });
    expect(notWaiting.status).toBe(409);
    expect(await notWaiting.json()).toMatchObject({ error: { code: 'referral_not_waiting' } });

    await one(consultant, { type: 'referral.request-info', entityId: r.id, baseVersion: 1, payload: { message: 'How long has it been there?' } });
    const gp2 = await svc.signedIn('gp2');
    const other = await postReferral(svc, tokenOf(gp2), followUp(r.id), { b: await testJpeg(300, 200) });
    expect(other.status).toBe(404);
    expect((await consultant.referral(r.id)).referral).toMatchObject({ status: 'waiting-info', version: 2, imageIds: [r.images[0]!.id] });
  });

  it('stores nothing of a follow-up whose image does not decode, and the referral keeps waiting', async () => {
    const r = await newReferral();
    await one(consultant, { type: 'referral.request-info', entityId: r.id, baseVersion: 1, payload: { message: 'Better images please.' } });
    const before = (await allChanges(consultant)).length;
    const res = await postReferral(svc, tokenOf(gp), followUp(r.id, ['good', 'bad']), { good: await testJpeg(300, 200), bad: 'not an image at all' });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: { code: 'image_not_decodable', part: 'bad' } });
    expect((await allChanges(consultant)).length).toBe(before);
    expect((await consultant.referral(r.id)).referral).toMatchObject({ status: 'waiting-info', version: 2, followUps: [] });
    // A follow-up may carry words only.
    const words = await postReferral(svc, tokenOf(gp), { ...followUp(r.id, []), response: 'It has been there for two years.' }, {});
    expect(words.status).toBe(201);
    expect((await consultant.referral(r.id)).referral).toMatchObject({ status: 'new', followUps: [{ response: 'It has been there for two years.', imageIds: [] }] });
  });
});

describe('annotations', () => {
  it('creates, updates and deletes a measurement; referrers never see annotations', async () => {
    const r = await newReferral();
    const imageId = r.images[0]!.id;
    const id = randomUUID();
    const line = { kind: 'line', from: { x: 100, y: 100 }, to: { x: 300, y: 120 } };
    expect(await one(registrar, { type: 'annotation.save', entityId: id, payload: { imageId, shape: line, label: 'Diameter' } })).toMatchObject({ status: 'applied', entityVersion: 1 });
    expect(await one(registrar, { type: 'annotation.save', entityId: id, baseVersion: 1, payload: { imageId, shape: { ...line, to: { x: 320, y: 120 } }, label: 'Diameter' } })).toMatchObject({ status: 'applied', entityVersion: 2 });
    expect(await one(registrar, { type: 'annotation.save', entityId: id, baseVersion: 1, payload: { imageId, shape: line } })).toMatchObject({ status: 'conflict', error: { currentVersion: 2 } });
    expect(await one(consultant, { type: 'annotation.save', entityId: id, baseVersion: 2, payload: { imageId, shape: line } })).toMatchObject({ status: 'rejected', error: { code: 'not_author' } });
    expect(await one(registrar, { type: 'annotation.save', entityId: randomUUID(), payload: { imageId, shape: { kind: 'point', at: { x: 641, y: 10 } } } })).toMatchObject({ status: 'rejected', error: { code: 'shape_outside_image' } });
    expect(await one(registrar, { type: 'annotation.save', entityId: randomUUID(), payload: { imageId, shape: { kind: 'polygon', points: [{ x: 1, y: 1 }] } } })).toMatchObject({ status: 'rejected', error: { code: 'invalid_payload' } });

    let detail = await consultant.referral(r.id);
    expect(detail.annotations).toEqual([expect.objectContaining({ id, version: 2, label: 'Diameter', shape: { ...line, to: { x: 320, y: 120 } } })]);

    expect(await one(consultant, { type: 'annotation.delete', entityId: id, baseVersion: 2 })).toMatchObject({ status: 'applied', entityVersion: 3 });
    expect(await one(consultant, { type: 'annotation.delete', entityId: id, baseVersion: 3 })).toMatchObject({ status: 'rejected', error: { code: 'annotation_deleted' } });
    detail = await consultant.referral(r.id);
    expect(detail.annotations).toEqual([]);
    expect(latest(await allChanges(consultant)).get(id)).toMatchObject({ type: 'annotation', deleted: true, version: 3, data: null });
    expect((await allChanges(gp)).some((c) => c.type === 'annotation')).toBe(false);
  });
});

describe('ids in capitals', () => {
  it('name the same referral as their lower-case form, on both backends', async () => {
    const r = await newReferral();
    const upper = r.id.toUpperCase();
    expect((await consultant.referral(upper)).referral.id).toBe(r.id);
    expect(await one(consultant, { type: 'referral.claim', entityId: upper, baseVersion: 1 })).toMatchObject({ status: 'applied', entityVersion: 2 });
    expect((await consultant.referral(r.id)).referral).toMatchObject({ version: 2, status: 'in-review' });
  });
});

describe('mutation ids', () => {
  it('refuses a mutation id reused by someone else for another change', async () => {
    const r = await newReferral();
    const id = randomUUID();
    expect(await one(consultant, { id, type: 'referral.claim', entityId: r.id, baseVersion: 1 })).toMatchObject({ status: 'applied' });
    expect(await one(consultant, { id, type: 'referral.claim', entityId: r.id, baseVersion: 1 })).toMatchObject({ status: 'duplicate', entityVersion: 2 });
    expect(await one(registrar, { id, type: 'referral.claim', entityId: r.id, baseVersion: 2 })).toMatchObject({ status: 'rejected', error: { code: 'mutation_id_reused' } });
  });
});
