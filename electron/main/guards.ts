// Edge: Electron APIs. Applies the navigation and permission policy from `policy.ts` to
// every web contents and to the session.
import { app, type Session, type WebContents } from 'electron';
import { isAppUrl, isPermissionGranted } from './policy';

/**
 * Navigation stays on `loupe://app`; new windows, `<webview>`s and redirects elsewhere are
 * refused. Nothing is handed to `shell.openExternal`: a clinical workstation does not open
 * links from page content in another program.
 */
export function guardWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-frame-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Installs `guardWebContents` on every web contents the app will ever create. */
export function guardAllWebContents(): void {
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents));
}

export function denyPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionGranted(permission, details.requestingUrl));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => isPermissionGranted(permission, requestingOrigin));
  session.setDevicePermissionHandler(() => false);
}
