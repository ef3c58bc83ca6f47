import { describe, expect, it } from 'vitest';
import { Change, Metrics, MetricsQuery, Mutation, MutationResult, Outcome, OutcomePayload, ReferralSubmission, RequestInfoPayload, SignOffPayload } from '../../shared/contract';

const submission = {
  patient: { nhsNumber: '9990000018', name: { given: 'Ada', family: 'Example' }, birthDate: '1950-02-01', sex: 'female' },
  pathway: 'advice',
  referrer: { name: 'Dr A Example', practiceCode: 'A12345' },
  question: 'Pigmented lesion on left shin, changed over 3 months. Melanoma?',
  history: { duration: '3 months', changed: true, bleeding: false, itch: false },
  images: [{ part: 'img1', kind: 'dermoscopic', lesion: 'L1', bodySite: 'left lower leg', capturedAt: '2026-11-01T10:00:00Z' }],
};

describe('the contract schemas', () => {
  it("accept the contract's minimum referral body", () => {
    expect(ReferralSubmission.parse(submission).patient.nhsNumber).toBe('9990000018');
  });

  it('refuse an NHS number failing modulus 11, an unknown pathway, and unknown history fields', () => {
    expect(ReferralSubmission.safeParse({ ...submission, patient: { ...submission.patient, nhsNumber: '9990000017' } }).success).toBe(false);
    expect(ReferralSubmission.safeParse({ ...submission, pathway: 'urgent' }).success).toBe(false);
    expect(ReferralSubmission.safeParse({ ...submission, history: { colour: 'blue' } }).success).toBe(false);
  });

  it('refuse control characters in free text but keep line breaks and tabs', () => {
    expect(ReferralSubmission.safeParse({ ...submission, question: 'Melanoma?\u0000' }).success).toBe(false);
    expect(ReferralSubmission.safeParse({ ...submission, question: 'Bell\u0007' }).success).toBe(false);
    expect(ReferralSubmission.parse({ ...submission, question: 'Line one\nLine two\r\n\tindented' }).question).toBe('Line one\nLine two\r\n\tindented');
  });

  it('refuse repeated image part names', () => {
    const img = submission.images[0]!;
    expect(ReferralSubmission.safeParse({ ...submission, images: [img, img] }).success).toBe(false);
  });

  it("accept the contract's smallest outcome payload and refuse an unknown decision", () => {
    const p = { referralId: '0b8f9a4e-3d7c-4c56-9a3a-1f2e3d4c5b6a', decision: 'discharge', diagnosis: { text: 'Seborrhoeic keratosis' }, adviceToGp: 'Benign; no follow-up needed. Safety-netting advice given.' };
    expect(OutcomePayload.parse(p).decision).toBe('discharge');
    expect(OutcomePayload.safeParse({ ...p, decision: 'ignore' }).success).toBe(false);
    expect(OutcomePayload.safeParse({ ...p, diagnosis: { text: '' } }).success).toBe(false);
  });

  it('refuse mutation envelopes without a UUID id or with an unknown type', () => {
    const m = { id: '0b8f9a4e-3d7c-4c56-9a3a-1f2e3d4c5b6a', type: 'outcome.submit', entityId: '1b8f9a4e-3d7c-4c56-9a3a-1f2e3d4c5b6a', payload: {}, clientTime: '2026-11-24T10:00:00Z' };
    expect(Mutation.parse(m).type).toBe('outcome.submit');
    expect(Mutation.safeParse({ ...m, id: 'x' }).success).toBe(false);
    expect(Mutation.safeParse({ ...m, type: 'referral.delete' }).success).toBe(false);
  });

  it('parse deleted change entries without data', () => {
    const c = Change.parse({ seq: 3, type: 'annotation', id: '0b8f9a4e-3d7c-4c56-9a3a-1f2e3d4c5b6a', version: 2, deleted: true, data: null });
    expect(c.deleted).toBe(true);
  });

  it('keep the #6 additions optional: older payloads and results still parse', () => {
    const referralId = '0b8f9a4e-3d7c-4c56-9a3a-1f2e3d4c5b6a';
    expect(RequestInfoPayload.parse({ message: 'More?' })).toEqual({ kind: 'more-information', message: 'More?' });
    expect(RequestInfoPayload.parse({ message: 'Images', reasons: ['blurred'] }).reasons).toEqual(['blurred']);
    expect(RequestInfoPayload.safeParse({ message: 'Images', reasons: ['wobbly'] }).success).toBe(false);
    expect(SignOffPayload.parse(undefined)).toBeUndefined();
    expect(SignOffPayload.parse({ amend: { safetyNetting: 'Return if it bleeds.' }, comment: 'Agreed.' })).toMatchObject({ comment: 'Agreed.' });
    expect(OutcomePayload.safeParse({ referralId, decision: 'advice', diagnosis: { text: 'x' }, adviceToGp: 'y', priority: 'P5' }).success).toBe(false);
    const result = { id: referralId, status: 'rejected', error: { code: 'outcome_invalid', message: 'm', issues: [{ field: 'safetyNetting', rule: 'discharge-needs-safety-netting' }] } };
    expect(MutationResult.parse(result).error?.issues).toEqual([{ field: 'safetyNetting', rule: 'discharge-needs-safety-netting' }]);
    expect(MutationResult.parse({ id: referralId, status: 'rejected', error: { code: 'x', message: 'm' } }).error?.issues).toBeUndefined();
  });

  it('carry the sign-off\'s comment, the registrar\'s values and the amended field names, and still read older sign-offs', () => {
    const base = {
      id: '0b8f9a4e-3d7c-4c56-9a3a-1f2e3d4c5b6a',
      referralId: '1b8f9a4e-3d7c-4c56-9a3a-1f2e3d4c5b6a',
      version: 2,
      status: 'final',
      decision: 'discharge',
      diagnosis: { text: 'Seborrhoeic keratosis' },
      adviceToGp: 'Benign.',
      safetyNetting: 'Return if it bleeds.',
      author: { id: '2b8f9a4e-3d7c-4c56-9a3a-1f2e3d4c5b6a', name: 'Dr R', role: 'registrar' },
      createdAt: '2026-11-24T10:00:00Z',
      updatedAt: '2026-11-24T11:00:00Z',
      submittedAt: '2026-11-24T10:00:00Z',
    };
    const by = { id: '3b8f9a4e-3d7c-4c56-9a3a-1f2e3d4c5b6a', name: 'Dr C', role: 'consultant' };
    const signed = Outcome.parse({ ...base, signedOff: { by, at: '2026-11-24T11:00:00Z', amended: true, comment: 'Discharge.', before: { decision: 'advice' }, amendedFields: ['decision', 'safetyNetting'] } });
    expect(signed.signedOff).toMatchObject({ comment: 'Discharge.', before: { decision: 'advice' }, amendedFields: ['decision', 'safetyNetting'] });
    expect(Outcome.parse({ ...base, signedOff: { by, at: '2026-11-24T11:00:00Z', amended: false } }).signedOff?.amendedFields).toBeUndefined();
    expect(Outcome.safeParse({ ...base, signedOff: { by, at: '2026-11-24T11:00:00Z', amended: true, amendedFields: ['author'] } }).success).toBe(false);
  });

  it('take a metrics period of whole days, in order, at most two years long', () => {
    expect(MetricsQuery.parse({ from: '2026-03-02', to: '2026-03-02' })).toEqual({ from: '2026-03-02', to: '2026-03-02' });
    expect(MetricsQuery.safeParse({ from: '2026-03-03', to: '2026-03-02' }).success).toBe(false);
    expect(MetricsQuery.safeParse({ from: '2024-01-01', to: '2026-03-02' }).success).toBe(false);
    expect(MetricsQuery.safeParse({ from: '2026-03-02' }).success).toBe(false);
    expect(MetricsQuery.safeParse({ from: '2026-03-02', to: '2026-03-06', extra: '1' }).success).toBe(false);
    expect(Metrics.safeParse({}).success).toBe(false);
  });
});
