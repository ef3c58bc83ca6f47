import { useState } from 'react';
import { useSession } from './session';
import { ROLE_LABELS } from '../format/labels';
import { SyncIndicator } from './SyncIndicator';

export function Header({ appVersion }: { appVersion: string }) {
  const { user, signOut } = useSession();
  const [busy, setBusy] = useState(false);

  return (
    <header className="app-header">
      <a className="brand" href="#/" aria-label="Loupe: worklist">
        <span className="brand-mark" aria-hidden="true" />
        Loupe
      </a>
      <SyncIndicator />
      <div className="header-spacer" />
      {user ? (
        <p className="user">
          <span className="visually-hidden">Signed in as </span>
          <span className="user-name">{user.name}</span>
          <span className="visually-hidden">, </span>
          <span className="user-role">{ROLE_LABELS[user.role] ?? user.role}</span>
        </p>
      ) : (
        <p className="user muted">Signed in</p>
      )}
      <button
        type="button"
        className="button subtle"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void signOut();
        }}
      >
        Sign out
      </button>
      {appVersion && (
        <span className="version muted" title="Loupe version">
          v{appVersion}
        </span>
      )}
    </header>
  );
}
