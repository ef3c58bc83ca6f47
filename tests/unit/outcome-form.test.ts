import { describe, expect, it } from 'vitest';
import { Diagnosis, type OutcomeFields } from '../../shared/contract';
import { DIAGNOSIS_TERMS, diagnosisByCode, searchDiagnoses, SNOMED_CT } from '../../shared/diagnosis-terms';
import { SAFETY_NETTING_TEMPLATES, safetyNettingTemplate, withTemplate } from '../../shared/safety-netting';
import { LocalDraft } from '../../shared/viewer/workbench';
import { betterImagesRequest } from '../../renderer/src/case/better-images';
import { localDraftWins } from '../../renderer/src/case/draft-choice';
import {
  amendmentDiff,
  amendmentOf,
  checkValues,
  clearedFields,
  EMPTY_VALUES,
  requestInfoFrom,
  signedOffFields,
  toFieldsInput,
  valuesFromFields,
  type FormValues,
  sameFormValues,
} from '../../renderer/src/case/outcome-form-model';
import type { NumberedImage } from '../../renderer/src/case/group-images';

const REFERRAL = '0192f0a0-0000-7000-8000-000000000001';
const IMAGE = '0192f0a0-0000-7000-8000-0000000000a1';

/** A form that passes every pathway rule for an advice decision. */
const filled = (patch: Partial<FormValues> = {}): FormValues => ({
  ...EMPTY_VALUES,
  decision: 'advice',
  diagnosis: { text: 'Actinic keratosis', code: '201101007' },
  adviceToGp: 'Cryotherapy or 5-FU cream.',
  ...patch,
});

describe('diagnosis term list', () => {
  it('parses, with the DICOM codes verified and the single-source codes not', () => {
    expect(DIAGNOSIS_TERMS.length).toBeGreaterThanOrEqual(26);
    expect(diagnosisByCode('201101007')).toMatchObject({ term: 'Actinic keratosis', verified: true, source: expect.stringMatching(/^DICOM value set CID 4405/) });
    for (const t of DIAGNOSIS_TERMS) expect(t.verified ? t.source : 'DICOM value set', t.term).toMatch(/^DICOM value set/);
    expect(diagnosisByCode('9014002')?.verified).toBe(true);
    for (const code of ['93655004', '254701007', '398049005', '189758001', '302836005', '254818000', '49564006', '93163002']) {
      expect(diagnosisByCode(code)?.verified, code).toBe(false);
    }
    // Every entry is a valid contract diagnosis once picked.
    for (const t of DIAGNOSIS_TERMS) expect(Diagnosis.safeParse({ text: t.term, code: t.code, system: SNOMED_CT }).success, t.term).toBe(true);
  });

  it('ranks the whole term, then its start, then a word, then synonyms', () => {
    expect(searchDiagnoses('psoriasis')[0]?.term.code).toBe('9014002');
    expect(searchDiagnoses('ecz')[0]?.term.term).toBe('Eczema');
    // "carcinoma" starts a word in several terms; all are offered.
    const carcinoma = searchDiagnoses('carcinoma').map((m) => m.term.term);
    expect(carcinoma).toEqual(expect.arrayContaining(['Squamous cell carcinoma of skin', 'Merkel cell carcinoma', 'Basal cell carcinoma of skin']));
    // A synonym finds its term and says which synonym matched.
    const bcc = searchDiagnoses('BCC');
    expect(bcc[0]).toMatchObject({ term: { code: '254701007' }, via: 'BCC' });
    expect(searchDiagnoses('solar ker')[0]).toMatchObject({ term: { term: 'Actinic keratosis' }, via: 'Solar keratosis' });
    // Words in any order, case and accents ignored.
    expect(searchDiagnoses('SKIN squamous')[0]?.term.code).toBe('254651007');
    expect(searchDiagnoses('  ')).toEqual([]);
    expect(searchDiagnoses('zzzz')).toEqual([]);
    expect(searchDiagnoses('c', 3)).toHaveLength(3);
  });

  it('puts a verified code before an unverified one of the same match', () => {
    const history = searchDiagnoses('history of');
    expect(history.every((m) => m.term.verified)).toBe(true);
    const carcinoma = searchDiagnoses('carcinoma').map((m) => m.term.term);
    expect(carcinoma.indexOf('Squamous cell carcinoma of skin')).toBeLessThan(carcinoma.indexOf('Basal cell carcinoma of skin'));
    // The term's own name beats a synonym's.
    const naevus = searchDiagnoses('naevus').map((m) => m.term.term);
    expect(naevus.slice(0, 2).sort()).toEqual(['Dysplastic naevus', 'Melanocytic naevus']);
    expect(naevus.indexOf('Atypical mole syndrome')).toBeGreaterThan(1);
  });
});

describe('safety-netting templates', () => {
  it('parses the templates and appends one without losing what was typed, once', () => {
    expect(SAFETY_NETTING_TEMPLATES.map((t) => t.id)).toEqual(expect.arrayContaining(['changing-mole', 'non-healing-lesion', 'rash-worsening', 'general']));
    const mole = safetyNettingTemplate('changing-mole')!;
    expect(mole.text).toMatch(/asymmetry/i);
    expect(withTemplate('', mole)).toBe(mole.text);
    const typed = withTemplate('Review in 3 months.  ', mole);
    expect(typed).toBe(`Review in 3 months.\n\n${mole.text}`);
    expect(withTemplate(typed, mole)).toBe(typed);
    expect(safetyNettingTemplate('nope')).toBeUndefined();
  });
});

describe('form values ↔ outcome fields', () => {
  it('sends a picked term with its code and system, free text without', () => {
    const picked = checkValues(filled(), 'advice', 'submit');
    expect(picked).toEqual({
      ok: true,
      fields: { decision: 'advice', diagnosis: { text: 'Actinic keratosis', code: '201101007', system: SNOMED_CT }, adviceToGp: 'Cryotherapy or 5-FU cream.' },
    });
    const free = checkValues(filled({ diagnosis: { text: 'Chondrodermatitis nodularis', code: '' } }), 'advice', 'submit');
    expect(free.ok && free.fields.diagnosis).toEqual({ text: 'Chondrodermatitis nodularis' });
  });

  it('leaves out blanks and the fields the form hides, and keeps every filled field', () => {
    const v = filled({
      decision: 'routine-appointment',
      differentials: [{ text: 'Bowen’s disease', code: '' }, { text: 'Squamous cell carcinoma of skin', code: '254651007' }],
      confidence: 'moderate',
      managementPlan: 'Clinic review.',
      patientInformation: 'We will send you an appointment.',
      safetyNetting: '  ',
      priority: 'routine',
      followUp: '6 weeks',
      requestReasons: ['blurred'], // hidden: not a request for information
      referrerAgreement: { name: 'Dr X', on: '2026-12-01', note: '' }, // hidden: not a USC referral
      listReview: 'unchanged', // hidden: not a waiting list
    });
    expect(toFieldsInput(v, 'advice')).toEqual({
      decision: 'routine-appointment',
      diagnosis: { text: 'Actinic keratosis', code: '201101007', system: SNOMED_CT },
      adviceToGp: 'Cryotherapy or 5-FU cream.',
      differentials: [{ text: 'Bowen’s disease' }, { text: 'Squamous cell carcinoma of skin', code: '254651007', system: SNOMED_CT }],
      confidence: 'moderate',
      managementPlan: 'Clinic review.',
      patientInformation: 'We will send you an appointment.',
      priority: 'routine',
      followUp: '6 weeks',
    });
  });

  it('round-trips an outcome through the form unchanged', () => {
    const fields: OutcomeFields = {
      decision: 'discharge',
      diagnosis: { text: 'Melanocytic naevus', code: '398049005', system: SNOMED_CT },
      adviceToGp: 'Benign.',
      differentials: [{ text: 'Dysplastic naevus', code: '254818000', system: SNOMED_CT }],
      confidence: 'high',
      safetyNetting: 'Seek help if it changes.',
      priority: 'routine',
      referrerAgreement: { name: 'Dr Referrer', on: '2026-12-01', note: 'By phone' },
    };
    const back = checkValues(valuesFromFields(fields), 'usc', 'submit');
    expect(back).toEqual({ ok: true, fields });
  });
});

describe('pathway rules in the form', () => {
  it('USC: a downgrade needs the referrer’s agreement, named beside it; filling it clears it', () => {
    const v = filled({ decision: 'routine-appointment', priority: 'routine' });
    const r = checkValues(v, 'usc', 'submit');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.referrerAgreement).toMatch(/Only the referrer may take a referral off the urgent suspected cancer pathway/);
    const half = checkValues({ ...v, referrerAgreement: { name: 'Dr Referrer', on: '', note: '' } }, 'usc', 'submit');
    expect(!half.ok && half.errors['referrerAgreement.on']).toBe('Enter the date the referrer agreed.');
    expect(checkValues({ ...v, referrerAgreement: { name: 'Dr Referrer', on: '2026-12-01', note: '' } }, 'usc', 'submit').ok).toBe(true);
    // Keeping it on the pathway needs no agreement.
    expect(checkValues(filled({ decision: 'usc-appointment', priority: 'usc' }), 'usc', 'submit').ok).toBe(true);
  });

  it('request-info needs a reason; discharge needs safety-netting', () => {
    const ask = checkValues(filled({ decision: 'request-info' }), 'advice', 'submit');
    expect(!ask.ok && ask.errors.requestReasons).toMatch(/at least one reason/);
    expect(checkValues(filled({ decision: 'request-info', requestReasons: ['no-scale'] }), 'advice', 'submit').ok).toBe(true);
    const discharge = checkValues(filled({ decision: 'discharge' }), 'advice', 'submit');
    expect(!discharge.ok && discharge.errors.safetyNetting).toMatch(/safety-netting/);
    expect(checkValues(filled({ decision: 'discharge', safetyNetting: 'Seek help if it bleeds.' }), 'advice', 'submit').ok).toBe(true);
  });

  it('waiting list: a P-code and a review; a draft needs neither', () => {
    const r = checkValues(filled(), 'waiting-list', 'submit');
    expect(!r.ok && Object.keys(r.errors).sort()).toEqual(['listReview', 'priority']);
    expect(checkValues(filled(), 'waiting-list', 'draft').ok).toBe(true);
    expect(checkValues(filled({ priority: 'P2', listReview: 'unchanged' }), 'waiting-list', 'submit').ok).toBe(true);
    const removal = checkValues(filled({ decision: 'discharge', safetyNetting: 'x', priority: 'P4', listReview: 'resolved' }), 'waiting-list', 'submit');
    expect(!removal.ok && removal.errors.patientAgreedToRemoval).toMatch(/patient’s agreement/);
  });

  it('shows no issue for a hidden field (no decision yet on a USC referral)', () => {
    const r = checkValues({ ...EMPTY_VALUES }, 'usc', 'submit');
    expect(!r.ok && Object.keys(r.errors).sort()).toEqual(['adviceToGp', 'decision', 'diagnosis.text']);
  });
});

describe('request to the GP', () => {
  it('is better-images when an image reason is chosen, with the reasons and the advice', () => {
    const fields: OutcomeFields = { decision: 'request-info', diagnosis: { text: 'Not assessable' }, adviceToGp: 'Please retake in daylight.', requestReasons: ['poor-lighting', 'more-history'] };
    const p = requestInfoFrom(fields);
    expect(p.kind).toBe('better-images');
    expect(p.reasons).toEqual(['poor-lighting', 'more-history']);
    expect(p.message).toContain('- Poor lighting');
    expect(p.message).toContain('- More clinical history needed');
    expect(p.message).toContain('Please retake in daylight.');
    expect(requestInfoFrom({ ...fields, requestReasons: ['medication-history'] }).kind).toBe('more-information');
  });

  it('pre-fills from unusable marks with the matching reasons checked', () => {
    const numbered = [{ image: { id: IMAGE }, number: 1, label: 'Image 1: close-up' }] as unknown as NumberedImage[];
    const draft = betterImagesRequest([{ imageId: IMAGE, referralId: REFERRAL, reason: 'no-scale', at: '2026-12-01T10:00:00Z' }], numbered);
    expect(draft).toMatchObject({ decision: 'request-info', requestReasons: ['no-scale'], diagnosis: { text: 'Not assessable from the images sent', code: '' } });
    expect(draft.adviceToGp).toMatch(/ruler/);
  });
});

describe('amendments', () => {
  const registrar: OutcomeFields = {
    decision: 'usc-appointment',
    diagnosis: { text: 'Melanoma of skin', code: '93655004', system: SNOMED_CT },
    adviceToGp: 'Seen in USC clinic.',
    priority: 'usc',
    managementPlan: 'Excision biopsy.',
  };

  it('sends only the changed fields, and shows them before → after in the form’s order', () => {
    const consultant: OutcomeFields = { ...registrar, diagnosis: { text: 'Lentigo maligna', code: '302836005', system: SNOMED_CT }, confidence: 'moderate' };
    const amend = amendmentOf(registrar, consultant);
    expect(amend).toEqual({ diagnosis: consultant.diagnosis, confidence: 'moderate' });
    expect(amendmentDiff(registrar, consultant)).toEqual([
      { field: 'diagnosis', label: 'Diagnosis', before: 'Melanoma of skin (SNOMED CT 93655004)', after: 'Lentigo maligna (SNOMED CT 302836005)' },
      { field: 'confidence', label: 'Confidence', before: '', after: 'Moderate' },
    ]);
    // Key order inside a value is not a change.
    expect(amendmentOf(registrar, { ...registrar, diagnosis: { system: SNOMED_CT, code: '93655004', text: 'Melanoma of skin' } })).toEqual({});
    expect(clearedFields(registrar, { ...registrar, managementPlan: undefined })).toEqual(['managementPlan']);
  });

  it('rebuilds the difference a registrar sees from the sign-off record', () => {
    const final: OutcomeFields = { ...registrar, priority: 'urgent', confidence: 'high' };
    const signedOff = { before: { priority: 'usc' as const }, amendedFields: ['priority' as const, 'confidence' as const] };
    expect(amendmentDiff(signedOff.before, final, signedOffFields(signedOff))).toEqual([
      { field: 'confidence', label: 'Confidence', before: '', after: 'High' },
      { field: 'priority', label: 'Priority', before: 'Urgent suspected cancer', after: 'Urgent' },
    ]);
    // An older record without the field list: the fields `before` names.
    expect(amendmentDiff(signedOff.before, final, signedOffFields({ before: signedOff.before })).map((r) => r.field)).toEqual(['priority']);
  });
});

describe('local drafts', () => {
  const local = (savedAt: string): LocalDraft => LocalDraft.parse({ referralId: REFERRAL, outcomeId: IMAGE, values: filled(), savedAt });

  it('restores a local draft only when it is newer than the service’s', () => {
    expect(localDraftWins(null, null)).toBe(false);
    expect(localDraftWins(local('2026-12-01T10:00:00Z'), null)).toBe(true);
    expect(localDraftWins(local('2026-12-01T10:00:00Z'), { updatedAt: '2026-12-01T09:00:00Z' })).toBe(true);
    expect(localDraftWins(local('2026-12-01T10:00:00Z'), { updatedAt: '2026-12-01T11:00:00Z' })).toBe(false);
  });

  it('parses what the form holds, half-typed values included, and refuses anything else', () => {
    expect(LocalDraft.safeParse({ referralId: REFERRAL, outcomeId: IMAGE, values: { ...EMPTY_VALUES }, savedAt: '2026-12-01T10:00:00Z' }).success).toBe(true);
    expect(LocalDraft.safeParse({ referralId: REFERRAL, outcomeId: IMAGE, values: { ...EMPTY_VALUES, decision: 'maybe' }, savedAt: '2026-12-01T10:00:00Z' }).success).toBe(false);
    expect(LocalDraft.safeParse({ referralId: REFERRAL, outcomeId: IMAGE, values: { ...EMPTY_VALUES, diagnosis: { text: 'x', code: '12ab' } }, savedAt: '2026-12-01T10:00:00Z' }).success).toBe(false);
  });
});

describe('sameFormValues', () => {
  it('compares values whatever the order of their keys, and tells different values apart', () => {
    expect(sameFormValues({ a: 1, b: { c: [1, 2], d: 'x' } }, { b: { d: 'x', c: [1, 2] }, a: 1 })).toBe(true);
    expect(sameFormValues({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [2, 1] } })).toBe(false);
    expect(sameFormValues({ a: '' }, { a: ' ' })).toBe(false);
  });
});
