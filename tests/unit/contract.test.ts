import { describe, expect, it } from 'vitest';
import { Change, Mutation, OutcomePayload, ReferralSubmission } from '../../shared/contract';

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
});
