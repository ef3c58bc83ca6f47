import type { LoupeBridge } from '../../../shared/bridge';
import { version } from '../../../package.json';

const TOKEN_KEY = 'loupe.token';

/**
 * The bridge for a plain browser tab: the service that served this page is the one to talk
 * to, and the token lives in the tab's session storage (gone when the tab closes).
 */
export function createBrowserHost(win: Window = window): LoupeBridge {
  const storage = (): Storage | null => {
    try {
      return win.sessionStorage;
    } catch {
      return null; // storage disabled: the session then lasts as long as the page
    }
  };
  return {
    host: 'browser',
    appVersion: () => Promise.resolve(import.meta.env.VITE_LOUPE_VERSION ?? version),
    serviceUrl: () => Promise.resolve(win.location.origin),
    loadToken: () => Promise.resolve(storage()?.getItem(TOKEN_KEY) ?? null),
    saveToken: (token) => {
      storage()?.setItem(TOKEN_KEY, token);
      return Promise.resolve();
    },
    clearToken: () => {
      storage()?.removeItem(TOKEN_KEY);
      return Promise.resolve();
    },
  };
}
