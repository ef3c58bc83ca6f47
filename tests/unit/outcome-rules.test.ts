import { describe, expect, it } from 'vitest';
import type { Decision, OutcomeFields, Pathway } from '../../shared/contract';
import { Decision as Decisions } from '../../shared/contract';
import { isUscDowngrade, OUTCOME_SCHEMAS, outcomeRuleIssues, type OutcomeRule } from '../../shared/domain/outcome-rules';

const base: OutcomeFields = { decision: 'advice', diagnosis: { text: 'Seborrhoeic keratosis' }, adviceToGp: 'Benign.' };
const AGREEMENT = { name: 'Dr S Whitfield', on: '2026-03-02' };
const waitingList: OutcomeFields = { ...base, decision: 'routine-appointment', priority: 'P3', listReview: 'unchanged' };

const rules = (pathway: Pathway, fields: OutcomeFields): OutcomeRule[] => outcomeRuleIssues(pathway, fields).map((i) => i.rule);

/** The pathway's schema agrees with the rule list, and names the field. */
function schemaIssues(pathway: Pathway, fields: OutcomeFields): { path: string; rule: unknown }[] {
  const parsed = OUTCOME_SCHEMAS[pathway].safeParse(fields);
  if (parsed.success) return [];
  return parsed.error.issues.map((i) => ({ path: i.path.join('.'), rule: (i as { params?: { rule?: unknown } }).params?.rule }));
}

describe('usc-downgrade-needs-agreement', () => {
  const keeps: Decision[] = ['usc-appointment', 'biopsy-urgent', 'redirect', 'request-info'];
  const downgrades = Decisions.options.filter((d) => !keeps.includes(d));

  it.each(downgrades)('refuses %s on a USC referral without the referrer\'s agreement, and accepts it with', (decision) => {
    const fields = { ...base, decision, safetyNetting: 'Return if it changes.', requestReasons: undefined };
    expect(rules('usc', fields)).toEqual(['usc-downgrade-needs-agreement']);
    expect(schemaIssues('usc', fields)).toEqual([{ path: 'referrerAgreement', rule: 'usc-downgrade-needs-agreement' }]);
    expect(rules('usc', { ...fields, referrerAgreement: AGREEMENT })).toEqual([]);
  });

  it.each(keeps.filter((d) => d !== 'request-info'))('accepts %s on a USC referral without an agreement', (decision) => {
    expect(rules('usc', { ...base, decision })).toEqual([]);
    expect(rules('usc', { ...base, decision, priority: 'usc' })).toEqual([]);
  });

  it('counts a priority below USC as a downgrade even with a decision that keeps the pathway', () => {
    expect(rules('usc', { ...base, decision: 'usc-appointment', priority: 'urgent' })).toEqual(['usc-downgrade-needs-agreement']);
    expect(rules('usc', { ...base, decision: 'usc-appointment', priority: 'routine', referrerAgreement: AGREEMENT })).toEqual([]);
  });

  it('does not apply to the other pathways', () => {
    expect(isUscDowngrade('advice', { decision: 'advice' })).toBe(false);
    expect(isUscDowngrade('waiting-list', { decision: 'advice' })).toBe(false);
    expect(rules('advice', { ...base, decision: 'routine-appointment', priority: 'routine' })).toEqual([]);
  });
});

describe('request-info-needs-reason', () => {
  it('refuses a request for information without a reason, and accepts one with', () => {
    expect(rules('advice', { ...base, decision: 'request-info' })).toEqual(['request-info-needs-reason']);
    expect(rules('advice', { ...base, decision: 'request-info', requestReasons: [] })).toEqual(['request-info-needs-reason']);
    expect(schemaIssues('advice', { ...base, decision: 'request-info' })).toEqual([{ path: 'requestReasons', rule: 'request-info-needs-reason' }]);
    expect(rules('advice', { ...base, decision: 'request-info', requestReasons: ['blurred'] })).toEqual([]);
    expect(rules('usc', { ...base, decision: 'request-info', requestReasons: ['no-dermoscopy', 'no-scale'] })).toEqual([]);
  });
});

describe('discharge-needs-safety-netting', () => {
  it('refuses a discharge without safety-netting advice (blank counts as none), and accepts one with', () => {
    expect(rules('advice', { ...base, decision: 'discharge' })).toEqual(['discharge-needs-safety-netting']);
    expect(rules('advice', { ...base, decision: 'discharge', safetyNetting: '   ' })).toEqual(['discharge-needs-safety-netting']);
    expect(schemaIssues('advice', { ...base, decision: 'discharge' })).toEqual([{ path: 'safetyNetting', rule: 'discharge-needs-safety-netting' }]);
    expect(rules('advice', { ...base, decision: 'discharge', safetyNetting: 'Return if it bleeds or grows.' })).toEqual([]);
  });
});

describe('priority-fits-pathway', () => {
  it('refuses a P-code outside waiting lists and USC/urgent/routine on them', () => {
    expect(rules('advice', { ...base, priority: 'P2' })).toEqual(['priority-fits-pathway']);
    expect(rules('usc', { ...base, decision: 'usc-appointment', priority: 'P1a' })).toContain('priority-fits-pathway');
    expect(rules('waiting-list', { ...waitingList, priority: 'urgent' })).toEqual(['priority-fits-pathway']);
    expect(schemaIssues('advice', { ...base, priority: 'P2' })).toEqual([{ path: 'priority', rule: 'priority-fits-pathway' }]);
  });

  it('accepts each pathway\'s own priorities', () => {
    for (const priority of ['usc', 'urgent', 'routine'] as const) expect(rules('advice', { ...base, priority })).toEqual([]);
    for (const priority of ['P1a', 'P1b', 'P2', 'P3', 'P4'] as const) expect(rules('waiting-list', { ...waitingList, priority })).toEqual([]);
  });
});

describe('waiting-list-needs-priority and waiting-list-needs-review', () => {
  it('refuses a waiting-list outcome without a P-code or without a review, and accepts one with both', () => {
    const { priority: _p, ...noPriority } = waitingList;
    const { listReview: _r, ...noReview } = waitingList;
    expect(rules('waiting-list', noPriority)).toEqual(['waiting-list-needs-priority']);
    expect(rules('waiting-list', noReview)).toEqual(['waiting-list-needs-review']);
    expect(rules('waiting-list', base)).toEqual(['waiting-list-needs-priority', 'waiting-list-needs-review']);
    expect(schemaIssues('waiting-list', base)).toEqual([
      { path: 'priority', rule: 'waiting-list-needs-priority' },
      { path: 'listReview', rule: 'waiting-list-needs-review' },
    ]);
    expect(rules('waiting-list', waitingList)).toEqual([]);
  });

  it('asks neither of advice or USC outcomes', () => {
    expect(rules('advice', base)).toEqual([]);
    expect(rules('usc', { ...base, decision: 'usc-appointment' })).toEqual([]);
  });
});

describe('removal-needs-patient-agreement', () => {
  const resolved: OutcomeFields = { ...waitingList, decision: 'discharge', listReview: 'resolved', priority: 'P4', safetyNetting: 'Return if it recurs.' };

  it('refuses taking a resolved patient off the list without their agreement, and accepts it with', () => {
    expect(rules('waiting-list', resolved)).toEqual(['removal-needs-patient-agreement']);
    expect(rules('waiting-list', { ...resolved, patientAgreedToRemoval: false })).toEqual(['removal-needs-patient-agreement']);
    expect(schemaIssues('waiting-list', resolved)).toEqual([{ path: 'patientAgreedToRemoval', rule: 'removal-needs-patient-agreement' }]);
    expect(rules('waiting-list', { ...resolved, patientAgreedToRemoval: true })).toEqual([]);
  });

  it('does not ask when the patient stays on the list', () => {
    expect(rules('waiting-list', { ...resolved, decision: 'routine-appointment' })).toEqual([]);
    expect(rules('waiting-list', { ...resolved, listReview: 'unchanged' })).toEqual([]);
  });
});

describe('several rules at once', () => {
  it('names every broken rule, each by its field', () => {
    const issues = outcomeRuleIssues('usc', { ...base, decision: 'discharge', priority: 'P2' });
    expect(issues.map((i) => [i.field, i.rule])).toEqual([
      ['referrerAgreement', 'usc-downgrade-needs-agreement'],
      ['safetyNetting', 'discharge-needs-safety-netting'],
      ['priority', 'priority-fits-pathway'],
    ]);
    for (const issue of issues) expect(issue.message.length).toBeGreaterThan(20);
  });
});
