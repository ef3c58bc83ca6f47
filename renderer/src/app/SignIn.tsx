import { useId, useState, type FormEvent } from 'react';
import { ServiceError } from '../../../shared/client/service-client';
import type { SessionResponse } from '../../../shared/contract';
import { createClient } from '../data/http';
import { describeError } from '../format/errors';

interface Props {
  serviceUrl: string;
  notice: string | null;
  appVersion: string;
  onSignedIn(serviceUrl: string, response: SessionResponse): Promise<void>;
}

export function SignIn({ serviceUrl, notice, appVersion, onSignedIn }: Props) {
  const id = useId();
  const [username, setUsername] = useState('');
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
    try {
      const response = await createClient(serviceUrl).signIn({ username: username.trim(), password });
      await onSignedIn(serviceUrl, response);
    } catch (err) {
      setPassword('');
      setError(signInError(err));
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
            autoFocus
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
          />
        </div>
        <button type="submit" className="button primary" disabled={busy} aria-busy={busy}>
          Sign in
        </button>
        <p className="signin-footer muted">
          {appVersion && <>Version {appVersion} · </>}
          {serviceUrl}
        </p>
      </form>
    </main>
  );
}

function signInError(err: unknown): string {
  if (err instanceof ServiceError) {
    if (err.status === 401) return 'The username or password is not right.';
    if (err.status === 429) return 'Too many attempts. Wait a minute, then try again.';
    if (err.status >= 500 || err.status === 404)
      return 'The referral service could not sign you in just now. Try again shortly.';
  }
  return describeError(err);
}
