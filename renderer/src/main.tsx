import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { registerAppShell } from './hosts/browser-host';
import { selectHost } from './hosts/select-host';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

const bridge = selectHost();
createRoot(root).render(
  <StrictMode>
    <App bridge={bridge} />
  </StrictMode>,
);

// The offline app shell is the browser host's; the desktop app serves itself from loupe://.
if (bridge.host === 'browser' && 'serviceWorker' in navigator) registerAppShell(window);
