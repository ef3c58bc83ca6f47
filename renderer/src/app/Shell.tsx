import { useEffect } from 'react';
import { CaseView } from '../case/CaseView';
import { Worklist } from '../worklist/Worklist';
import { Header } from './Header';
import { useRoute } from './use-route';

export function Shell({ appVersion }: { appVersion: string }) {
  const [route, navigate] = useRoute();

  useEffect(() => {
    document.title = route.name === 'case' ? 'Referral · Loupe' : 'Worklist · Loupe';
  }, [route.name]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to main content
      </a>
      <Header appVersion={appVersion} />
      <main id="main" className="main" tabIndex={-1}>
        {route.name === 'case' ? (
          <CaseView key={route.referralId} referralId={route.referralId} onBack={() => navigate({ name: 'worklist' })} />
        ) : (
          <Worklist onOpen={(referralId) => navigate({ name: 'case', referralId })} />
        )}
      </main>
    </div>
  );
}
