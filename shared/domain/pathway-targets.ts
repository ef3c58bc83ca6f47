import type { Pathway } from '../contract/common';
import { addWorkingDays } from './working-days';

/** Default turnaround targets in working days (domain brief); a trust may configure others. */
export const DEFAULT_TARGET_WORKING_DAYS: Readonly<Record<Pathway, number>> = {
  advice: 2,
  usc: 1,
  'waiting-list': 10,
};

export function dueAt(receivedAt: Date, pathway: Pathway, targets = DEFAULT_TARGET_WORKING_DAYS): Date {
  return addWorkingDays(receivedAt, targets[pathway]);
}
