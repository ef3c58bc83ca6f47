import { describe, expect, it } from 'vitest';
import { Outcome, Referral, type UserRef } from '../../shared/contract';
import { parseRoute, routeHref } from '../../renderer/src/app/route';
import { finalOutcome, gpLetter, lettersFor, patientLetter, type Letter } from '../../renderer/src/letters/letter-model';

const REGISTRAR: UserRef = { id: '0192f0a0-0000-7000-8000-0000000000a2', name: 'Dr Tom Okafor', role: 'registrar' };
const CONSULTANT: UserRef = { id: '0192f0a0-0000-7000-8000-0000000000a1', name: 'Dr Helen Carter', role: 'consultant' };
const XSS = '<img src=x onerror=alert(1)>';

const referral = Referral.parse({
  id: '0192f0a0-0000-7000-8000-000000000101',
  version: 3,
  status: 'done',
  pathway: 'usc',
  patient: { nhsNumber: '9990000018', name: { given: 'Ada', family: 'Example' }, birthDate: '1950-02-01', sex: 'female' },
  referrer: { name: 'Dr Priya Shah', practiceCode: 'A12345', userId: '0192f0a0-0000-7000-8000-0000000000a3' },
  question: `Pigmented lesion on left shin, changed over 3 months. Melanoma? ${XSS}`,
  history: {},
  receivedAt: '2026-11-02T09:00:00Z',
  dueAt: '2026-11-03T09:00:00Z',
  assignedTo: REGISTRAR,
  imageIds: [],
});

/** The registrar's outcome as signed off by the consultant, who amended the advice. */
const signedOff = Outcome.parse({
  id: '0192f0a0-0000-7000-8000-000000000201',
  referralId: referral.id,
  version: 3,
  status: 'final',
  author: REGISTRAR,
  createdAt: '2026-11-02T10:00:00Z',
  updatedAt: '2026-11-03T08:30:00Z',
  submittedAt: '2026-11-02T11:00:00Z',
  decision: 'discharge',
  diagnosis: { text: 'Seborrhoeic keratosis', code: '254701007', system: 'http://snomed.info/sct' },
  differentials: [{ text: 'Melanocytic naevus', code: '398049005' }, { text: 'Solar lentigo' }],
  confidence: 'high',
  managementPlan: 'No treatment needed.\nReassure.',
  adviceToGp: 'Benign. Amended advice: no follow-up needed.',
  patientInformation: 'This is a harmless skin growth that is common with age.',
  safetyNetting: 'See your GP if it bleeds, grows quickly or changes colour.',
  priority: 'routine',
  followUp: 'None',
  referrerAgreement: { name: 'Dr Priya Shah', on: '2026-11-03' },
  signedOff: {
    by: CONSULTANT,
    at: '2026-11-03T08:30:00Z',
    amended: true,
    comment: 'Good call; advice tightened.',
    before: { adviceToGp: 'Benign. Review in 3 months.' },
  },
});

const draft = Outcome.parse({ ...signedOff, id: '0192f0a0-0000-7000-8000-000000000202', status: 'draft', signedOff: null, adviceToGp: 'A draft' });

/** Every string a letter holds, in reading order. */
function allText(letter: Letter): string {
  return [
    letter.title,
    ...letter.from,
    letter.date,
    ...letter.to,
    ...letter.identifiers.flatMap((f) => [f.label, f.value]),
    letter.salutation,
    ...letter.sections.flatMap((s) => [s.heading, ...s.paragraphs, ...(s.items ?? [])]),
    letter.closing,
    letter.signature.name,
    letter.signature.role,
    ...letter.notes,
  ].join('\n');
}

const sectionOf = (letter: Letter, heading: string) => letter.sections.find((s) => s.heading === heading);

describe('letters from a final outcome', () => {
  it('writes only from the final outcome; none before there is one', () => {
    expect(finalOutcome([draft])).toBeNull();
    expect(lettersFor(referral, [draft])).toBeNull();
    expect(finalOutcome([draft, signedOff])?.id).toBe(signedOff.id);
  });

  it('GP letter: NHS identifiers, the question, decision, coded diagnosis, differentials, plan, advice, priority, follow-up, safety-netting', () => {
    const letter = gpLetter(referral, signedOff);
    expect(letter.identifiers).toEqual([
      { label: 'Patient', value: 'EXAMPLE, Ada' },
      { label: 'NHS number', value: '999 000 0018' },
      { label: 'Date of birth', value: '1 Feb 1950' },
      { label: 'Sex', value: 'Female' },
      { label: 'Referral received', value: '2 Nov 2026' },
    ]);
    expect(letter.to).toEqual(['Dr Priya Shah', 'Practice A12345']);
    expect(letter.date).toBe('3 Nov 2026'); // the day it became final: the sign-off
    expect(letter.sections.map((s) => s.heading)).toEqual([
      'Your question',
      'Decision',
      'Diagnosis',
      'Differential diagnoses',
      'Management plan',
      'Advice',
      'Priority',
      'Follow-up',
      'Safety-netting',
      'Information given to the patient',
    ]);
    expect(sectionOf(letter, 'Diagnosis')?.paragraphs).toEqual(['Seborrhoeic keratosis (SNOMED CT 254701007)', 'Confidence: High.']);
    expect(sectionOf(letter, 'Differential diagnoses')?.items).toEqual(['Melanocytic naevus (SNOMED CT 398049005)', 'Solar lentigo']);
    expect(sectionOf(letter, 'Decision')?.paragraphs[0]).toBe('Discharge with safety-netting advice');
    expect(sectionOf(letter, 'Decision')?.paragraphs[1]).toMatch(/agreement of Dr Priya Shah on 3 Nov 2026/);
    expect(sectionOf(letter, 'Management plan')?.paragraphs).toEqual(['No treatment needed.\nReassure.']);
    expect(sectionOf(letter, 'Priority')?.paragraphs).toEqual(['Routine']);
    expect(letter.fileName).toBe('advice-letter-9990000018.pdf');
  });

  it('carries both clinicians: signed by the author, "Reviewed and signed off by" the consultant', () => {
    for (const letter of [gpLetter(referral, signedOff), patientLetter(referral, signedOff)]) {
      expect(letter.signature).toEqual({ name: 'Dr Tom Okafor', role: 'Dermatology registrar' });
      expect(letter.notes).toContain('Reviewed and signed off by Dr Helen Carter, Consultant dermatologist, on 3 Nov 2026.');
      const text = allText(letter);
      expect(text).toContain('Dr Tom Okafor');
      expect(text).toContain('Dr Helen Carter');
    }
  });

  it('a consultant’s own final outcome has one signature and no sign-off line', () => {
    const own = Outcome.parse({ ...signedOff, author: CONSULTANT, signedOff: null });
    const letter = gpLetter(referral, own);
    expect(letter.signature.name).toBe('Dr Helen Carter');
    expect(letter.notes).toEqual([]);
  });

  it('uses the amended values, never the registrar’s earlier ones or the consultant’s comment to them', () => {
    const text = allText(gpLetter(referral, signedOff)) + allText(patientLetter(referral, signedOff));
    expect(text).toContain('Benign. Amended advice: no follow-up needed.');
    expect(text).not.toContain('Review in 3 months');
    expect(text).not.toContain('Good call');
  });

  it('an amendment that superseded an earlier final outcome says it replaces that letter', () => {
    const earlier = Outcome.parse({ ...signedOff, status: 'superseded', supersededBy: '0192f0a0-0000-7000-8000-000000000203' });
    const amendment = Outcome.parse({
      ...signedOff,
      id: '0192f0a0-0000-7000-8000-000000000203',
      author: CONSULTANT,
      signedOff: null,
      submittedAt: '2026-11-05T12:00:00Z',
      supersedes: signedOff.id,
      adviceToGp: 'Changed my mind: routine review.',
    });
    const letters = lettersFor(referral, [earlier, amendment]);
    expect(letters?.gp.notes).toEqual(['This letter replaces the one sent on 3 Nov 2026: the outcome was amended by Dr Helen Carter.']);
    expect(sectionOf(letters!.gp, 'Advice')?.paragraphs).toEqual(['Changed my mind: routine review.']);
    expect(letters?.gp.date).toBe('5 Nov 2026');
  });

  it('keeps typed markup as text: the question is the characters the GP typed', () => {
    const letter = gpLetter(referral, signedOff);
    expect(sectionOf(letter, 'Your question')?.paragraphs).toEqual([referral.question]);
    expect(sectionOf(letter, 'Your question')?.paragraphs[0]).toContain(XSS);
    // The model is plain strings only: nothing is HTML for the view to interpret.
    const walk = (v: unknown): void => {
      if (v === null || typeof v === 'string') return;
      if (Array.isArray(v)) return v.forEach(walk);
      expect(typeof v).toBe('object');
      for (const x of Object.values(v as object)) walk(x);
    };
    walk(letter);
  });

  it('patient letter: plain words, diagnosis, what happens next, information and safety-netting; no code, no question', () => {
    const letter = patientLetter(referral, signedOff);
    expect(letter.to).toEqual(['Ada Example']);
    expect(letter.salutation).toBe('Dear Ada Example,');
    expect(letter.identifiers.map((f) => f.label)).toEqual(['Patient', 'NHS number', 'Date of birth']);
    expect(sectionOf(letter, 'What we found')?.paragraphs).toEqual(['The specialist thinks this is: Seborrhoeic keratosis.']);
    expect(sectionOf(letter, 'What happens next')?.paragraphs[0]).toMatch(/do not need a hospital appointment/);
    expect(sectionOf(letter, 'Information for you')?.paragraphs).toEqual(['This is a harmless skin growth that is common with age.']);
    expect(sectionOf(letter, 'When to get help')?.paragraphs).toEqual(['See your GP if it bleeds, grows quickly or changes colour.']);
    const text = allText(letter);
    expect(text).not.toContain('SNOMED');
    expect(text).not.toContain('Melanoma?');
    expect(text).not.toContain('Confidence');
    expect(letter.fileName).toBe('patient-letter-9990000018.pdf');
  });

  it('patient letter leaves a suspected cancer to be discussed face to face; the GP letter still names it', () => {
    const usc = Outcome.parse({ ...signedOff, decision: 'usc-appointment', diagnosis: { text: 'Melanoma of skin', code: '93655004' } });
    const patient = patientLetter(referral, usc);
    expect(allText(patient)).not.toContain('Melanoma of skin');
    expect(sectionOf(patient, 'What we found')?.paragraphs[0]).toMatch(/talk with you about what they found/);
    expect(sectionOf(patient, 'What happens next')?.paragraphs[0]).toMatch(/does not mean you have cancer/);
    expect(allText(gpLetter(referral, usc))).toContain('Melanoma of skin (SNOMED CT 93655004)');
  });

  it('leaves out sections the clinician did not fill in', () => {
    const minimal = Outcome.parse({
      ...signedOff,
      differentials: undefined,
      confidence: undefined,
      managementPlan: undefined,
      patientInformation: undefined,
      safetyNetting: undefined,
      priority: undefined,
      followUp: undefined,
      referrerAgreement: undefined,
    });
    expect(gpLetter(referral, minimal).sections.map((s) => s.heading)).toEqual(['Your question', 'Decision', 'Diagnosis', 'Advice']);
    expect(patientLetter(referral, minimal).sections.map((s) => s.heading)).toEqual(['Why we are writing', 'What we found', 'What happens next', 'Questions']);
  });
});

describe('letters and metrics routes', () => {
  it('parse from the hash and back', () => {
    const id = '0192f0a0-0000-7000-8000-000000000101';
    expect(parseRoute(`#/referrals/${id}/letters`)).toEqual({ name: 'letters', referralId: id });
    expect(parseRoute(`#/referrals/${id}`)).toEqual({ name: 'case', referralId: id });
    expect(parseRoute('#/metrics')).toEqual({ name: 'metrics' });
    expect(routeHref({ name: 'letters', referralId: id })).toBe(`#/referrals/${id}/letters`);
    expect(routeHref({ name: 'metrics' })).toBe('#/metrics');
    expect(parseRoute(`#/referrals/${id}/letters/x`)).toEqual({ name: 'worklist' });
  });
});
