// Pure: no `electron` import. The security policy of the desktop shell, as plain data and
// predicates, so every value is unit-tested in Node without the Electron binary.
import { APP_ORIGIN, APP_SCHEME } from '../../shared/bridge';

/**
 * The exact `webPreferences` of every window. Structurally a subset of Electron's
 * `WebPreferences`; the edge passes it to `new BrowserWindow` unchanged.
 */
export interface SecureWebPreferences {
  readonly preload: string;
  readonly contextIsolation: true;
  readonly sandbox: true;
  readonly nodeIntegration: false;
  readonly nodeIntegrationInWorker: false;
  readonly nodeIntegrationInSubFrames: false;
  readonly webSecurity: true;
  readonly allowRunningInsecureContent: false;
  readonly webviewTag: false;
  readonly spellcheck: false;
  readonly navigateOnDragDrop: false;
  readonly experimentalFeatures: false;
  readonly enableWebSQL: false;
  readonly safeDialogs: true;
}

export function secureWebPreferences(preloadPath: string): SecureWebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    navigateOnDragDrop: false,
    experimentalFeatures: false,
    enableWebSQL: false,
    safeDialogs: true,
  };
}

/** Privileges of the `loupe:` scheme, registered before `ready`. */
export const APP_SCHEME_PRIVILEGES = {
  standard: true,
  secure: true,
  supportFetchAPI: true,
  corsEnabled: true,
  stream: true,
  codeCache: true,
  bypassCSP: false,
  allowServiceWorkers: false,
} as const;

/**
 * The Content-Security-Policy sent with every `loupe://app` response. The page may talk to
 * itself and to the embedded referral service only; nothing may frame it, post forms, or
 * change its base URL.
 */
export function buildCsp(serviceUrl?: string | null): string {
  const service = serviceUrl ? ` ${serviceOrigin(serviceUrl)}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    `connect-src 'self'${service}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** `http://127.0.0.1:<port>` from the service URL; refuses anything that could widen the CSP. */
function serviceOrigin(serviceUrl: string): string {
  const url = new URL(serviceUrl);
  if (url.protocol !== 'http:' || url.hostname !== '127.0.0.1' || !url.port) {
    throw new Error('the service URL must be http://127.0.0.1:<port>');
  }
  return url.origin;
}

const APP_PROTOCOL = `${APP_SCHEME}:`;
const APP_HOST = new URL(APP_ORIGIN).host;

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * True only for `loupe://app/...`: our scheme, our host, no port, no credentials. Navigation
 * to anything else (other hosts of our scheme, http(s), file:, javascript:, data:) is refused.
 */
export function isAppUrl(url: string): boolean {
  const u = parse(url);
  return (
    u !== null &&
    u.protocol === APP_PROTOCOL &&
    u.host === APP_HOST &&
    u.username === '' &&
    u.password === '' &&
    (u.pathname === '' || u.pathname.startsWith('/'))
  );
}

/**
 * Whether an IPC call may be answered: the sending frame must exist and show a page of our
 * own app. A destroyed or navigated-away frame (`null`/`undefined`) is never trusted.
 */
export function isTrustedSender(frameUrl: string | null | undefined): boolean {
  return typeof frameUrl === 'string' && isAppUrl(frameUrl);
}

/**
 * Permissions are denied, with one exception: a `loupe://app` page may reach the loopback
 * address (Chromium's local-network-access prompts), which is where its own referral service
 * listens. What it may reach there is bounded by the CSP's `connect-src`.
 */
const LOOPBACK_PERMISSIONS: ReadonlySet<string> = new Set(['local-network-access', 'loopback-network', 'local-network']);

export function isPermissionGranted(permission: string, requestingOrigin: string | null | undefined): boolean {
  return LOOPBACK_PERMISSIONS.has(permission) && typeof requestingOrigin === 'string' && isAppUrl(requestingOrigin);
}
