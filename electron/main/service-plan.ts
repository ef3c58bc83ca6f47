// Pure: no `electron` import. How the embedded referral service is started, and how its
// "listening" announcement is recognised.
import path from 'node:path';

export const SERVICE_READY_TIMEOUT_MS = 30_000;
export const SERVICE_ALLOWED_ORIGINS = 'loupe://app';

export interface ServiceLaunchInput {
  /** `app.isPackaged`. */
  readonly packaged: boolean;
  /** Absolute path of the built service entry (`out/service/main.js`, inside the app when packaged). */
  readonly serviceEntry: string;
  /** `app.getPath('userData')`. */
  readonly userDataDir: string;
  /** The environment to start from (`process.env`). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * `node`: development, run by the system Node (`LOUPE_NODE` or `node` on the PATH) so the one
 * better-sqlite3 build serves the tests and the app. `utility`: packaged, forked with
 * Electron's `utilityProcess` (electron-builder rebuilt the native modules for Electron).
 */
export type ServiceLaunchPlan =
  | {
      readonly kind: 'node';
      readonly command: string;
      readonly args: readonly string[];
      readonly env: Readonly<Record<string, string>>;
      readonly dataDir: string;
    }
  | {
      readonly kind: 'utility';
      /** The module `utilityProcess.fork` runs. */
      readonly command: string;
      readonly args: readonly string[];
      readonly env: Readonly<Record<string, string>>;
      readonly dataDir: string;
    };

/**
 * Inherited variables that would point the embedded service somewhere other than its own
 * loopback port and its own data folder, or change how Node loads code.
 */
const DROPPED_ENV = new Set([
  'DATABASE_URL',
  'LOUPE_PORT',
  'LOUPE_HOST',
  'LOUPE_DATA_DIR',
  'LOUPE_ALLOWED_ORIGINS',
  'NODE_OPTIONS',
  'ELECTRON_RUN_AS_NODE',
]);

export function serviceLaunchPlan(input: ServiceLaunchInput): ServiceLaunchPlan {
  const dataDir = path.join(input.userDataDir, 'service');
  const serviceArgs = ['--port', '0', '--data', dataDir, '--demo'];
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.env)) {
    if (value !== undefined && !DROPPED_ENV.has(key)) env[key] = value;
  }
  env.LOUPE_ALLOWED_ORIGINS = SERVICE_ALLOWED_ORIGINS;
  env.LOUPE_HOST = '127.0.0.1';

  if (input.packaged) {
    env.NODE_ENV = 'production';
    return { kind: 'utility', command: input.serviceEntry, args: serviceArgs, env, dataDir };
  }
  const command = input.env.LOUPE_NODE?.trim() || 'node';
  return { kind: 'node', command, args: [input.serviceEntry, ...serviceArgs], env, dataDir };
}

const LISTENING_LINE = /^Loupe referral service listening on (http:\/\/127\.0\.0\.1:(\d{1,5}))\/?$/;

function loopbackUrl(url: string, port: string): string | null {
  const n = Number(port);
  if (!Number.isInteger(n) || n < 1 || n > 65535 || String(n) !== port) return null;
  return url;
}

/**
 * The service URL (no trailing slash) from its stdout announcement
 * `Loupe referral service listening on http://127.0.0.1:<port>`; `null` for any other line.
 * Only the loopback address is accepted: the URL goes into the page's CSP.
 */
export function parseListeningLine(line: string): string | null {
  const m = LISTENING_LINE.exec(line.trim());
  return m?.[1] && m[2] ? loopbackUrl(m[1], m[2]) : null;
}

/** The same, from the IPC message `{ type: 'listening', url }`; `null` for anything else. */
export function parseListeningMessage(message: unknown): string | null {
  if (typeof message !== 'object' || message === null) return null;
  const { type, url } = message as { type?: unknown; url?: unknown };
  if (type !== 'listening' || typeof url !== 'string') return null;
  return parseListeningLine(`Loupe referral service listening on ${url}`);
}
