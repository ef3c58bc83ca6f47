import type { MutationType, OutcomeStatus, ReferralStatus, Role } from '../../shared/contract';

/**
 * The referral and outcome state machines, in one place. Every state change the service
 * makes asks these tables first; `docs/ARCHITECTURE.md` draws them. Pure: no storage, no
 * clock, so they are tested exhaustively on their own.
 */

/** What happens to a referral. `submit-final` is a consultant's outcome; `submit-for-signoff` a registrar's. */
export type ReferralEvent =
  | 'claim'
  | 'release'
  | 'request-info'
  | 'follow-up'
  | 'submit-final'
  | 'submit-for-signoff'
  | 'sign-off'
  | 'return'
  | 'amend';

/** The state each event leads to from each state; a missing entry means "not allowed here". */
const REFERRAL: Readonly<Record<ReferralStatus, Partial<Record<ReferralEvent, ReferralStatus>>>> = {
  new: { claim: 'in-review', 'request-info': 'waiting-info', 'submit-final': 'done', 'submit-for-signoff': 'awaiting-signoff' },
  'in-review': { claim: 'in-review', release: 'new', 'request-info': 'waiting-info', 'submit-final': 'done', 'submit-for-signoff': 'awaiting-signoff' },
  // A clinician may still decide while waiting (the answer may no longer matter); the
  // referrer's follow-up brings it back to the worklist (to its reviewer if it has one).
  'waiting-info': { claim: 'waiting-info', release: 'waiting-info', 'request-info': 'waiting-info', 'follow-up': 'new', 'submit-final': 'done', 'submit-for-signoff': 'awaiting-signoff' },
  'awaiting-signoff': { 'sign-off': 'done', return: 'in-review' },
  // Final outcomes are never edited; a consultant's amendment supersedes one and stays done.
  done: { amend: 'done' },
};

export function nextReferralStatus(from: ReferralStatus, event: ReferralEvent, opts: { assigned?: boolean } = {}): ReferralStatus | null {
  const to = REFERRAL[from][event];
  if (to === undefined) return null;
  if (event === 'follow-up' && opts.assigned) return 'in-review';
  if (event === 'release' && from === 'in-review') return 'new';
  return to;
}

/** What happens to one outcome. */
export type OutcomeEvent = 'save' | 'submit-final' | 'submit-for-signoff' | 'sign-off' | 'return' | 'supersede';

const OUTCOME: Readonly<Record<OutcomeStatus, Partial<Record<OutcomeEvent, OutcomeStatus>>>> = {
  draft: { save: 'draft', 'submit-final': 'final', 'submit-for-signoff': 'awaiting-signoff' },
  // A returned outcome is the registrar's to change and resubmit; editing makes it a draft again.
  returned: { save: 'draft', 'submit-for-signoff': 'awaiting-signoff', 'submit-final': 'final' },
  'awaiting-signoff': { 'sign-off': 'final', return: 'returned' },
  final: { supersede: 'superseded' },
  superseded: {},
};

/** The state a new outcome takes (it has none yet), or an existing one moves to. */
export function nextOutcomeStatus(from: OutcomeStatus | 'none', event: OutcomeEvent): OutcomeStatus | null {
  if (from === 'none') {
    if (event === 'save') return 'draft';
    if (event === 'submit-final') return 'final';
    if (event === 'submit-for-signoff') return 'awaiting-signoff';
    return null;
  }
  return OUTCOME[from][event] ?? null;
}

/** A consultant's submission is final at once; a registrar's awaits a consultant's sign-off. */
export function submitEvent(role: Role): 'submit-final' | 'submit-for-signoff' {
  return role === 'consultant' ? 'submit-final' : 'submit-for-signoff';
}

/** Who may send each mutation type (the route already admits clinicians only). */
export const MUTATION_ROLES: Readonly<Record<MutationType, readonly Role[]>> = {
  'referral.claim': ['consultant', 'registrar'],
  'referral.release': ['consultant', 'registrar'],
  'referral.request-info': ['consultant', 'registrar'],
  'outcome.save-draft': ['consultant', 'registrar'],
  'outcome.submit': ['consultant', 'registrar'],
  'outcome.sign-off': ['consultant'],
  'outcome.return': ['consultant'],
  'annotation.save': ['consultant', 'registrar'],
  'annotation.delete': ['consultant', 'registrar'],
};

/** Referral states in which a clinician may still record or change a decision. */
export const OPEN_STATES: readonly ReferralStatus[] = ['new', 'in-review', 'waiting-info'];
