import { useEffect } from 'react';
import { CaseView } from '../case/CaseView';
import { ChangesView } from '../changes/ChangesView';
import { LettersView } from '../letters/LettersView';
import { MetricsView } from '../metrics/MetricsView';
import { SettingsView } from '../settings/SettingsView';
import { Worklist } from '../worklist/Worklist';
import { Header } from './Header';
import { useRoute } from './use-route';

const TITLES = { case: 'Referral', worklist: 'Worklist', changes: 'Your changes', settings: 'Settings', letters: 'Letters', metrics: 'Service metrics' } as const;

export function Shell({ appVersion, notice }: { appVersion: string; notice: string | null }) {
  const [route, navigate] = useRoute();

  useEffect(() => {
    document.title = `${TITLES[route.name]} · Loupe`;
  }, [route.name]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to main content
      </a>
      <Header appVersion={appVersion} />
      {notice && (
        <p className="shell-notice" role="status">
          {notice}
        </p>
      )}
      <main id="main" className="main" tabIndex={-1}>
        {route.name === 'case' ? (
          <CaseView key={route.referralId} referralId={route.referralId} onBack={() => navigate({ name: 'worklist' })} />
        ) : route.name === 'letters' ? (
          <LettersView key={route.referralId} referralId={route.referralId} />
        ) : route.name === 'metrics' ? (
          <MetricsView />
        ) : route.name === 'changes' ? (
          <ChangesView />
        ) : route.name === 'settings' ? (
          <SettingsView />
        ) : (
          <Worklist onOpen={(referralId) => navigate({ name: 'case', referralId })} />
        )}
      </main>
    </div>
  );
}
