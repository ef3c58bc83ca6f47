import { describe, expect, it } from 'vitest';
import { MutationType, OutcomeStatus, ReferralStatus } from '../../shared/contract';
import { MUTATION_ROLES, nextOutcomeStatus, nextReferralStatus, OPEN_STATES, submitEvent, type OutcomeEvent, type ReferralEvent } from '../../service/domain/workflow';

const REFERRAL_EVENTS: ReferralEvent[] = ['claim', 'release', 'request-info', 'follow-up', 'submit-final', 'submit-for-signoff', 'sign-off', 'return', 'amend'];
const OUTCOME_EVENTS: OutcomeEvent[] = ['save', 'submit-final', 'submit-for-signoff', 'sign-off', 'return', 'supersede'];

describe('referral state machine', () => {
  it('walks the usual paths', () => {
    expect(nextReferralStatus('new', 'claim')).toBe('in-review');
    expect(nextReferralStatus('in-review', 'release')).toBe('new');
    expect(nextReferralStatus('in-review', 'submit-for-signoff')).toBe('awaiting-signoff');
    expect(nextReferralStatus('awaiting-signoff', 'return')).toBe('in-review');
    expect(nextReferralStatus('awaiting-signoff', 'sign-off')).toBe('done');
    expect(nextReferralStatus('new', 'submit-final')).toBe('done');
    expect(nextReferralStatus('in-review', 'request-info')).toBe('waiting-info');
  });

  it('brings a follow-up back to its reviewer when it has one', () => {
    expect(nextReferralStatus('waiting-info', 'follow-up')).toBe('new');
    expect(nextReferralStatus('waiting-info', 'follow-up', { assigned: true })).toBe('in-review');
  });

  it('accepts a follow-up only while waiting for one', () => {
    for (const s of ReferralStatus.options) expect(nextReferralStatus(s, 'follow-up') !== null, s).toBe(s === 'waiting-info');
  });

  it('lets nothing but an amendment touch a decided referral', () => {
    for (const e of REFERRAL_EVENTS) expect(nextReferralStatus('done', e), e).toBe(e === 'amend' ? 'done' : null);
  });

  it('allows sign-off and return only while a registrar outcome awaits sign-off', () => {
    for (const s of ReferralStatus.options) {
      expect(nextReferralStatus(s, 'sign-off') !== null, s).toBe(s === 'awaiting-signoff');
      expect(nextReferralStatus(s, 'return') !== null, s).toBe(s === 'awaiting-signoff');
    }
  });

  it('accepts new decisions exactly in the open states', () => {
    for (const s of ReferralStatus.options) {
      expect(nextReferralStatus(s, 'submit-final') !== null, s).toBe(OPEN_STATES.includes(s));
      expect(nextReferralStatus(s, 'submit-for-signoff') !== null, s).toBe(OPEN_STATES.includes(s));
    }
  });
});

describe('outcome state machine', () => {
  it('never changes a final outcome except to supersede it, and a superseded one never', () => {
    for (const e of OUTCOME_EVENTS) {
      expect(nextOutcomeStatus('final', e), e).toBe(e === 'supersede' ? 'superseded' : null);
      expect(nextOutcomeStatus('superseded', e), e).toBeNull();
    }
  });

  it('sends a registrar submission for sign-off and finalises a consultant one', () => {
    expect(nextOutcomeStatus('none', submitEvent('registrar'))).toBe('awaiting-signoff');
    expect(nextOutcomeStatus('none', submitEvent('consultant'))).toBe('final');
    expect(nextOutcomeStatus('draft', submitEvent('registrar'))).toBe('awaiting-signoff');
  });

  it('returns an outcome to an editable state and lets it be resubmitted', () => {
    expect(nextOutcomeStatus('awaiting-signoff', 'return')).toBe('returned');
    expect(nextOutcomeStatus('returned', 'save')).toBe('draft');
    expect(nextOutcomeStatus('returned', 'submit-for-signoff')).toBe('awaiting-signoff');
    expect(nextOutcomeStatus('awaiting-signoff', 'save')).toBeNull();
  });

  it('reaches every outcome state from nothing', () => {
    const seen = new Set<string>(['none']);
    let frontier: (OutcomeStatus | 'none')[] = ['none'];
    while (frontier.length) {
      const next: OutcomeStatus[] = [];
      for (const s of frontier) for (const e of OUTCOME_EVENTS) {
        const to = nextOutcomeStatus(s, e);
        if (to && !seen.has(to)) {
          seen.add(to);
          next.push(to);
        }
      }
      frontier = next;
    }
    expect([...seen].sort()).toEqual(['none', ...OutcomeStatus.options].sort());
  });
});

describe('mutation roles', () => {
  it('names roles for every mutation type, and only consultants sign off or return', () => {
    expect(Object.keys(MUTATION_ROLES).sort()).toEqual([...MutationType.options].sort());
    expect(MUTATION_ROLES['outcome.sign-off']).toEqual(['consultant']);
    expect(MUTATION_ROLES['outcome.return']).toEqual(['consultant']);
    for (const roles of Object.values(MUTATION_ROLES)) {
      expect(roles).not.toContain('referrer');
      expect(roles).not.toContain('admin');
    }
  });
});
