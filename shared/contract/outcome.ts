import { z } from 'zod';
import { IsoDate, IsoDateTime, Text, UserRef, Uuid } from './common';

export const Decision = z.enum([
  'advice',
  'request-info',
  'routine-appointment',
  'urgent-appointment',
  'usc-appointment',
  'biopsy-routine',
  'biopsy-urgent',
  'redirect',
  'discharge',
]);
export type Decision = z.infer<typeof Decision>;

export const DECISION_LABELS: Readonly<Record<Decision, string>> = {
  advice: 'Advice to GP — patient stays in primary care',
  'request-info': 'Request more information or better images',
  'routine-appointment': 'Routine appointment',
  'urgent-appointment': 'Urgent appointment',
  'usc-appointment': 'Urgent suspected cancer appointment',
  'biopsy-routine': 'Straight to biopsy or excision (routine)',
  'biopsy-urgent': 'Straight to biopsy or excision (urgent)',
  redirect: 'Redirect to another service',
  discharge: 'Discharge with safety-netting advice',
};

export const Diagnosis = z.strictObject({
  text: Text(500),
  code: z.string().regex(/^\d{6,18}$/, 'SNOMED CT codes are 6–18 digits').optional(),
  system: z.literal('http://snomed.info/sct').optional(),
});
export type Diagnosis = z.infer<typeof Diagnosis>;

/** How sure the clinician is of the diagnosis from the images and history. */
export const Confidence = z.enum(['low', 'moderate', 'high']);
export type Confidence = z.infer<typeof Confidence>;
export const CONFIDENCE_LABELS: Readonly<Record<Confidence, string>> = { low: 'Low', moderate: 'Moderate', high: 'High' };

/**
 * Clinical priority. Referrals from primary care are USC, urgent or routine; patients already
 * on a waiting list get a surgical prioritisation code (P1a within 24 h … P4 can wait longer
 * than 12 weeks).
 */
export const Priority = z.enum(['usc', 'urgent', 'routine', 'P1a', 'P1b', 'P2', 'P3', 'P4']);
export type Priority = z.infer<typeof Priority>;
export const PRIORITY_LABELS: Readonly<Record<Priority, string>> = {
  usc: 'Urgent suspected cancer',
  urgent: 'Urgent',
  routine: 'Routine',
  P1a: 'P1a — within 24 hours',
  P1b: 'P1b — within 72 hours',
  P2: 'P2 — within 4 weeks',
  P3: 'P3 — within 12 weeks',
  P4: 'P4 — can wait longer than 12 weeks',
};

/** Why more information or better images are needed; shown to the GP. */
export const RequestReason = z.enum([
  'blurred',
  'poor-lighting',
  'no-scale',
  'no-dermoscopy',
  'lesion-not-identifiable',
  'more-history',
  'medication-history',
]);
export type RequestReason = z.infer<typeof RequestReason>;
export const REQUEST_REASON_LABELS: Readonly<Record<RequestReason, string>> = {
  blurred: 'Images blurred',
  'poor-lighting': 'Poor lighting',
  'no-scale': 'No scale or ruler',
  'no-dermoscopy': 'No dermoscopic image',
  'lesion-not-identifiable': 'Lesion of concern not identifiable',
  'more-history': 'More clinical history needed',
  'medication-history': 'Medication or treatment history needed',
};

/** Only the referrer may take a referral off the USC pathway: who agreed, and when. */
export const ReferrerAgreement = z.strictObject({
  name: Text(200),
  on: IsoDate,
  note: Text(1000).optional(),
});
export type ReferrerAgreement = z.infer<typeof ReferrerAgreement>;

/** Waiting-list validation: how the patient has changed since they were listed. */
export const ListReview = z.enum(['deteriorated', 'unchanged', 'resolved']);
export type ListReview = z.infer<typeof ListReview>;
export const LIST_REVIEW_LABELS: Readonly<Record<ListReview, string>> = {
  deteriorated: 'Deteriorated — see sooner',
  unchanged: 'Unchanged',
  resolved: 'Resolved — may no longer need an appointment',
};

/**
 * The outcome fields a clinician fills in. Only the contract's minimum (decision, diagnosis,
 * advice to the GP) is required of every outcome and every draft; the rest are optional here
 * and required by the pathway's rules when the outcome is submitted
 * (`shared/domain/outcome-rules.ts`).
 */
export const OutcomeFields = z.strictObject({
  decision: Decision,
  diagnosis: Diagnosis,
  adviceToGp: Text(10_000),
  differentials: z.array(Diagnosis).max(10).optional(),
  confidence: Confidence.optional(),
  managementPlan: Text(10_000).optional(),
  /** Information for the patient, in plain words; the patient letter is made from it. */
  patientInformation: Text(10_000).optional(),
  /** What should make the patient or GP seek help again, and how fast. */
  safetyNetting: Text(5000).optional(),
  priority: Priority.optional(),
  followUp: Text(1000).optional(),
  /** Why more information or better images are needed (decision `request-info`). */
  requestReasons: z.array(RequestReason).max(RequestReason.options.length).optional(),
  /** The referrer agreed to a USC referral leaving the USC pathway. */
  referrerAgreement: ReferrerAgreement.optional(),
  /** Waiting-list validation only. */
  listReview: ListReview.optional(),
  /** Waiting-list validation only: the patient agreed to leave the list. */
  patientAgreedToRemoval: z.boolean().optional(),
});
export type OutcomeFields = z.infer<typeof OutcomeFields>;
export type OutcomeFieldName = keyof OutcomeFields;
export const OutcomeFieldName = OutcomeFields.keyof();

/**
 * `outcome.save-draft` and `outcome.submit`. `supersedes` names the final outcome an
 * amendment replaces: the old one is kept, marked superseded, when the amendment is final.
 */
export const OutcomePayload = OutcomeFields.extend({ referralId: Uuid, supersedes: Uuid.optional() });
export type OutcomePayload = z.infer<typeof OutcomePayload>;

/**
 * `outcome.sign-off`: a consultant finalises a registrar's outcome, optionally amending fields
 * (each given field replaces the registrar's) and leaving a comment for the registrar.
 */
export const OutcomeAmendment = OutcomeFields.partial();
export type OutcomeAmendment = z.infer<typeof OutcomeAmendment>;
export const SignOffPayload = z.strictObject({ amend: OutcomeAmendment.optional(), comment: Text(2000).optional() }).optional();
export type SignOffPayload = z.infer<typeof SignOffPayload>;

/** `outcome.return`: back to the registrar with a comment saying what to change. */
export const ReturnPayload = z.strictObject({ comment: Text(2000) });
export type ReturnPayload = z.infer<typeof ReturnPayload>;

export const OutcomeStatus = z.enum(['draft', 'awaiting-signoff', 'final', 'returned', 'superseded']);
export type OutcomeStatus = z.infer<typeof OutcomeStatus>;

export const Outcome = OutcomeFields.extend({
  id: Uuid,
  referralId: Uuid,
  version: z.number().int().positive(),
  status: OutcomeStatus,
  author: UserRef,
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  submittedAt: IsoDateTime.nullable(),
  /** The final outcome this one amends, and the amendment that replaced this one. */
  supersedes: Uuid.nullable().default(null),
  supersededBy: Uuid.nullable().default(null),
  signedOff: z
    .object({
      by: UserRef,
      at: IsoDateTime,
      amended: z.boolean(),
      /** The consultant's word to the registrar. */
      comment: z.string().optional(),
      /** The registrar's values of the fields the consultant amended: the difference to show. */
      before: OutcomeAmendment.optional(),
      /**
       * Every field the consultant changed, including ones the registrar had left empty (they
       * have no value in `before`, so `before` alone cannot name them).
       */
      amendedFields: z.array(OutcomeFieldName).optional(),
    })
    .nullable()
    .default(null),
  /** The latest return by a consultant; kept when the registrar edits and resubmits. */
  returned: z.object({ by: UserRef, at: IsoDateTime, comment: z.string() }).nullable().default(null),
});
export type Outcome = z.infer<typeof Outcome>;
