import { useId, useState, type FormEvent } from 'react';
import { describeError } from '../format/errors';

interface Props {
  serviceUrl: string;
  notice: string | null;
  appVersion: string;
  /** Who last signed in here: prefilled, since only they can unlock offline. */
  lastUsername: string;
  /** Signs in (or unlocks offline); resolves to the message to show, or null once in. */
  onSubmit(username: string, password: string): Promise<string | null>;
}

/**
 * Sign-in, and the unlock after a reload or offline: the cached records are encrypted with a
 * key only this password opens, so it is asked for again whenever the key is not in memory.
 */
export function SignIn({ serviceUrl, notice, appVersion, lastUsername, onSubmit }: Props) {
  const id = useId();
  const [username, setUsername] = useState(lastUsername);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    if (!username.trim() || !password) {
      setError('Enter your username and password.');
      return;
    }
    setBusy(true);
    setError(null);
    let message: string | null;
    try {
      message = await onSubmit(username.trim(), password);
    } catch (err) {
      message = describeError(err);
    }
    if (message) {
      setPassword('');
      setError(message);
      setBusy(false);
    }
  }

  return (
    <main className="signin" id="main">
      <form className="signin-card" onSubmit={submit} aria-labelledby={`${id}-title`} noValidate>
        <h1 id={`${id}-title`} className="signin-title">
          <span className="brand-mark" aria-hidden="true" />
          Loupe
        </h1>
        <p className="muted">Teledermatology review. Sign in to see your worklist.</p>
        {notice && !error && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        {error && (
          <p className="alert" role="alert">
            {error}
          </p>
        )}
        <div className="field">
          <label htmlFor={`${id}-user`}>Username</label>
          <input
            id={`${id}-user`}
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            disabled={busy}
            autoFocus={!lastUsername}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`}>Password</label>
          <input
            id={`${id}-password`}
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            disabled={busy}
            autoFocus={!!lastUsername}
          />
        </div>
        <button type="submit" className="button primary" disabled={busy} aria-busy={busy}>
          Sign in
        </button>
        {busy && (
          <p className="muted small" role="status">
            Signing in and opening your encrypted copy…
          </p>
        )}
        <p className="signin-footer muted">
          {appVersion && <>Version {appVersion} · </>}
          {serviceUrl}
        </p>
      </form>
    </main>
  );
}
