import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { LoupeBridge } from '../../../shared/bridge';
import type { WorkstationSettings } from '../../../shared/workstation-settings';
import { browserFetch } from '../data/http';
import { TileServicesContext } from '../data/tiles';
import type { Workspace } from '../data/workspace';
import { describeError } from '../format/errors';
import { resumeWithDevice, signInOrUnlock, type AccessDeps } from './access/access';
import { loadLastUser } from './access/last-user';
import { endWorkspace, startWorkspace } from './access/lifecycle';
import { profileStorage } from './profile-store';
import { SessionContext, type Session } from './session';
import { loadSettings, saveSettings } from './settings-store';
import { Shell } from './Shell';
import { SignIn } from './SignIn';

type Phase =
  | { kind: 'starting' }
  | { kind: 'signed-out'; notice: string | null }
  | { kind: 'signed-in'; session: Session; notice: string | null };

const isOnline = () => navigator.onLine !== false;

export function App({ bridge }: { bridge: LoupeBridge }) {
  const [phase, setPhase] = useState<Phase>({ kind: 'starting' });
  const [serviceUrl, setServiceUrl] = useState<string | null>(null);
  const [startError, setStartError] = useState<string | null>(null);
  const [appVersion, setAppVersion] = useState('');
  const storage = useMemo(() => profileStorage(), []);
  const [settings, setSettings] = useState<WorkstationSettings>(() => loadSettings(storage));
  const settingsRef = useRef(settings);
  settingsRef.current = settings;
  const current = useRef<Session | null>(null);

  const deps = useCallback(
    (url: string): AccessDeps => ({ serviceUrl: url, fetch: browserFetch, bridge, storage, settings: settingsRef.current, isOnline }),
    [bridge, storage],
  );

  const open = useCallback(
    async (url: string, workspace: Workspace, notice: string | null) => {
      const services = await startWorkspace(workspace, settingsRef.current);
      const session: Session = {
        bridge,
        serviceUrl: url,
        user: workspace.user,
        workspace,
        tiles: services,
        settings: settingsRef.current,
        updateSettings: (next) => {
          saveSettings(storage, next);
          setSettings(next);
          services.applySettings(next);
        },
        signOut: async () => {
          if (current.current !== session) return;
          current.current = null;
          await endWorkspace(workspace, services, settingsRef.current, bridge);
          // The next person to sign in starts at the worklist, not at this user's last case.
          if (window.location.hash) history.replaceState(null, '', window.location.pathname + window.location.search);
          setPhase({ kind: 'signed-out', notice: null });
        },
      };
      current.current = session;
      setPhase({ kind: 'signed-in', session, notice });
    },
    [bridge, storage],
  );

  // Start-up: find the service; on the desktop, reopen the last session with the device key.
  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const [url, version] = await Promise.all([bridge.serviceUrl(), bridge.appVersion().catch(() => '')]);
        if (cancelled) return;
        setServiceUrl(url);
        setAppVersion(version);
        const resumed = await resumeWithDevice(deps(url));
        if (cancelled) {
          resumed?.close();
          return;
        }
        if (resumed) await open(url, resumed, null);
        else setPhase({ kind: 'signed-out', notice: null });
      } catch (error) {
        if (!cancelled) setStartError(describeError(error));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [bridge, deps, open]);

  useEffect(() => () => current.current?.workspace.close(), []);

  const onSubmit = useCallback(
    async (username: string, password: string): Promise<string | null> => {
      if (!serviceUrl) return 'Loupe is still starting.';
      const result = await signInOrUnlock(username, password, deps(serviceUrl));
      if (!result.ok) return result.message;
      await open(serviceUrl, result.workspace, result.notice);
      return null;
    },
    [deps, open, serviceUrl],
  );

  const applySettings = settings;
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
    return (
      <SignIn
        serviceUrl={serviceUrl}
        notice={phase.notice}
        appVersion={appVersion}
        lastUsername={loadLastUser(storage)?.username ?? ''}
        onSubmit={onSubmit}
      />
    );
  }
  return (
    <SessionContext.Provider value={{ ...phase.session, settings: applySettings }}>
      <TileServicesContext.Provider value={phase.session.tiles}>
        <Shell appVersion={appVersion} notice={phase.notice} />
      </TileServicesContext.Provider>
    </SessionContext.Provider>
  );
}
