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

export const OutcomePayload = OutcomeFields.extend({ referralId: Uuid });
export type OutcomePayload = z.infer<typeof OutcomePayload>;

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
});
export type Outcome = z.infer<typeof Outcome>;
