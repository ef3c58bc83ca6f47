/*
 * Pure: the two letters a final outcome produces, as structured text (no markup, no DOM).
 * The preview renders every string as a React text node, so anything a GP or clinician typed
 * prints as typed. Amendments made at sign-off are already in the final outcome's fields, so
 * the letters read the final outcome only.
 */
import {
  CONFIDENCE_LABELS,
  DECISION_LABELS,
  LIST_REVIEW_LABELS,
  PRIORITY_LABELS,
  REQUEST_REASON_LABELS,
  type Decision,
  type Diagnosis,
  type Outcome,
  type Pathway,
  type Referral,
  type UserRef,
} from '../../../shared/contract';
import { formatNhsNumber } from '../../../shared/domain/nhs-number';
import { formatBirthDate, formatDate } from '../format/dates';
import { PATHWAY_DESCRIPTIONS, SEX_LABELS } from '../format/labels';
import { patientName } from '../format/patient';

export type LetterKind = 'gp' | 'patient';

export interface LetterField {
  readonly label: string;
  readonly value: string;
}

/** A heading with paragraphs (each printed with its line breaks) and/or a bulleted list. */
export interface LetterSection {
  readonly heading: string;
  readonly paragraphs: readonly string[];
  readonly items?: readonly string[];
}

export interface LetterSignature {
  readonly name: string;
  readonly role: string;
}

export interface Letter {
  readonly kind: LetterKind;
  readonly title: string;
  /** The sending service, top right of the letter. */
  readonly from: readonly string[];
  readonly date: string;
  /** Who it is addressed to. */
  readonly to: readonly string[];
  /** The patient identifiers block (NHS conventions: name, NHS number 3-3-4, date of birth). */
  readonly identifiers: readonly LetterField[];
  readonly salutation: string;
  readonly sections: readonly LetterSection[];
  readonly closing: string;
  readonly signature: LetterSignature;
  /** "Reviewed and signed off by …", "This letter replaces …": shown under the signature. */
  readonly notes: readonly string[];
  /** Offered to the save dialog: a plain name, no patient's name in it. */
  readonly fileName: string;
}

export const SERVICE_NAME = 'Dermatology teledermatology service';

const ROLE_TITLES: Readonly<Record<string, string>> = {
  consultant: 'Consultant dermatologist',
  registrar: 'Dermatology registrar',
};

const GP_TITLES: Readonly<Record<Pathway, string>> = {
  advice: 'Dermatology advice and guidance',
  usc: 'Urgent suspected skin cancer referral: virtual triage outcome',
  'waiting-list': 'Dermatology waiting-list review',
};

/**
 * Decisions whose diagnosis the patient letter does not state. A suspected cancer is
 * discussed face to face, not first read in a letter; "not cancer" (advice, discharge) may go
 * by letter. The GP letter always carries the diagnosis.
 */
const TOLD_FACE_TO_FACE: ReadonlySet<Decision> = new Set(['usc-appointment', 'biopsy-routine', 'biopsy-urgent']);

/** What happens next, in plain words, for the patient letter. */
export const NEXT_STEPS_FOR_PATIENT: Readonly<Record<Decision, string>> = {
  advice:
    'You do not need a hospital appointment. We have sent advice to your GP, who will look after this with you.',
  'request-info':
    'We need more information or clearer photographs before we can decide what is best. Your GP practice will contact you about this.',
  'routine-appointment':
    'We will offer you an appointment with the skin (dermatology) team. It is a routine appointment, not an urgent one. We will contact you with the date.',
  'urgent-appointment':
    'We will offer you an urgent appointment with the skin (dermatology) team. We will contact you soon with the date.',
  'usc-appointment':
    'We would like to see you quickly, at an urgent appointment with the skin (dermatology) team. Being asked to come quickly does not mean you have cancer: it is how we make sure nothing is missed. You should be offered an appointment within two weeks.',
  'biopsy-routine':
    'We will offer you a small procedure to remove or sample the area of skin (a biopsy) so that it can be looked at under a microscope. We will contact you with the date.',
  'biopsy-urgent':
    'We will offer you a small procedure soon to remove or sample the area of skin (a biopsy) so that it can be looked at under a microscope. We will contact you soon with the date.',
  redirect: 'Another specialist team is better placed to help you, so we have passed your referral to them. They will contact you.',
  discharge:
    'You do not need a hospital appointment, and we are not arranging any further care for this. Please read the advice below about when to get help.',
};

/**
 * The outcome the letters are written from: the referral's final outcome (after sign-off, or
 * the latest amendment). Drafts, outcomes awaiting sign-off, returned and superseded ones
 * never produce a letter.
 */
export function finalOutcome(outcomes: readonly Outcome[]): Outcome | null {
  const finals = outcomes.filter((o) => o.status === 'final');
  if (finals.length === 0) return null;
  return finals.reduce((a, b) => (decidedAt(b) > decidedAt(a) ? b : a));
}

/** When the outcome became final: its sign-off, else its submission. */
export function decidedAt(outcome: Outcome): string {
  return outcome.signedOff?.at ?? outcome.submittedAt ?? outcome.updatedAt;
}

function diagnosisText(d: Diagnosis): string {
  return d.code ? `${d.text} (SNOMED CT ${d.code})` : d.text;
}

function signatureOf(user: UserRef): LetterSignature {
  return { name: user.name, role: ROLE_TITLES[user.role] ?? user.role };
}

function identifiers(referral: Referral): LetterField[] {
  const { patient } = referral;
  return [
    { label: 'Patient', value: patientName(patient) },
    { label: 'NHS number', value: formatNhsNumber(patient.nhsNumber) },
    { label: 'Date of birth', value: formatBirthDate(patient.birthDate) },
    { label: 'Sex', value: SEX_LABELS[patient.sex] },
  ];
}

/** The sign-off and amendment notes both letters carry under the signature. */
function notes(outcome: Outcome, outcomes: readonly Outcome[]): string[] {
  const out: string[] = [];
  const signed = outcome.signedOff;
  if (signed) {
    const role = ROLE_TITLES[signed.by.role] ?? signed.by.role;
    out.push(`Reviewed and signed off by ${signed.by.name}, ${role}, on ${formatDate(signed.at)}.`);
  }
  if (outcome.supersedes) {
    const earlier = outcomes.find((o) => o.id === outcome.supersedes);
    out.push(
      earlier
        ? `This letter replaces the one sent on ${formatDate(decidedAt(earlier))}: the outcome was amended by ${outcome.author.name}.`
        : `This letter replaces an earlier one: the outcome was amended by ${outcome.author.name}.`,
    );
  }
  return out;
}

const section = (heading: string, text: string | undefined): LetterSection[] =>
  text && text.trim() ? [{ heading, paragraphs: [text] }] : [];

const listSection = (heading: string, items: readonly string[] | undefined): LetterSection[] =>
  items && items.length > 0 ? [{ heading, paragraphs: [], items }] : [];

export function gpLetter(referral: Referral, outcome: Outcome, outcomes: readonly Outcome[] = [outcome]): Letter {
  const decision = [DECISION_LABELS[outcome.decision]];
  if (outcome.listReview) decision.push(`Waiting-list review: ${LIST_REVIEW_LABELS[outcome.listReview]}.`);
  if (outcome.patientAgreedToRemoval) decision.push('The patient agreed to leave the waiting list.');
  if (outcome.referrerAgreement) {
    const a = outcome.referrerAgreement;
    decision.push(`Taken off the urgent suspected cancer pathway with the agreement of ${a.name} on ${formatBirthDate(a.on)}.${a.note ? ` ${a.note}` : ''}`);
  }
  const diagnosis = [diagnosisText(outcome.diagnosis)];
  if (outcome.confidence) diagnosis.push(`Confidence: ${CONFIDENCE_LABELS[outcome.confidence]}.`);

  const sections: LetterSection[] = [
    { heading: 'Your question', paragraphs: [referral.question] },
    { heading: 'Decision', paragraphs: decision },
    { heading: 'Diagnosis', paragraphs: diagnosis },
    ...listSection('Differential diagnoses', outcome.differentials?.map(diagnosisText)),
    ...listSection('Information needed', outcome.requestReasons?.map((r) => REQUEST_REASON_LABELS[r])),
    ...section('Management plan', outcome.managementPlan),
    { heading: 'Advice', paragraphs: [outcome.adviceToGp] },
    ...section('Priority', outcome.priority && PRIORITY_LABELS[outcome.priority]),
    ...section('Follow-up', outcome.followUp),
    ...section('Safety-netting', outcome.safetyNetting),
    ...section('Information given to the patient', outcome.patientInformation),
  ];

  return {
    kind: 'gp',
    title: GP_TITLES[referral.pathway],
    from: [SERVICE_NAME, PATHWAY_DESCRIPTIONS[referral.pathway]],
    date: formatDate(decidedAt(outcome)),
    to: [referral.referrer.name, `Practice ${referral.referrer.practiceCode}`],
    identifiers: [...identifiers(referral), { label: 'Referral received', value: formatDate(referral.receivedAt) }],
    salutation: `Dear ${referral.referrer.name},`,
    sections,
    closing: 'Yours sincerely,',
    signature: signatureOf(outcome.author),
    notes: notes(outcome, outcomes),
    fileName: `advice-letter-${referral.patient.nhsNumber}.pdf`,
  };
}

export function patientLetter(referral: Referral, outcome: Outcome, outcomes: readonly Outcome[] = [outcome]): Letter {
  const { patient } = referral;
  const fullName = `${patient.name.given} ${patient.name.family}`;
  const found = TOLD_FACE_TO_FACE.has(outcome.decision)
    ? 'The specialist would like to look more closely. They will talk with you about what they found when you come in.'
    : `The specialist thinks this is: ${outcome.diagnosis.text}.`;

  const sections: LetterSection[] = [
    {
      heading: 'Why we are writing',
      paragraphs: [
        `Your GP, ${referral.referrer.name}, sent us photographs of your skin and asked for a skin specialist's opinion. A specialist has looked at them. This letter tells you what they found and what happens next. We have written to your GP as well.`,
      ],
    },
    { heading: 'What we found', paragraphs: [found] },
    { heading: 'What happens next', paragraphs: [NEXT_STEPS_FOR_PATIENT[outcome.decision]] },
    ...section('Information for you', outcome.patientInformation),
    ...section('When to get help', outcome.safetyNetting),
    {
      heading: 'Questions',
      paragraphs: ['If you have questions about this letter, or if you are worried, contact your GP practice. In an emergency, call 999.'],
    },
  ];

  return {
    kind: 'patient',
    title: 'About your skin referral',
    from: [SERVICE_NAME],
    date: formatDate(decidedAt(outcome)),
    to: [fullName],
    identifiers: identifiers(referral).filter((f) => f.label !== 'Sex'),
    salutation: `Dear ${fullName},`,
    sections,
    closing: 'Yours sincerely,',
    signature: signatureOf(outcome.author),
    notes: notes(outcome, outcomes),
    fileName: `patient-letter-${referral.patient.nhsNumber}.pdf`,
  };
}

/** Both letters for a referral, or null until it has a final outcome. */
export function lettersFor(referral: Referral, outcomes: readonly Outcome[]): { gp: Letter; patient: Letter } | null {
  const outcome = finalOutcome(outcomes);
  if (!outcome) return null;
  return { gp: gpLetter(referral, outcome, outcomes), patient: patientLetter(referral, outcome, outcomes) };
}
