import { useId, useState, type FormEvent } from 'react';
import { useOutboxCounts, useSyncStatus } from '../data/hooks';
import { usePrefetchProgress } from '../data/tiles/context';
import { formatTime } from '../format/dates';
import { useSession } from './session';

const NETWORK_LABELS = { online: 'Online', offline: 'Offline', unreachable: 'Service unreachable' } as const;

/**
 * The header's sync control: whether the service can be reached, how many of the clinician's
 * changes are waiting, when the worklist was last brought up to date, and what prefetch is
 * doing. When the service refuses the session, the changes stay queued and it asks for the
 * password here, without leaving the screen.
 */
export function ConnectionStatus() {
  const status = useSyncStatus();
  const counts = useOutboxCounts();
  const prefetch = usePrefetchProgress();
  const id = useId();
  const { workspace } = useSession();
  const [open, setOpen] = useState(false);
  const state = status.needsSignIn ? 'signin' : status.network;
  const label = status.needsSignIn ? 'Sign in needed' : NETWORK_LABELS[status.network];
  const attention = counts.conflict + counts.rejected;

  return (
    <div
      className="connection"
      data-state={state}
      data-pending={counts.pending}
      data-prefetch-running={prefetch.running ? 'true' : 'false'}
      data-prefetch-done={prefetch.referralsDone}
      data-prefetch-total={prefetch.referralsTotal}
    >
      <p className="connection-line" role="status" aria-label="Sync status">
        <span className="sync-dot" aria-hidden="true" />
        <span className="connection-state">{label}</span>
        <span className="connection-pending"> · {counts.pending} pending</span>
        {attention > 0 && (
          <a className="connection-attention" href="#/changes">
            {' '}
            · {attention} need{attention === 1 ? 's' : ''} you
          </a>
        )}
        <span className="connection-time muted">
          {' '}
          · {status.lastSyncAt ? `synced ${formatTime(new Date(status.lastSyncAt))}` : status.ready ? '' : 'not synced yet'}
        </span>
      </p>
      {prefetch.running && prefetch.referralsTotal > 0 && (
        <p className="connection-prefetch muted small">
          <label htmlFor={`${id}-prefetch`}>Caching for offline</label>{' '}
          <progress id={`${id}-prefetch`} max={prefetch.referralsTotal} value={prefetch.referralsDone} aria-label="Prefetch progress">
            {prefetch.referralsDone} of {prefetch.referralsTotal}
          </progress>{' '}
          {prefetch.referralsDone}/{prefetch.referralsTotal}
        </p>
      )}
      <button
        type="button"
        className="button subtle small"
        aria-expanded={open}
        aria-controls={`${id}-panel`}
        onClick={() => setOpen((o) => !o)}
      >
        Sync details
      </button>
      {open && (
        <div className="connection-panel panel" id={`${id}-panel`} role="region" aria-label="Sync details">
          <dl className="facts">
            <dt>Connection</dt>
            <dd>{label}</dd>
            <dt>Waiting to be sent</dt>
            <dd>{counts.pending}</dd>
            <dt>Conflicts</dt>
            <dd>{counts.conflict}</dd>
            <dt>Refused</dt>
            <dd>{counts.rejected}</dd>
            <dt>Last synced</dt>
            <dd>{status.lastSyncAt ? new Date(status.lastSyncAt).toLocaleString('en-GB') : 'Not yet'}</dd>
            <dt>Cached for offline</dt>
            <dd>
              {prefetch.referralsDone} of {prefetch.referralsTotal} referrals
              {prefetch.lastError ? ` (last problem: ${prefetch.lastError})` : ''}
            </dd>
          </dl>
          <div className="form-actions">
            <button
              type="button"
              className="button"
              onClick={() => {
                void workspace.sync.kickPull();
                void workspace.sync.kickPush();
              }}
            >
              Sync now
            </button>
            <a className="button subtle" href="#/changes">
              Review your changes
            </a>
          </div>
        </div>
      )}
      {status.needsSignIn && <SignInAgain />}
    </div>
  );
}

function SignInAgain() {
  const { workspace } = useSession();
  const id = useId();
  const [password, setPassword] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!password || busy) return;
    setBusy(true);
    const result = await workspace.auth.signIn(password);
    setBusy(false);
    setPassword('');
    setMessage(
      result === 'ok'
        ? null
        : result === 'wrong-credentials'
          ? 'The password is not right.'
          : result === 'wrong-user'
            ? 'That is another user’s account.'
            : 'The service cannot be reached; try again shortly.',
    );
  }

  return (
    <form className="signin-again" onSubmit={submit} aria-label="Sign in again">
      <p className="small">Your session has ended. Your changes are kept and will be sent once you sign in again.</p>
      <label htmlFor={`${id}-pw`}>Password to sign in again</label>
      <input id={`${id}-pw`} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} disabled={busy} />
      <button type="submit" className="button primary small" disabled={busy}>
        Sign in again
      </button>
      {message && (
        <p className="alert small" role="alert">
          {message}
        </p>
      )}
    </form>
  );
}
