import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './config';
import type { ServiceContext } from './context';
import { SessionService } from './auth/session-service';
import { FsImageStore } from './images/image-store';
import { SqliteRepository } from './repo/sqlite-repository';

export const SERVICE_VERSION = '0.1.0';

/** Opens storage for a configuration; the same path serves `main.ts` and the tests. */
export async function openService(config: Config, now: () => Date = () => new Date()): Promise<ServiceContext> {
  if (config.databaseUrl) {
    throw new Error('DATABASE_URL (PostgreSQL) is not supported by this build yet; unset it to use the embedded SQLite database');
  }
  await mkdir(config.dataDir, { recursive: true });
  const repo = SqliteRepository.open(path.join(config.dataDir, 'loupe.sqlite'));
  const store = await new FsImageStore(path.join(config.dataDir, 'images')).init();
  const sessions = new SessionService(repo, { absoluteMinutes: config.sessionAbsoluteMinutes, idleMinutes: config.sessionIdleMinutes }, now);
  return { config, repo, store, sessions, version: SERVICE_VERSION, now };
}
