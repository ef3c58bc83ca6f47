import { z } from 'zod';
import {
  CONFIDENCE_LABELS,
  DECISION_LABELS,
  LIST_REVIEW_LABELS,
  OutcomeFields,
  PRIORITY_LABELS,
  REQUEST_REASON_LABELS,
  type Diagnosis,
  type OutcomeAmendment,
  type OutcomeFieldName,
  type Pathway,
  type RequestInfoPayload,
  type RequestReason,
} from '../../../shared/contract';
import { isUscDowngrade, OUTCOME_SCHEMAS } from '../../../shared/domain/outcome-rules';
import { SNOMED_CT } from '../../../shared/diagnosis-terms';
import type { DraftDiagnosis, OutcomeDraftValues } from '../../../shared/viewer/workbench';

/*
 * The outcome form's values and what they become. The form holds what was typed (strings,
 * '' for "not chosen"); an outcome holds only what was given. Pure, so the mapping both ways,
 * the validation and the amendment diff are unit tested without a DOM.
 */

export type FormValues = OutcomeDraftValues;

export const EMPTY_DIAGNOSIS: DraftDiagnosis = { text: '', code: '' };

export const EMPTY_VALUES: FormValues = {
  decision: '',
  diagnosis: EMPTY_DIAGNOSIS,
  differentials: [],
  confidence: '',
  managementPlan: '',
  adviceToGp: '',
  patientInformation: '',
  safetyNetting: '',
  priority: '',
  followUp: '',
  requestReasons: [],
  referrerAgreement: { name: '', on: '', note: '' },
  listReview: '',
  patientAgreedToRemoval: false,
};

const diagnosisValue = (d: Diagnosis): DraftDiagnosis => ({ text: d.text, code: d.code ?? '' });

/** The form filled from an outcome (a draft being carried on, or the one a consultant amends). */
export function valuesFromFields(o: OutcomeFields): FormValues {
  return {
    decision: o.decision,
    diagnosis: diagnosisValue(o.diagnosis),
    differentials: (o.differentials ?? []).map(diagnosisValue),
    confidence: o.confidence ?? '',
    managementPlan: o.managementPlan ?? '',
    adviceToGp: o.adviceToGp,
    patientInformation: o.patientInformation ?? '',
    safetyNetting: o.safetyNetting ?? '',
    priority: o.priority ?? '',
    followUp: o.followUp ?? '',
    requestReasons: o.requestReasons ?? [],
    referrerAgreement: { name: o.referrerAgreement?.name ?? '', on: o.referrerAgreement?.on ?? '', note: o.referrerAgreement?.note ?? '' },
    listReview: o.listReview ?? '',
    patientAgreedToRemoval: o.patientAgreedToRemoval ?? false,
  };
}

/** Only the outcome fields of an Outcome (its id, status and people stay behind). */
export function fieldsOf(o: OutcomeFields): OutcomeFields {
  const shape = OutcomeFields.shape;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(shape) as OutcomeFieldName[]) if (o[key] !== undefined) out[key] = o[key];
  return out as OutcomeFields;
}

const diagnosisOut = (d: DraftDiagnosis) => (d.code ? { text: d.text, code: d.code, system: SNOMED_CT } : { text: d.text });
const given = (s: string) => (s.trim() ? s : undefined);

/**
 * What the form's values say as outcome fields, before parsing: blanks left out, and the parts
 * the form hides for this pathway and decision left out too (a hidden field must not block a
 * submit, nor reach the service). Required fields stay even when blank, so the schema names them.
 */
export function toFieldsInput(v: FormValues, pathway: Pathway): Record<string, unknown> {
  const out: Record<string, unknown> = {
    decision: v.decision === '' ? undefined : v.decision,
    diagnosis: diagnosisOut(v.diagnosis),
    adviceToGp: v.adviceToGp,
    differentials: v.differentials.length ? v.differentials.map(diagnosisOut) : undefined,
    confidence: v.confidence || undefined,
    managementPlan: given(v.managementPlan),
    patientInformation: given(v.patientInformation),
    safetyNetting: given(v.safetyNetting),
    priority: v.priority || undefined,
    followUp: given(v.followUp),
  };
  if (v.decision === 'request-info' && v.requestReasons.length) out.requestReasons = [...v.requestReasons];
  const a = v.referrerAgreement;
  if (showsAgreement(pathway, v) && (a.name.trim() || a.on.trim() || a.note.trim())) {
    out.referrerAgreement = { name: a.name, on: a.on, ...(a.note.trim() ? { note: a.note } : {}) };
  }
  if (pathway === 'waiting-list') {
    out.listReview = v.listReview || undefined;
    if (v.patientAgreedToRemoval) out.patientAgreedToRemoval = true;
  }
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}

/** The referrer's agreement is asked for only when the outcome takes a USC referral off the pathway. */
export function showsAgreement(pathway: Pathway, v: Pick<FormValues, 'decision' | 'priority'>): boolean {
  return v.decision !== '' && isUscDowngrade(pathway, { decision: v.decision, priority: v.priority || undefined });
}

/** The fields the form hides for this pathway and decision: their issues are not shown. */
export function hiddenFields(pathway: Pathway, v: Pick<FormValues, 'decision' | 'priority'>): OutcomeFieldName[] {
  const hidden: OutcomeFieldName[] = [];
  if (v.decision !== 'request-info') hidden.push('requestReasons');
  if (!showsAgreement(pathway, v)) hidden.push('referrerAgreement');
  if (pathway !== 'waiting-list') hidden.push('listReview', 'patientAgreedToRemoval');
  return hidden;
}

/** Plain words for the schema's generic issues; the pathway rules bring their own message. */
export function friendlyMessage(issue: { code: string; path?: readonly PropertyKey[]; maximum?: unknown; format?: unknown }): string | undefined {
  const path = (issue.path ?? []).map(String);
  const field = path[0];
  if (issue.code === 'too_big' && typeof issue.maximum === 'number') return `Shorten this to ${issue.maximum.toLocaleString('en-GB')} characters or fewer.`;
  if (field === 'decision') return 'Choose a decision.';
  if (field === 'diagnosis') return 'Enter the diagnosis: pick a coded term, or type your own when no code fits.';
  if (field === 'differentials') return 'Enter the differential diagnosis, or remove the row.';
  if (field === 'adviceToGp') return 'Enter the advice to the GP.';
  if (field === 'referrerAgreement') {
    if (path[1] === 'name') return 'Enter the name of the referrer who agreed.';
    if (path[1] === 'on') return 'Enter the date the referrer agreed.';
  }
  if (issue.code === 'invalid_format' && issue.format === 'regex') return 'Remove control characters from this text.';
  return undefined;
}

export type CheckMode = 'draft' | 'submit';

/**
 * The schema the form checks with: the pathway's rules on submit, only the contract's minimum
 * for a draft. It takes form values and gives outcome fields, with each issue's path naming a
 * form field (the form's names are the outcome's).
 */
export function formSchema(pathway: Pathway, mode: CheckMode) {
  const target: z.ZodType<OutcomeFields, unknown> = mode === 'submit' ? OUTCOME_SCHEMAS[pathway] : OutcomeFields;
  return z
    .custom<FormValues>()
    .transform((v): unknown => toFieldsInput(v, pathway))
    .pipe(target);
}

export type CheckResult = { ok: true; fields: OutcomeFields } | { ok: false; errors: Partial<Record<string, string>> };

/** The same check as the form's resolver, for tests and non-form callers: field path → message. */
export function checkValues(values: FormValues, pathway: Pathway, mode: CheckMode): CheckResult {
  const parsed = formSchema(pathway, mode).safeParse(values, { error: (iss) => friendlyMessage(iss) });
  if (parsed.success) return { ok: true, fields: parsed.data };
  const errors: Partial<Record<string, string>> = {};
  const hidden = new Set<string>(hiddenFields(pathway, values));
  for (const issue of parsed.error.issues) {
    const key = issue.path.map(String).join('.');
    if (hidden.has(String(issue.path[0]))) continue;
    errors[key] ??= issue.message;
  }
  return { ok: false, errors };
}

/** The fields a consultant changed, each with its new value: the `amend` of a sign-off. */
export function amendmentOf(before: OutcomeFields, after: OutcomeFields): OutcomeAmendment {
  const amend: Record<string, unknown> = {};
  for (const key of Object.keys(OutcomeFields.shape) as OutcomeFieldName[]) {
    if (after[key] !== undefined && !sameValue(before[key], after[key])) amend[key] = after[key];
  }
  return amend as OutcomeAmendment;
}

/** Fields the consultant emptied: a sign-off's `amend` can only replace values, so these stay. */
export function clearedFields(before: OutcomeFields, after: OutcomeFields): OutcomeFieldName[] {
  return (Object.keys(OutcomeFields.shape) as OutcomeFieldName[]).filter((k) => before[k] !== undefined && after[k] === undefined);
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, canonical(x)]),
    );
  }
  return v;
}

export const FIELD_LABELS: Readonly<Record<OutcomeFieldName, string>> = {
  decision: 'Decision',
  diagnosis: 'Diagnosis',
  adviceToGp: 'Advice to GP',
  differentials: 'Differentials',
  confidence: 'Confidence',
  managementPlan: 'Management plan',
  patientInformation: 'Information for the patient',
  safetyNetting: 'Safety-netting advice',
  priority: 'Priority',
  followUp: 'Follow-up',
  requestReasons: 'Reasons for the request',
  referrerAgreement: 'Referrer’s agreement',
  listReview: 'List review',
  patientAgreedToRemoval: 'Patient agreed to leave the list',
};

const diagnosisText = (d: Diagnosis) => (d.code ? `${d.text} (SNOMED CT ${d.code})` : d.text);

/** One field's value as the summary and the difference show it; '' when not given. */
export function displayValue<K extends OutcomeFieldName>(field: K, value: OutcomeFields[K] | undefined): string {
  if (value === undefined) return '';
  switch (field) {
    case 'decision':
      return DECISION_LABELS[value as OutcomeFields['decision']];
    case 'diagnosis':
      return diagnosisText(value as Diagnosis);
    case 'differentials':
      return (value as Diagnosis[]).map(diagnosisText).join('; ');
    case 'confidence':
      return CONFIDENCE_LABELS[value as NonNullable<OutcomeFields['confidence']>];
    case 'priority':
      return PRIORITY_LABELS[value as NonNullable<OutcomeFields['priority']>];
    case 'requestReasons':
      return (value as RequestReason[]).map((r) => REQUEST_REASON_LABELS[r]).join('; ');
    case 'listReview':
      return LIST_REVIEW_LABELS[value as NonNullable<OutcomeFields['listReview']>];
    case 'patientAgreedToRemoval':
      return value ? 'Yes' : 'No';
    case 'referrerAgreement': {
      const a = value as NonNullable<OutcomeFields['referrerAgreement']>;
      return `${a.name}, ${a.on}${a.note ? ` — ${a.note}` : ''}`;
    }
    default:
      return String(value);
  }
}

export interface DiffRow {
  readonly field: OutcomeFieldName;
  readonly label: string;
  readonly before: string;
  readonly after: string;
}

/**
 * The amendment as a difference, field by field in the form's order: the registrar's value
 * (`before`) → the consultant's (`after`). `fields` names the amended fields when known (a
 * sign-off's `before` holds only the fields the registrar had filled); else every field whose
 * value differs is shown.
 */
export function amendmentDiff(before: OutcomeAmendment, after: OutcomeAmendment, fields?: readonly OutcomeFieldName[]): DiffRow[] {
  const named = fields ? new Set(fields) : null;
  return (Object.keys(FIELD_LABELS) as OutcomeFieldName[])
    .filter((f) => (named ? named.has(f) : true))
    .filter((f) => !sameValue(before[f], after[f]))
    .map((f) => ({ field: f, label: FIELD_LABELS[f], before: displayValue(f, before[f]), after: displayValue(f, after[f]) }));
}

/** The fields a sign-off amended: as the service lists them, else those `before` holds. */
export function signedOffFields(signedOff: { before?: OutcomeAmendment; amendedFields?: readonly OutcomeFieldName[] }): OutcomeFieldName[] {
  return [...(signedOff.amendedFields ?? (Object.keys(signedOff.before ?? {}) as OutcomeFieldName[]))];
}

const IMAGE_REASONS: ReadonlySet<RequestReason> = new Set<RequestReason>(['blurred', 'poor-lighting', 'no-scale', 'no-dermoscopy', 'lesion-not-identifiable']);

/** The request to the GP a "request more information" outcome becomes: kind, reasons, message. */
export function requestInfoFrom(fields: OutcomeFields): RequestInfoPayload {
  const reasons = fields.requestReasons ?? [];
  const kind = reasons.some((r) => IMAGE_REASONS.has(r)) ? 'better-images' : 'more-information';
  const message = [
    'We need more before we can answer this referral:',
    ...reasons.map((r) => `- ${REQUEST_REASON_LABELS[r]}`),
    '',
    fields.adviceToGp.trim(),
  ].join('\n');
  return { kind, reasons: [...reasons], message };
}

/** The longest message a request to the GP may carry (`RequestInfoPayload.message`). */
export const REQUEST_MESSAGE_MAX = 2000;

/** Whether two sets of form values are the same, whatever the order of their keys. */
export function sameFormValues(a: unknown, b: unknown): boolean {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => x.localeCompare(y)).map(([k, w]) => [k, canonical(w)]))
        : v;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
