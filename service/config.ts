import { z } from 'zod';
import path from 'node:path';

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
  limits: z
    .object({
      imageBytes: z.number().int().positive().default(50 * 1024 * 1024),
      imagePixels: z.number().int().positive().default(100_000_000),
      imagesPerReferral: z.number().int().positive().default(20),
    })
    .prefault({}),
});
export type Config = z.infer<typeof Config>;

const USAGE = `usage: loupe-service [--port <n>] [--host <addr>] [--data <dir>] [--demo]
environment: LOUPE_PORT, LOUPE_HOST, LOUPE_DATA_DIR, DATABASE_URL, LOUPE_ALLOWED_ORIGINS (comma separated)`;

export class UsageError extends Error {}

/** Command line wins over environment; anything unknown is a usage error, not a guess. */
export function configFromArgs(argv: readonly string[], env: NodeJS.ProcessEnv): Config {
  const raw: Record<string, unknown> = {
    port: env.LOUPE_PORT,
    host: env.LOUPE_HOST,
    dataDir: env.LOUPE_DATA_DIR,
    databaseUrl: env.DATABASE_URL || undefined,
    allowedOrigins: env.LOUPE_ALLOWED_ORIGINS?.split(',').map((s) => s.trim()).filter(Boolean),
  };
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
      case '--help': throw new UsageError(USAGE);
      default: throw new UsageError(`unknown argument: ${arg}\n${USAGE}`);
    }
  }
  for (const k of Object.keys(raw)) if (raw[k] === undefined) delete raw[k];
  const parsed = Config.safeParse(raw);
  if (!parsed.success) throw new UsageError(`${z.prettifyError(parsed.error)}\n${USAGE}`);
  const { dataDir, webRoot } = parsed.data;
  return { ...parsed.data, dataDir: path.resolve(dataDir), ...(webRoot ? { webRoot: path.resolve(webRoot) } : {}) };
}
