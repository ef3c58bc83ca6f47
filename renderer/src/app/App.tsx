import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { LoupeBridge } from '../../../shared/bridge';
import type { SessionResponse } from '../../../shared/contract';
import { createClient } from '../data/http';
import { createMemoryStore } from '../data/local-store';
import { Sync } from '../data/sync';
import { describeError } from '../format/errors';
import { clearProfile, loadProfile, profileStorage, saveProfile } from './profile-store';
import { SessionContext, type Session } from './session';
import { Shell } from './Shell';
import { SignIn } from './SignIn';

type Phase =
  | { kind: 'starting' }
  | { kind: 'signed-out'; notice: string | null }
  | { kind: 'signed-in'; session: Session };

const SESSION_ENDED = 'Your session has ended. Please sign in again.';

export function App({ bridge }: { bridge: LoupeBridge }) {
  const [phase, setPhase] = useState<Phase>({ kind: 'starting' });
  const [serviceUrl, setServiceUrl] = useState<string | null>(null);
  const [startError, setStartError] = useState<string | null>(null);
  const [appVersion, setAppVersion] = useState('');
  const sessionRef = useRef<Session | null>(null);
  const storage = useMemo(() => profileStorage(bridge.host), [bridge]);

  const endSession = useCallback(
    (notice: string | null) => {
      const session = sessionRef.current;
      sessionRef.current = null;
      session?.sync.stop();
      session?.store.clear();
      clearProfile(storage);
      void bridge.clearToken().catch(() => undefined);
      setPhase({ kind: 'signed-out', notice });
    },
    [bridge, storage],
  );

  const open = useCallback(
    (url: string, token: string, user: Session['user']): Session => {
      const client = createClient(url, token);
      const store = createMemoryStore();
      // Only the live session may end the sign-in; a stale one (replaced meanwhile) just stops.
      const expire = () => {
        if (sessionRef.current === session) endSession(SESSION_ENDED);
        else sync.stop();
      };
      const sync = new Sync(client, store, expire);
      const session: Session = {
        bridge,
        serviceUrl: url,
        client,
        store,
        sync,
        user,
        expire,
        signOut: async () => {
          try {
            await client.signOut();
          } catch {
            // The token is dropped locally either way; the service expires it in time.
          }
          if (sessionRef.current !== session) return;
          // The next person to sign in starts at the worklist, not at this user's last case.
          if (window.location.hash) history.replaceState(null, '', window.location.pathname + window.location.search);
          endSession(null);
        },
      };
      sessionRef.current = session;
      return session;
    },
    [bridge, endSession],
  );

  // Start-up: find the service, then resume a stored session if its token still works.
  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const [url, token, version] = await Promise.all([
          bridge.serviceUrl(),
          bridge.loadToken(),
          bridge.appVersion().catch(() => ''),
        ]);
        if (cancelled) return;
        setServiceUrl(url);
        setAppVersion(version);
        if (!token) {
          setPhase({ kind: 'signed-out', notice: null });
          return;
        }
        const session = open(url, token, loadProfile(storage));
        const result = await session.sync.pull();
        if (cancelled) {
          session.sync.stop();
          return;
        }
        if (result === 'unauthorized') return; // endSession already showed the sign-in form
        session.sync.start();
        setPhase({ kind: 'signed-in', session });
      } catch (error) {
        if (!cancelled) setStartError(describeError(error));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [bridge, open, storage]);

  useEffect(() => () => sessionRef.current?.sync.stop(), []);

  const onSignedIn = useCallback(
    async (url: string, response: SessionResponse) => {
      try {
        await bridge.saveToken(response.token);
      } catch {
        // Could not persist it: this window still works; a reload will ask to sign in again.
      }
      saveProfile(storage, response.user);
      const session = open(url, response.token, response.user);
      await session.sync.pull();
      if (sessionRef.current !== session) return;
      session.sync.start();
      setPhase({ kind: 'signed-in', session });
    },
    [bridge, open, storage],
  );

  if (startError) {
    return (
      <main className="splash" id="main">
        <h1>Loupe</h1>
        <p role="alert">Loupe could not start: {startError}</p>
      </main>
    );
  }
  if (phase.kind === 'starting' || !serviceUrl) {
    return (
      <main className="splash" id="main" aria-busy="true">
        <h1>Loupe</h1>
        <p role="status">Starting…</p>
      </main>
    );
  }
  if (phase.kind === 'signed-out') {
    return <SignIn serviceUrl={serviceUrl} notice={phase.notice} appVersion={appVersion} onSignedIn={onSignedIn} />;
  }
  return (
    <SessionContext.Provider value={phase.session}>
      <Shell appVersion={appVersion} />
    </SessionContext.Provider>
  );
}
