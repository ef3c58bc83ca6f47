import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Outcome as OutcomeSchema, Referral as ReferralSchema, type Mutation, type Outcome, type OutcomeFields, type Referral, type UserRef } from '../../shared/contract';
import { localEffects, type EffectContext } from '../../renderer/src/data/store/local-effects';

/*
 * The workstation's optimistic effects of outcome and referral actions mirror what the
 * service stores (service/domain/outcome-mutations.ts), so the screen shows the same thing
 * before the feed confirms it: every outcome field, the sign-off's comment and the registrar's
 * values of what the consultant changed, a return's comment, a request's reasons.
 */

const NOW = '2026-11-10T12:00:00.000Z';
const CONSULTANT: UserRef = { id: '0192f0a0-0000-7000-8000-0000000000c1', name: 'Dr C Onsultant', role: 'consultant' };
const REGISTRAR: UserRef = { id: '0192f0a0-0000-7000-8000-0000000000a1', name: 'Dr R Egistrar', role: 'registrar' };
const SAFETY = 'Return if it bleeds, grows or changes colour.';

const referral: Referral = {
  id: '0192f0a0-0000-7000-8000-000000000101',
  version: 3,
  status: 'in-review',
  pathway: 'usc',
  patient: { nhsNumber: '9990000018', name: { given: 'Ada', family: 'Example' }, birthDate: '1950-02-01', sex: 'female' },
  referrer: { name: 'Dr A Example', practiceCode: 'A12345', userId: '0192f0a0-0000-7000-8000-0000000000f1' },
  question: 'Melanoma?',
  history: {},
  receivedAt: '2026-11-09T09:00:00.000Z',
  dueAt: '2026-11-10T09:00:00.000Z',
  assignedTo: REGISTRAR,
  imageIds: [],
  infoRequests: [],
  followUps: [],
};

const registrarFields: OutcomeFields = {
  decision: 'usc-appointment',
  diagnosis: { text: 'Possible melanoma' },
  adviceToGp: 'Seen in the USC clinic.',
  confidence: 'low',
  priority: 'usc',
};

const awaiting: Outcome = {
  ...registrarFields,
  id: '0192f0a0-0000-7000-8000-000000000201',
  referralId: referral.id,
  version: 1,
  status: 'awaiting-signoff',
  author: REGISTRAR,
  createdAt: '2026-11-10T10:00:00.000Z',
  updatedAt: '2026-11-10T10:00:00.000Z',
  submittedAt: '2026-11-10T10:00:00.000Z',
  supersedes: null,
  supersededBy: null,
  signedOff: null,
  returned: null,
};

const mutation = (type: Mutation['type'], entityId: string, payload: unknown): Mutation => ({ id: randomUUID(), type, entityId, payload, clientTime: NOW });
const ctx = (patch: Partial<EffectContext> = {}): EffectContext => ({ user: CONSULTANT, now: NOW, outcome: null, referral, ...patch });

describe('outcome drafts and submissions', () => {
  const every: OutcomeFields = {
    decision: 'discharge',
    diagnosis: { text: 'Seborrhoeic keratosis', code: '1234567', system: 'http://snomed.info/sct' },
    adviceToGp: 'Benign.',
    differentials: [{ text: 'Melanoma' }],
    confidence: 'high',
    managementPlan: 'None needed.',
    patientInformation: 'This is harmless.',
    safetyNetting: SAFETY,
    priority: 'routine',
    followUp: 'None.',
    requestReasons: ['no-scale'],
    referrerAgreement: { name: 'Dr A Example', on: '2026-11-10' },
    listReview: 'unchanged',
    patientAgreedToRemoval: true,
  };

  it('keep every field the clinician filled in, and clear what a later draft leaves out', () => {
    const id = randomUUID();
    const [first] = localEffects(mutation('outcome.save-draft', id, { referralId: referral.id, ...every }), ctx({ user: REGISTRAR }));
    expect(first).toMatchObject({ table: 'outcomes', id, value: { status: 'draft', ...every, author: REGISTRAR } });
    const saved = (first as { value: Outcome }).value;
    expect(OutcomeSchema.safeParse(saved).success).toBe(true);

    const fewer = { decision: 'discharge', diagnosis: every.diagnosis, adviceToGp: 'Benign.', safetyNetting: SAFETY } as const;
    const [second] = localEffects(mutation('outcome.save-draft', id, { referralId: referral.id, ...fewer }), ctx({ user: REGISTRAR, outcome: saved }));
    const value = (second as { value: Outcome }).value;
    expect(value).toMatchObject({ ...fewer, createdAt: saved.createdAt, author: REGISTRAR });
    for (const gone of ['differentials', 'confidence', 'managementPlan', 'patientInformation', 'priority', 'followUp', 'requestReasons', 'referrerAgreement', 'listReview', 'patientAgreedToRemoval']) {
      expect(value, gone).not.toHaveProperty(gone);
    }
  });

  it('submit: a registrar\'s awaits sign-off with every field, and the referral with it', () => {
    const effects = localEffects(mutation('outcome.submit', randomUUID(), { referralId: referral.id, ...every }), ctx({ user: REGISTRAR }));
    expect(effects).toEqual([
      expect.objectContaining({ table: 'outcomes', value: expect.objectContaining({ status: 'awaiting-signoff', ...every, submittedAt: NOW }) }),
      { table: 'referrals', id: referral.id, value: { ...referral, status: 'awaiting-signoff' } },
    ]);
  });
});

describe('outcome.sign-off', () => {
  it('finalises the outcome as amended, keeping the comment, the registrar\'s values of what changed and their names', () => {
    const amend = { decision: 'discharge', safetyNetting: SAFETY, referrerAgreement: { name: 'Dr A Example', on: '2026-11-10' }, confidence: 'low', adviceToGp: registrarFields.adviceToGp } as const;
    const effects = localEffects(mutation('outcome.sign-off', awaiting.id, { amend, comment: 'Safe to discharge.' }), ctx({ outcome: awaiting }));
    expect(effects).toHaveLength(2);
    const signed = (effects[0] as { value: Outcome }).value;
    expect(OutcomeSchema.safeParse(signed).success).toBe(true);
    expect(signed).toMatchObject({ id: awaiting.id, status: 'final', decision: 'discharge', safetyNetting: SAFETY, confidence: 'low', priority: 'usc', author: REGISTRAR, updatedAt: NOW });
    // confidence and advice were sent unchanged: not amendments.
    expect(signed.signedOff).toEqual({
      by: CONSULTANT,
      at: NOW,
      amended: true,
      comment: 'Safe to discharge.',
      before: { decision: 'usc-appointment' },
      amendedFields: ['decision', 'safetyNetting', 'referrerAgreement'],
    });
    expect(effects[1]).toEqual({ table: 'referrals', id: referral.id, value: { ...referral, status: 'done' } });
  });

  it('without an amendment: not amended, no before, the comment kept', () => {
    const [effect] = localEffects(mutation('outcome.sign-off', awaiting.id, { comment: 'Agreed.' }), ctx({ outcome: awaiting }));
    expect((effect as { value: Outcome }).value.signedOff).toEqual({ by: CONSULTANT, at: NOW, amended: false, comment: 'Agreed.' });
    const [plain] = localEffects(mutation('outcome.sign-off', awaiting.id, undefined), ctx({ outcome: awaiting }));
    expect((plain as { value: Outcome }).value.signedOff).toEqual({ by: CONSULTANT, at: NOW, amended: false });
  });

  it('shows nothing for an outcome that is not awaiting sign-off, or not the one on screen', () => {
    expect(localEffects(mutation('outcome.sign-off', awaiting.id, {}), ctx({ outcome: { ...awaiting, status: 'draft' } }))).toEqual([]);
    expect(localEffects(mutation('outcome.sign-off', randomUUID(), {}), ctx({ outcome: awaiting }))).toEqual([]);
  });
});

describe('outcome.return', () => {
  it('returns the outcome with the comment and the referral to its registrar', () => {
    const effects = localEffects(mutation('outcome.return', awaiting.id, { comment: 'Add the lesion size.' }), ctx({ outcome: awaiting, referral: { ...referral, status: 'awaiting-signoff', assignedTo: null } }));
    expect(effects).toEqual([
      { table: 'outcomes', id: awaiting.id, value: { ...awaiting, status: 'returned', updatedAt: NOW, returned: { by: CONSULTANT, at: NOW, comment: 'Add the lesion size.' } } },
      { table: 'referrals', id: referral.id, value: { ...referral, status: 'in-review', assignedTo: REGISTRAR } },
    ]);
  });
});

describe('referral.request-info', () => {
  it('parks the referral waiting for information with the request and its reasons (once each)', () => {
    const m = mutation('referral.request-info', referral.id, { kind: 'better-images', message: 'In focus, please.', reasons: ['blurred', 'no-scale', 'blurred'] });
    const [effect] = localEffects(m, ctx());
    const value = (effect as { value: Referral }).value;
    expect(ReferralSchema.safeParse(value).success).toBe(true);
    expect(value.status).toBe('waiting-info');
    expect(value.infoRequests).toEqual([{ id: m.id, at: NOW, by: CONSULTANT, kind: 'better-images', message: 'In focus, please.', reasons: ['blurred', 'no-scale'] }]);
  });

  it('shows nothing for a decided referral', () => {
    expect(localEffects(mutation('referral.request-info', referral.id, { message: 'More?' }), ctx({ referral: { ...referral, status: 'done' } }))).toEqual([]);
  });
});
