import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './config';
import type { ServiceContext } from './context';
import { SessionService } from './auth/session-service';
import { FsImageStore } from './images/image-store';
import { openPyramidBuilder } from './images/pyramid-pool';
import type { Repository } from './repo/repository';
import { PgRepository } from './repo/pg-repository';
import { SqliteRepository } from './repo/sqlite-repository';

export const SERVICE_VERSION = '0.1.0';

/**
 * Opens only the database a configuration names. Commands run beside a live service (`users`)
 * use this rather than `openService`, whose image store clears the staging folder at start-up.
 */
export async function openRepository(config: Config): Promise<Repository> {
  // PostgreSQL when DATABASE_URL names one (a central service, any number of instances
  // sharing it and one image store); otherwise the embedded SQLite file in the data folder.
  if (config.databaseUrl) return PgRepository.open(config.databaseUrl, { poolSize: config.dbPoolSize });
  await mkdir(config.dataDir, { recursive: true });
  return SqliteRepository.open(path.join(config.dataDir, 'loupe.sqlite'));
}

/** Opens storage for a configuration; the same path serves `main.ts` and the tests. */
export async function openService(config: Config, now: () => Date = () => new Date()): Promise<ServiceContext> {
  const repo = await openRepository(config);
  const store = await new FsImageStore(path.join(config.dataDir, 'images')).init();
  const sessions = new SessionService(repo, { absoluteMinutes: config.sessionAbsoluteMinutes, idleMinutes: config.sessionIdleMinutes }, config.signInThrottle, now);
  // Workers start on the first ingest, not here: a service that only serves pays nothing.
  const pyramids = openPyramidBuilder({ size: config.ingestWorkers });
  return { config, repo, store, pyramids, sessions, version: SERVICE_VERSION, now };
}
