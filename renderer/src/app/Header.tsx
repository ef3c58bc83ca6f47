import { useState } from 'react';
import { useSession } from './session';
import { ROLE_LABELS } from '../format/labels';
import { ConnectionStatus } from './ConnectionStatus';
import { useOutboxCounts } from '../data/hooks';

export function Header({ appVersion }: { appVersion: string }) {
  const { user, signOut } = useSession();
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const counts = useOutboxCounts();
  const unsent = counts.pending + counts.conflict + counts.rejected;
  const leave = () => {
    setBusy(true);
    void signOut();
  };

  return (
    <header className="app-header">
      <a className="brand" href="#/" aria-label="Loupe: worklist">
        <span className="brand-mark" aria-hidden="true" />
        Loupe
      </a>
      <ConnectionStatus />
      <div className="header-spacer" />
      {(user.role === 'consultant' || user.role === 'admin') && (
        <a className="button subtle" href="#/metrics">
          Metrics
        </a>
      )}
      <a className="button subtle" href="#/settings">
        Settings
      </a>
      <p className="user">
        <span className="visually-hidden">Signed in as </span>
        <span className="user-name">{user.name}</span>
        <span className="visually-hidden">, </span>
        <span className="user-role">{ROLE_LABELS[user.role] ?? user.role}</span>
      </p>
      <button
        type="button"
        className="button subtle"
        disabled={busy}
        onClick={() => (unsent > 0 && !confirming ? setConfirming(true) : leave())}
      >
        Sign out
      </button>
      {confirming && !busy && (
        <div className="signout-confirm panel" role="alertdialog" aria-label="Unsent changes">
          <p>
            {unsent} change{unsent === 1 ? ' has' : 's have'} not reached the service yet. They stay on this workstation,
            encrypted, and are sent when you next sign in here.
          </p>
          <button type="button" className="button primary" onClick={leave}>
            Sign out anyway
          </button>
          <button type="button" className="button subtle" onClick={() => setConfirming(false)}>
            Stay signed in
          </button>
        </div>
      )}
      {appVersion && (
        <span className="version muted" title="Loupe version">
          v{appVersion}
        </span>
      )}
    </header>
  );
}
