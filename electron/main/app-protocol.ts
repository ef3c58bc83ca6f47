// Edge: Electron APIs. Serves the built renderer on `loupe://app/` (never file://), with the
// CSP as a response header.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { protocol } from 'electron';
import { APP_SCHEME } from '../../shared/bridge';
import { mimeTypeFor, resolveAppFile } from './app-files';
import { APP_SCHEME_PRIVILEGES, buildCsp } from './policy';

/** Must run before `app` is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);
}

function headers(contentType: string, csp: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  };
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR';
}

/**
 * Answers `loupe:` requests from `rendererRoot`. The CSP names the service URL, so responses
 * wait for it; if the service fails, pages are served with `connect-src 'self'` only.
 * A missing extensionless path is a client-side route and gets `index.html`.
 */
export function handleAppProtocol(rendererRoot: string, serviceUrl: Promise<string>): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const csp = buildCsp(await serviceUrl.catch(() => null));
    const text = (status: number, body: string): Response =>
      new Response(body, { status, headers: headers('text/plain; charset=utf-8', csp) });
    const file = async (filePath: string): Promise<Response> =>
      new Response(await readFile(filePath), { status: 200, headers: headers(mimeTypeFor(filePath), csp) });

    if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'Method not allowed');
    const resolved = resolveAppFile(request.url, rendererRoot);
    if (!resolved.ok) return text(resolved.status, resolved.reason);
    try {
      return await file(resolved.filePath);
    } catch (error) {
      if (!isMissing(error) || path.extname(resolved.filePath) !== '') return text(404, 'Not found');
    }
    try {
      return await file(path.join(rendererRoot, 'index.html'));
    } catch {
      return text(404, 'Not found');
    }
  });
}
