// Pure: no `electron` import, no file-system access. Maps a `loupe://app/<path>` request to
// a file under the renderer folder, or refuses it. The edge reads the file.
import path from 'node:path';
import { APP_ORIGIN } from '../../shared/bridge';

export type AppFileResolution =
  | { readonly ok: true; readonly filePath: string; readonly mimeType: string }
  | { readonly ok: false; readonly status: 400 | 404; readonly reason: string };

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

export function mimeTypeFor(filePath: string): string {
  return MIME_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

const refuse = (status: 400 | 404, reason: string): AppFileResolution => ({ ok: false, status, reason });

/**
 * Resolves `loupe://app/<path>` to a file inside `rendererRoot` (an absolute folder).
 *
 * The raw path is checked segment by segment *before* any URL normalisation, so traversal is
 * refused rather than silently folded: `..` and `.` segments (plain or percent-encoded),
 * encoded separators (`%2f`, `%5c`), backslashes, NUL, empty segments (`//abs`), drive
 * letters and undecodable escapes all give 400. `loupe://app/` and paths ending in `/` map to
 * `index.html`. The query and fragment are ignored.
 */
export function resolveAppFile(requestUrl: string, rendererRoot: string): AppFileResolution {
  const prefix = `${APP_ORIGIN}/`;
  if (requestUrl === APP_ORIGIN) return resolveAppFile(prefix, rendererRoot);
  if (!requestUrl.startsWith(prefix)) return refuse(404, 'not an app URL');

  const rawPath = requestUrl.slice(prefix.length).split(/[?#]/, 1)[0] ?? '';
  const rawSegments = rawPath === '' ? [] : rawPath.split('/');
  if (rawSegments.at(-1) === '') rawSegments.pop(); // trailing slash: a folder's index
  const segments: string[] = [];
  for (const raw of rawSegments) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return refuse(400, 'malformed escape');
    }
    if (segment === '' || segment === '.' || segment === '..') return refuse(400, 'path traversal');
    // Separators, NUL and `:` (drive letters, alternate data streams) never name a bundle file.
    if (/[/\\\0:]/.test(segment)) return refuse(400, 'forbidden character in path');
    segments.push(segment);
  }
  if (rawPath === '' || rawPath.endsWith('/')) segments.push('index.html');

  const root = path.resolve(rendererRoot);
  const filePath = path.resolve(root, ...segments);
  if (!filePath.startsWith(root + path.sep)) return refuse(400, 'outside the renderer folder');
  return { ok: true, filePath, mimeType: mimeTypeFor(filePath) };
}
