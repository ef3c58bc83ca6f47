import { z } from 'zod';
import { IsoDateTime, Text, UserRef, Uuid } from './common';

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

/**
 * The outcome fields a clinician fills in. Issue #6 grows this into one schema per pathway;
 * the minimum here is the contract's smallest valid payload.
 */
export const OutcomeFields = z.strictObject({
  decision: Decision,
  diagnosis: Diagnosis,
  adviceToGp: Text(10_000),
});
export type OutcomeFields = z.infer<typeof OutcomeFields>;

/**
 * `outcome.save-draft` and `outcome.submit`. `supersedes` names the final outcome an
 * amendment replaces: the old one is kept, marked superseded, when the amendment is final.
 */
export const OutcomePayload = OutcomeFields.extend({ referralId: Uuid, supersedes: Uuid.optional() });
export type OutcomePayload = z.infer<typeof OutcomePayload>;

/** `outcome.sign-off`: a consultant finalises a registrar's outcome, optionally amending fields. */
export const SignOffPayload = z.strictObject({ amend: OutcomeFields.partial().optional() }).optional();
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
  signedOff: z.object({ by: UserRef, at: IsoDateTime, amended: z.boolean() }).nullable().default(null),
  /** The latest return by a consultant; kept when the registrar edits and resubmits. */
  returned: z.object({ by: UserRef, at: IsoDateTime, comment: z.string() }).nullable().default(null),
});
export type Outcome = z.infer<typeof Outcome>;
