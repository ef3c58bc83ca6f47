import type { z } from 'zod';
import type { Pathway } from '../contract/common';
import { OutcomeFields, type Decision, type OutcomeFieldName, type Priority } from '../contract/outcome';

/**
 * The clinical rules an outcome must meet when it is submitted or signed off, per pathway.
 * Drafts need only the contract's minimum: a clinician may save half an answer. The same
 * rules run in the form (to explain them beside the field) and in the service (which never
 * trusts a client), so a submitted outcome that breaks one is refused either way.
 */

/** One broken rule, named by the field the clinician must change. */
export interface RuleIssue {
  readonly field: OutcomeFieldName;
  readonly rule: OutcomeRule;
  readonly message: string;
}

export type OutcomeRule =
  | 'usc-downgrade-needs-agreement'
  | 'request-info-needs-reason'
  | 'discharge-needs-safety-netting'
  | 'priority-fits-pathway'
  | 'waiting-list-needs-priority'
  | 'waiting-list-needs-review'
  | 'removal-needs-patient-agreement';

/** Decisions that keep a USC referral on the suspected-cancer pathway (or pause it). */
const KEEPS_USC: ReadonlySet<Decision> = new Set<Decision>(['usc-appointment', 'biopsy-urgent', 'redirect', 'request-info']);

/** Priorities each pathway's outcomes use. */
export const PATHWAY_PRIORITIES: Readonly<Record<Pathway, readonly Priority[]>> = {
  advice: ['usc', 'urgent', 'routine'],
  usc: ['usc', 'urgent', 'routine'],
  'waiting-list': ['P1a', 'P1b', 'P2', 'P3', 'P4'],
};

/**
 * Whether the outcome takes a USC referral off the suspected-cancer pathway: a decision that
 * does not keep it there, or a priority below USC. Only the referrer may agree to that.
 */
export function isUscDowngrade(pathway: Pathway, fields: Pick<OutcomeFields, 'decision' | 'priority'>): boolean {
  if (pathway !== 'usc') return false;
  if (!KEEPS_USC.has(fields.decision)) return true;
  return fields.priority !== undefined && fields.priority !== 'usc';
}

/** Every rule the outcome breaks for its pathway; empty when it may be submitted. */
export function outcomeRuleIssues(pathway: Pathway, fields: OutcomeFields): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const add = (field: OutcomeFieldName, rule: OutcomeRule, message: string) => issues.push({ field, rule, message });

  if (isUscDowngrade(pathway, fields) && !fields.referrerAgreement) {
    add(
      'referrerAgreement',
      'usc-downgrade-needs-agreement',
      'Only the referrer may take a referral off the urgent suspected cancer pathway: record who agreed to this decision and when.',
    );
  }
  if (fields.decision === 'request-info' && !fields.requestReasons?.length) {
    add('requestReasons', 'request-info-needs-reason', 'Choose at least one reason for asking for more information or better images.');
  }
  if (fields.decision === 'discharge' && !fields.safetyNetting?.trim()) {
    add('safetyNetting', 'discharge-needs-safety-netting', 'A discharge needs safety-netting advice: say what should make the patient seek help again.');
  }
  if (fields.priority && !PATHWAY_PRIORITIES[pathway].includes(fields.priority)) {
    add(
      'priority',
      'priority-fits-pathway',
      pathway === 'waiting-list'
        ? 'Patients on a waiting list get a P-code (P1a to P4).'
        : 'Referrals from primary care are prioritised USC, urgent or routine; P-codes are for waiting lists.',
    );
  }
  if (pathway === 'waiting-list') {
    if (!fields.priority) add('priority', 'waiting-list-needs-priority', 'Give every patient on a waiting list a clinical priority (P1a to P4).');
    if (!fields.listReview) add('listReview', 'waiting-list-needs-review', 'Say whether the patient has deteriorated, is unchanged or has resolved.');
    if (fields.listReview === 'resolved' && fields.decision === 'discharge' && fields.patientAgreedToRemoval !== true) {
      add(
        'patientAgreedToRemoval',
        'removal-needs-patient-agreement',
        'No one leaves a waiting list without the patient’s agreement: confirm they agreed.',
      );
    }
  }
  return issues;
}

/** The pathway's outcome schema: the contract's fields plus the pathway's rules. */
function pathwaySchema(pathway: Pathway) {
  return OutcomeFields.superRefine((fields, ctx) => {
    for (const issue of outcomeRuleIssues(pathway, fields)) {
      ctx.addIssue({ code: 'custom', path: [issue.field], message: issue.message, params: { rule: issue.rule } });
    }
  });
}

/** Advice and guidance: advise, ask for more, or convert into a referral. */
export const AdviceOutcome = pathwaySchema('advice');
/** Virtual USC triage: a downgrade needs the referrer's agreement. */
export const UscOutcome = pathwaySchema('usc');
/** Waiting-list validation: every patient gets a P-code and a review. */
export const WaitingListOutcome = pathwaySchema('waiting-list');

export const OUTCOME_SCHEMAS: Readonly<Record<Pathway, z.ZodType<OutcomeFields, unknown>>> = {
  advice: AdviceOutcome,
  usc: UscOutcome,
  'waiting-list': WaitingListOutcome,
};
