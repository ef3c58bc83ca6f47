import { useSyncStatus } from '../data/hooks';
import { formatTime } from '../format/dates';

/**
 * A quiet line in the header saying whether the worklist is current. Only the state is a
 * live region; the time of the last pull changes every 15 s and is not announced.
 */
export function SyncIndicator() {
  const status = useSyncStatus();
  const state = status.error ? 'error' : status.ready ? 'ok' : 'syncing';
  const text = status.error
    ? `Not up to date: ${status.error}`
    : status.ready
      ? 'Up to date'
      : 'Loading referrals…';
  return (
    <p className="sync" data-state={state}>
      <span className="sync-dot" aria-hidden="true" />
      <span role="status">{text}</span>
      {status.lastSyncedAt && (
        <span className="sync-time"> · {status.error ? 'last ' : ''}{formatTime(status.lastSyncedAt)}</span>
      )}
    </p>
  );
}
