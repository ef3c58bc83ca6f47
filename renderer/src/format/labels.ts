import type { ImageKind, OutcomeStatus, Pathway, ReferralStatus, Sex } from '../../../shared/contract';

export const PATHWAY_LABELS: Readonly<Record<Pathway, string>> = {
  advice: 'Advice',
  usc: 'USC',
  'waiting-list': 'Waiting list',
};

/** Spelled out for screen readers and tooltips. */
export const PATHWAY_DESCRIPTIONS: Readonly<Record<Pathway, string>> = {
  advice: 'Advice and guidance',
  usc: 'Urgent suspected cancer (two-week wait)',
  'waiting-list': 'Waiting-list validation',
};

export const REFERRAL_STATUS_LABELS: Readonly<Record<ReferralStatus, string>> = {
  new: 'New',
  'in-review': 'In review',
  'awaiting-signoff': 'Awaiting sign-off',
  'waiting-info': 'Waiting for information',
  done: 'Done',
};

export const OUTCOME_STATUS_LABELS: Readonly<Record<OutcomeStatus, string>> = {
  draft: 'Draft',
  'awaiting-signoff': 'Awaiting sign-off',
  final: 'Submitted',
  returned: 'Returned',
  superseded: 'Superseded',
};

export const SEX_LABELS: Readonly<Record<Sex, string>> = {
  female: 'Female',
  male: 'Male',
  other: 'Other',
  unknown: 'Not known',
};

export const IMAGE_KIND_LABELS: Readonly<Record<ImageKind, string>> = {
  regional: 'regional',
  'close-up': 'close-up',
  dermoscopic: 'dermoscopic',
  other: 'other',
};

export const ROLE_LABELS: Readonly<Record<string, string>> = {
  consultant: 'Consultant',
  registrar: 'Registrar',
  referrer: 'Referrer',
  admin: 'Administrator',
};
