import { z } from 'zod';
import path from 'node:path';
import { DEFAULT_TARGET_WORKING_DAYS } from '../shared/domain/pathway-targets';

/** A turnaround target in working days: at least one (a zero target is overdue on arrival). */
const TargetDays = (fallback: number) => z.coerce.number().int().min(1).max(60).default(fallback);

export const Config = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8270),
  dataDir: z.string().min(1).default('.loupe/data'),
  databaseUrl: z.string().optional(),
  demo: z.boolean().default(false),
  /** Folder of the built workstation; served at `/` when it exists. */
  webRoot: z.string().optional(),
  /** Origins allowed to call the API cross-origin: the desktop app's own scheme by default. */
  allowedOrigins: z.array(z.string()).default(['loupe://app']),
  sessionAbsoluteMinutes: z.coerce.number().int().positive().default(12 * 60),
  sessionIdleMinutes: z.coerce.number().int().positive().default(30),
  /** PostgreSQL connections per instance (reads run in parallel; writes use one at a time). */
  dbPoolSize: z.coerce.number().int().min(2).max(200).default(10),
  /** Pyramid worker processes; unset: one fewer than the cores, at most 4. */
  ingestWorkers: z.coerce.number().int().min(1).max(32).optional(),
  limits: z
    .object({
      imageBytes: z.coerce.number().int().positive().default(50 * 1024 * 1024),
      imagePixels: z.coerce.number().int().positive().default(100_000_000),
      imagesPerReferral: z.coerce.number().int().positive().default(20),
    })
    .prefault({}),
  /**
   * Refused sign-ins counted over a sliding window, in the database so every instance sees
   * them: past `maxPerUsername` for one username, or `maxPerAddress` from one client address,
   * sign-in answers 429 until the window has passed.
   */
  signInThrottle: z
    .object({
      windowMinutes: z.coerce.number().int().positive().default(15),
      maxPerUsername: z.coerce.number().int().positive().default(5),
      maxPerAddress: z.coerce.number().int().positive().default(50),
    })
    .prefault({}),
  /**
   * Turnaround targets per pathway in working days, from receipt to a decision: each
   * referral's `dueAt` is set from them when it arrives (a change applies to new referrals).
   */
  targetWorkingDays: z
    .object({
      advice: TargetDays(DEFAULT_TARGET_WORKING_DAYS.advice),
      usc: TargetDays(DEFAULT_TARGET_WORKING_DAYS.usc),
      'waiting-list': TargetDays(DEFAULT_TARGET_WORKING_DAYS['waiting-list']),
    })
    .prefault({}),
});
export type Config = z.infer<typeof Config>;

const USAGE = `usage: loupe-service [--port <n>] [--host <addr>] [--data <dir>] [--demo] [--web-root <dir>]
         [--session-absolute-minutes <n>] [--session-idle-minutes <n>]
         [--max-image-bytes <n>] [--max-image-pixels <n>] [--max-images-per-referral <n>]
         [--signin-window-minutes <n>] [--signin-max-per-username <n>] [--signin-max-per-address <n>]
         [--target-advice-days <n>] [--target-usc-days <n>] [--target-waiting-list-days <n>]
       loupe-service users <add|list|disable|enable|reset-password> ... (users --help)
environment: LOUPE_PORT, LOUPE_HOST, LOUPE_DATA_DIR, DATABASE_URL, LOUPE_ALLOWED_ORIGINS (comma separated), LOUPE_INGEST_WORKERS,
  LOUPE_DB_POOL_SIZE (PostgreSQL connections per instance, default 10)
  LOUPE_SESSION_ABSOLUTE_MINUTES (default 720), LOUPE_SESSION_IDLE_MINUTES (30),
  LOUPE_MAX_IMAGE_BYTES (52428800), LOUPE_MAX_IMAGE_PIXELS (100000000), LOUPE_MAX_IMAGES_PER_REFERRAL (20),
  LOUPE_SIGNIN_WINDOW_MINUTES (15), LOUPE_SIGNIN_MAX_PER_USERNAME (5), LOUPE_SIGNIN_MAX_PER_ADDRESS (50),
  LOUPE_TARGET_ADVICE_DAYS (${DEFAULT_TARGET_WORKING_DAYS.advice}), LOUPE_TARGET_USC_DAYS (${DEFAULT_TARGET_WORKING_DAYS.usc}), LOUPE_TARGET_WAITING_LIST_DAYS (${DEFAULT_TARGET_WORKING_DAYS['waiting-list']}):
  turnaround targets in working days (1-60), applied to referrals as they arrive;
  the command line wins over the environment`;

export class UsageError extends Error {}

/** Flag and variable behind each nested setting, so a bad value's error names what to fix. */
const SOURCES: Record<string, string> = {
  sessionAbsoluteMinutes: '--session-absolute-minutes / LOUPE_SESSION_ABSOLUTE_MINUTES',
  sessionIdleMinutes: '--session-idle-minutes / LOUPE_SESSION_IDLE_MINUTES',
  dbPoolSize: 'LOUPE_DB_POOL_SIZE',
  'limits.imageBytes': '--max-image-bytes / LOUPE_MAX_IMAGE_BYTES',
  'limits.imagePixels': '--max-image-pixels / LOUPE_MAX_IMAGE_PIXELS',
  'limits.imagesPerReferral': '--max-images-per-referral / LOUPE_MAX_IMAGES_PER_REFERRAL',
  'signInThrottle.windowMinutes': '--signin-window-minutes / LOUPE_SIGNIN_WINDOW_MINUTES',
  'signInThrottle.maxPerUsername': '--signin-max-per-username / LOUPE_SIGNIN_MAX_PER_USERNAME',
  'signInThrottle.maxPerAddress': '--signin-max-per-address / LOUPE_SIGNIN_MAX_PER_ADDRESS',
  'targetWorkingDays.advice': '--target-advice-days / LOUPE_TARGET_ADVICE_DAYS',
  'targetWorkingDays.usc': '--target-usc-days / LOUPE_TARGET_USC_DAYS',
  'targetWorkingDays.waiting-list': '--target-waiting-list-days / LOUPE_TARGET_WAITING_LIST_DAYS',
};

/** An empty variable counts as unset, as for DATABASE_URL. */
const envValue = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v);

/** Command line wins over environment; anything unknown is a usage error, not a guess. */
export function configFromArgs(argv: readonly string[], env: NodeJS.ProcessEnv): Config {
  const raw: Record<string, unknown> = {
    port: env.LOUPE_PORT,
    host: env.LOUPE_HOST,
    dataDir: env.LOUPE_DATA_DIR,
    databaseUrl: env.DATABASE_URL || undefined,
    allowedOrigins: env.LOUPE_ALLOWED_ORIGINS?.split(',').map((s) => s.trim()).filter(Boolean),
    ingestWorkers: envValue(env.LOUPE_INGEST_WORKERS),
    dbPoolSize: envValue(env.LOUPE_DB_POOL_SIZE),
  };
  const limits: Record<string, unknown> = {
    imageBytes: envValue(env.LOUPE_MAX_IMAGE_BYTES),
    imagePixels: envValue(env.LOUPE_MAX_IMAGE_PIXELS),
    imagesPerReferral: envValue(env.LOUPE_MAX_IMAGES_PER_REFERRAL),
  };
  const signInThrottle: Record<string, unknown> = {
    windowMinutes: envValue(env.LOUPE_SIGNIN_WINDOW_MINUTES),
    maxPerUsername: envValue(env.LOUPE_SIGNIN_MAX_PER_USERNAME),
    maxPerAddress: envValue(env.LOUPE_SIGNIN_MAX_PER_ADDRESS),
  };
  const targetWorkingDays: Record<string, unknown> = {
    advice: envValue(env.LOUPE_TARGET_ADVICE_DAYS),
    usc: envValue(env.LOUPE_TARGET_USC_DAYS),
    'waiting-list': envValue(env.LOUPE_TARGET_WAITING_LIST_DAYS),
  };
  raw.sessionAbsoluteMinutes = envValue(env.LOUPE_SESSION_ABSOLUTE_MINUTES);
  raw.sessionIdleMinutes = envValue(env.LOUPE_SESSION_IDLE_MINUTES);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    switch (arg) {
      case '--port': raw.port = value(); break;
      case '--host': raw.host = value(); break;
      case '--data': raw.dataDir = value(); break;
      case '--web-root': raw.webRoot = value(); break;
      case '--demo': raw.demo = true; break;
      case '--session-absolute-minutes': raw.sessionAbsoluteMinutes = value(); break;
      case '--session-idle-minutes': raw.sessionIdleMinutes = value(); break;
      case '--max-image-bytes': limits.imageBytes = value(); break;
      case '--max-image-pixels': limits.imagePixels = value(); break;
      case '--max-images-per-referral': limits.imagesPerReferral = value(); break;
      case '--signin-window-minutes': signInThrottle.windowMinutes = value(); break;
      case '--signin-max-per-username': signInThrottle.maxPerUsername = value(); break;
      case '--signin-max-per-address': signInThrottle.maxPerAddress = value(); break;
      case '--target-advice-days': targetWorkingDays.advice = value(); break;
      case '--target-usc-days': targetWorkingDays.usc = value(); break;
      case '--target-waiting-list-days': targetWorkingDays['waiting-list'] = value(); break;
      case '--help': throw new UsageError(USAGE);
      default: throw new UsageError(`unknown argument: ${arg}\n${USAGE}`);
    }
  }
  raw.limits = limits;
  raw.signInThrottle = signInThrottle;
  raw.targetWorkingDays = targetWorkingDays;
  for (const obj of [raw, limits, signInThrottle, targetWorkingDays]) for (const k of Object.keys(obj)) if (obj[k] === undefined) delete obj[k];
  const parsed = Config.safeParse(raw);
  if (!parsed.success) {
    const hints = [...new Set(parsed.error.issues.map((i) => SOURCES[i.path.join('.')]).filter(Boolean))];
    throw new UsageError(`${z.prettifyError(parsed.error)}${hints.length ? `\n  (set by ${hints.join('; ')})` : ''}\n${USAGE}`);
  }
  const { dataDir, webRoot } = parsed.data;
  return { ...parsed.data, dataDir: path.resolve(dataDir), ...(webRoot ? { webRoot: path.resolve(webRoot) } : {}) };
}
