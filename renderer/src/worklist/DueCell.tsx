import type { Referral } from '../../../shared/contract';
import { formatDateTime } from '../format/dates';
import { clockText, dueStateAt, type DueState } from './due-state';

/** The due time and the clock against it, from times in ms (the worklist index's rows). */
export function Clock({ status, dueAt, receivedAt, now }: { status: Referral['status']; dueAt: number; receivedAt: number; now: number }) {
  const state: DueState = dueStateAt(status, dueAt, receivedAt, now);
  const label = clockText(state, dueAt, now);
  return (
    <span className={`due due-${state}`} data-due-state={state} data-due-at={new Date(dueAt).toISOString()} data-received-at={new Date(receivedAt).toISOString()}>
      <span className="nowrap">{formatDateTime(new Date(dueAt).toISOString())}</span>
      {label && (
        <span className="due-label">
          {state === 'overdue' && <span aria-hidden="true">▲ </span>}
          {state === 'due-soon' && <span aria-hidden="true">◆ </span>}
          {label}
        </span>
      )}
    </span>
  );
}

export function DueCell({ referral, now }: { referral: Pick<Referral, 'dueAt' | 'receivedAt' | 'status'>; now: Date }) {
  return <Clock status={referral.status} dueAt={Date.parse(referral.dueAt)} receivedAt={Date.parse(referral.receivedAt)} now={now.getTime()} />;
}
