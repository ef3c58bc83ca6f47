import type { Referral } from '../../../shared/contract';
import { formatDateTime } from '../format/dates';
import { dueText } from './due-state';

export function DueCell({ referral, now }: { referral: Pick<Referral, 'dueAt' | 'status'>; now: Date }) {
  const { state, label } = dueText(referral, now);
  return (
    <span className={`due due-${state}`} data-due-state={state}>
      <span className="nowrap">{formatDateTime(referral.dueAt)}</span>
      {label && (
        <span className="due-label">
          {state === 'overdue' && <span aria-hidden="true">▲ </span>}
          {label}
        </span>
      )}
    </span>
  );
}
