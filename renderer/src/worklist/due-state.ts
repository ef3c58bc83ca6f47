import type { Referral, ReferralStatus } from '../../../shared/contract';
import { formatDuration } from '../format/dates';

export type DueState = 'overdue' | 'due-soon' | 'on-track' | 'closed';

/** A referral is "due soon" inside this window before its due time. */
export const DUE_SOON_MS = 24 * 60 * 60 * 1000;

/** Statuses where the clock has stopped: answered, or waiting on the referrer. */
const CLOCK_STOPPED: ReadonlySet<ReferralStatus> = new Set(['done', 'waiting-info']);

export function dueState(referral: Pick<Referral, 'dueAt' | 'status'>, now: Date): DueState {
  if (CLOCK_STOPPED.has(referral.status)) return 'closed';
  const left = new Date(referral.dueAt).getTime() - now.getTime();
  if (left < 0) return 'overdue';
  if (left <= DUE_SOON_MS) return 'due-soon';
  return 'on-track';
}

/** The words shown beside the due time, so the state never rests on colour alone. */
export function dueText(referral: Pick<Referral, 'dueAt' | 'status'>, now: Date): { state: DueState; label: string } {
  const state = dueState(referral, now);
  const left = new Date(referral.dueAt).getTime() - now.getTime();
  switch (state) {
    case 'overdue':
      return { state, label: `Overdue by ${formatDuration(left)}` };
    case 'due-soon':
      return { state, label: `Due soon (in ${formatDuration(left)})` };
    case 'on-track':
      return { state, label: `Due in ${formatDuration(left)}` };
    case 'closed':
      return { state, label: '' };
  }
}

/**
 * Worklist order: open referrals by due time (most urgent first), then the closed ones
 * (done or waiting for the referrer), also by due time.
 */
export function sortForWorklist<T extends Pick<Referral, 'dueAt' | 'status' | 'id'>>(referrals: readonly T[]): T[] {
  const closed = (r: T) => (CLOCK_STOPPED.has(r.status) ? 1 : 0);
  return [...referrals].sort(
    (a, b) => closed(a) - closed(b) || Date.parse(a.dueAt) - Date.parse(b.dueAt) || a.id.localeCompare(b.id),
  );
}
