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
    // No OS-protected store in a browser: the cache opens with the password-derived key only.
    deviceKey: () => Promise.resolve(null),
    // A page cannot write files or print itself to bytes; Chromium's print dialog can, with
    // "Save as PDF" as the destination, and it uses the same print styles as the desktop.
    // `print()` returns when the dialog closes, and the page never learns what was chosen.
    saveLetterPdf: () => {
      win.print();
      return Promise.resolve({ saved: false });
    },
  };
}

/**
 * Registers the offline app shell (`sw.js`, written by the build) so the page can be reloaded
 * without a network; the app then runs from its local store. Browser host only: Electron
 * serves the renderer from `loupe://`. Registration waits for the page's own load so the
 * precache does not compete with it on a slow link. A failure leaves the app working online
 * and is logged by name only (no URLs, nothing clinical).
 */
export function registerAppShell(win: Window = window): void {
  if (!('serviceWorker' in win.navigator)) return; // insecure origin or disabled
  const register = () => {
    win.navigator.serviceWorker
      // `no-cache` on sw.js already; updateViaCache keeps the HTTP cache out of update checks.
      .register(new URL('sw.js', win.location.href), { scope: './', updateViaCache: 'none' })
      .catch((err: unknown) => console.warn(`Offline app shell not registered (${err instanceof Error ? err.name : 'unknown error'})`));
  };
  if (win.document.readyState === 'complete') register();
  else win.addEventListener('load', register, { once: true });
}
