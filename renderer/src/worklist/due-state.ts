import type { Referral, ReferralStatus } from '../../../shared/contract';
import { formatDuration } from '../format/dates';

export type DueState = 'overdue' | 'due-soon' | 'on-track' | 'closed';

/**
 * "Due soon" is the last quarter of the referral's own target (dueAt − receivedAt, set by the
 * service at receipt from the pathway's target), so it scales with the pathway: a USC triage
 * due in 1 working day is due soon in its last ~6 h, an advice request (2 working days) in its
 * last ~12 h, a waiting-list review (10 working days) in its last ~2.5 days. A fixed window
 * would flag a whole USC referral as due soon from the moment it arrived, and a waiting-list
 * review only when nothing can be done about it any more. Targets spanning a weekend are
 * longer in hours, and so is their window: that matches when the work can actually be done.
 */
export const DUE_SOON_SHARE = 0.25;

/** Never less than this, so a target of a few minutes (tests, odd data) still warns. */
export const DUE_SOON_MIN_MS = 30 * 60 * 1000;

/** Statuses where the clock has stopped: answered, or waiting on the referrer. */
export const CLOCK_STOPPED: ReadonlySet<ReferralStatus> = new Set(['done', 'waiting-info']);

type Clocked = Pick<Referral, 'dueAt' | 'receivedAt' | 'status'>;

/** The due state from times in ms: what the worklist index compares 50,000 times per query. */
export function dueStateAt(status: ReferralStatus, dueMs: number, receivedMs: number, nowMs: number): DueState {
  if (CLOCK_STOPPED.has(status)) return 'closed';
  const left = dueMs - nowMs;
  if (left < 0) return 'overdue';
  if (left <= Math.max(DUE_SOON_MIN_MS, (dueMs - receivedMs) * DUE_SOON_SHARE)) return 'due-soon';
  return 'on-track';
}

export function dueState(referral: Clocked, now: Date): DueState {
  return dueStateAt(referral.status, Date.parse(referral.dueAt), Date.parse(referral.receivedAt), now.getTime());
}

/** The clock in words (time left or overdue by), so the state never rests on colour alone. */
export function clockText(state: DueState, dueMs: number, nowMs: number): string {
  const left = dueMs - nowMs;
  switch (state) {
    case 'overdue':
      return `Overdue by ${formatDuration(left)}`;
    case 'due-soon':
      return `Due soon: ${formatDuration(left)} left`;
    case 'on-track':
      return `${formatDuration(left)} left`;
    case 'closed':
      return '';
  }
}

export function dueText(referral: Clocked, now: Date): { state: DueState; label: string } {
  const state = dueState(referral, now);
  return { state, label: clockText(state, Date.parse(referral.dueAt), now.getTime()) };
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
