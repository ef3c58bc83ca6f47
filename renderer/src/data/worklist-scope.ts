import type { Referral, ReferralStatus, Role } from '../../../shared/contract';

/** Still to be dealt with: on someone's worklist. */
export function isOpen(referral: Referral): boolean {
  return referral.status !== 'done';
}

/** Statuses this role acts on next; a registrar does not sign off, nobody acts while waiting for the GP. */
export function isActionable(status: ReferralStatus, role: Role): boolean {
  if (status === 'new' || status === 'in-review') return true;
  return status === 'awaiting-signoff' && role === 'consultant';
}

function actionable(referral: Referral, role: Role): boolean {
  return isActionable(referral.status, role);
}

/** The clinician's next referrals, soonest due first: what prefetch fetches. */
export function nextReferrals(referrals: readonly Referral[], role: Role, count: number): Referral[] {
  return referrals
    .filter((r) => actionable(r, role))
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.id.localeCompare(b.id))
    .slice(0, count);
}

/** Referrals whose cached images are never evicted: the clinician's current worklist. */
export function worklistIds(referrals: readonly Referral[]): Set<string> {
  return new Set(referrals.filter(isOpen).map((r) => r.id));
}
