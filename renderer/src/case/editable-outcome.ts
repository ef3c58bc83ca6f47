import type { Outcome, UserRef } from '../../../shared/contract';

/**
 * The unsubmitted outcome this user would carry on with: their own draft (or one returned to
 * them), or, for a consultant, a registrar's draft they supervise. The latest edited first.
 */
export function editableOutcome(outcomes: readonly Outcome[], user: UserRef): Outcome | null {
  const open = outcomes.filter((o) => o.status === 'draft' || o.status === 'returned');
  const mine = open.filter((o) => o.author.id === user.id);
  const supervised = user.role === 'consultant' ? open.filter((o) => o.author.role === 'registrar') : [];
  const pick = (list: Outcome[]) => [...list].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0] ?? null;
  return pick(mine) ?? pick(supervised);
}
