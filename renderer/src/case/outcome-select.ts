import type { Outcome } from '../../../shared/contract';

/**
 * The outcome that answers the referral, if any: the latest final one, else the latest
 * awaiting a consultant's sign-off. Drafts, returned and superseded outcomes do not count.
 */
export function currentOutcome(outcomes: readonly Outcome[]): Outcome | null {
  const latest = (status: Outcome['status']) =>
    outcomes
      .filter((o) => o.status === status)
      .sort((a, b) => (b.submittedAt ?? b.updatedAt).localeCompare(a.submittedAt ?? a.updatedAt))[0] ?? null;
  return latest('final') ?? latest('awaiting-signoff');
}
