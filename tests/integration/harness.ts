import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import sharp from 'sharp';
import { inject } from 'vitest';
import type { Change, Role } from '../../shared/contract';
import { ServiceClient } from '../../shared/client/service-client';
import { newUser } from '../../service/auth/session-service';
import { Config } from '../../service/config';
import type { ServiceContext } from '../../service/context';
import { openService } from '../../service/open-service';
import { buildServer } from '../../service/server';
import { SqliteRepository } from '../../service/repo/sqlite-repository';

export const PASSWORD = 'test-password-1';
export const TEST_USERS: readonly { username: string; name: string; role: Role }[] = [
  { username: 'consultant', name: 'Dr C Onsultant', role: 'consultant' },
  { username: 'registrar', name: 'Dr R Egistrar', role: 'registrar' },
  { username: 'gp', name: 'Dr G Practitioner', role: 'referrer' },
  { username: 'gp2', name: 'Dr Other Practice', role: 'referrer' },
  { username: 'admin', name: 'Admin', role: 'admin' },
];

/**
 * The database backend of this test project: `vitest.config.ts` runs the integration suite
 * once per backend and sets LOUPE_TEST_DB for each (SQLite when unset).
 */
export const TEST_BACKEND: 'sqlite' | 'postgres' = process.env.LOUPE_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

export interface TestDatabase {
  url: string;
  /** Drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  // The run's throwaway cluster (tests/support/postgres-global-setup.ts), or a server named
  // by LOUPE_TEST_PG_URL.
  const client = new pg.Client({ connectionString: process.env.LOUPE_TEST_PG_URL ?? inject('pgAdminUrl') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty PostgreSQL database in the test cluster: one per started service. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `loupe_${randomBytes(8).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(process.env.LOUPE_TEST_PG_URL ?? inject('pgAdminUrl'));
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    drop: () => (dropped ??= withAdmin(async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    })),
  };
}

const createdDatabases: TestDatabase[] = [];

/**
 * The configuration of a service with its data in `dataDir`, on this project's backend: on
 * PostgreSQL with a fresh database of its own. For tests that open services themselves;
 * `dropTestDatabases()` (in an `afterEach`) removes the databases made here.
 */
export async function testConfig(dataDir: string, overrides: Partial<Config> = {}): Promise<Config> {
  if (TEST_BACKEND === 'postgres' && !overrides.databaseUrl) {
    const db = await createTestDatabase();
    createdDatabases.push(db);
    overrides = { ...overrides, databaseUrl: db.url };
  }
  return Config.parse({ dataDir, ...overrides });
}

export async function dropTestDatabases(): Promise<void> {
  await Promise.all(createdDatabases.splice(0).map((db) => db.drop()));
}

/** Runs SQL on a service's database with a connection of its own, past the repository. */
async function execSql(ctx: ServiceContext, sql: string): Promise<void> {
  if (ctx.repo instanceof SqliteRepository) {
    ctx.repo.db.exec(sql);
    return;
  }
  if (!ctx.config.databaseUrl) throw new Error(`exec is not implemented for the ${ctx.repo.kind} backend`);
  const client = new pg.Client({ connectionString: ctx.config.databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface RunningService {
  url: string;
  ctx: ServiceContext;
  dataDir: string;
  client(): ServiceClient;
  signedIn(username: string): Promise<ServiceClient>;
  /**
   * Runs SQL on the service's database directly, past every check the service makes: how a
   * test plays an attacker or an operator with database access (e.g. tampering with audit rows).
   */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** The service's clock (sessions, throttling, audit times); the real one by default. */
  now?: () => Date;
}

/**
 * A real service on an ephemeral loopback port with a temporary image store and database: a
 * SQLite file, or (project integration-postgres) a fresh PostgreSQL database dropped by close().
 */
export async function startService(overrides: Partial<Config> = {}, options: StartOptions = {}): Promise<RunningService> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'loupe-it-'));
  const db = TEST_BACKEND === 'postgres' && !overrides.databaseUrl ? await createTestDatabase() : undefined;
  const config = Config.parse({ port: 0, dataDir, ...(db ? { databaseUrl: db.url } : {}), ...overrides });
  const ctx = await openService(config, options.now);
  const users = await Promise.all(TEST_USERS.map((u) => newUser(u.username, u.name, u.role, PASSWORD)));
  await ctx.repo.transaction(async (tx) => {
    for (const u of users) await tx.insertUser(u);
  });
  return serve(ctx, dataDir, async () => {
    await rm(dataDir, { recursive: true, force: true });
    await db?.drop();
  });
}

/**
 * Serves a context on an ephemeral loopback port; `close` stops it, its workers and its
 * connections, then `releaseStorage` (the first instance owns the shared storage).
 */
async function serve(ctx: ServiceContext, dataDir: string, releaseStorage: () => Promise<void> = async () => {}): Promise<RunningService> {
  const app = await buildServer(ctx);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const client = () => new ServiceClient(url, fetch);
  return {
    url,
    ctx,
    dataDir,
    client,
    exec: (sql) => execSql(ctx, sql),
    async signedIn(username) {
      const c = client();
      await c.signIn({ username, password: PASSWORD });
      return c;
    },
    async close() {
      await app.close();
      await ctx.pyramids.close();
      await ctx.repo.close();
      await releaseStorage();
    },
  };
}

/** The whole change feed as one client sees it, paged `pageSize` at a time. */
export async function allChanges(c: ServiceClient, pageSize = 500): Promise<Change[]> {
  const out: Change[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await c.changes(cursor, pageSize);
    out.push(...page.changes);
    cursor = page.cursor;
    if (!page.hasMore) return out;
  }
}

/**
 * One more instance of a running service, as a scaled-out deployment runs them: its own HTTP
 * server, connection pool and pyramid workers, sharing the first instance's database and data
 * folder (image store). Its close() stops only this instance; the shared storage goes with the
 * first instance's close().
 */
export async function startInstance(of: RunningService, options: StartOptions = {}): Promise<RunningService> {
  const ctx = await openService({ ...of.ctx.config, port: 0 }, options.now);
  return serve(ctx, of.dataDir);
}

/** A small synthetic photograph: skin tone with a darker blob, as JPEG. */
export async function testJpeg(width = 900, height = 600, exif?: Record<string, Record<string, string>>): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="100%" height="100%" fill="#d9a987"/>
    <ellipse cx="${width / 2}" cy="${height / 2}" rx="${width / 8}" ry="${height / 7}" fill="#5a3a26"/></svg>`;
  let img = sharp(Buffer.from(svg)).jpeg({ quality: 90 });
  if (exif) img = img.withExif(exif);
  return img.toBuffer();
}

export function referralBody(parts: string[], overrides: Record<string, unknown> = {}) {
  return {
    patient: { nhsNumber: '9990000018', name: { given: 'Ada', family: 'Example' }, birthDate: '1950-02-01', sex: 'female' },
    pathway: 'advice',
    referrer: { name: 'Dr A Example', practiceCode: 'A12345' },
    question: 'Pigmented lesion on left shin, changed over 3 months. Melanoma?',
    history: { duration: '3 months', changed: true, bleeding: false, itch: false },
    images: parts.map((part) => ({ part, kind: 'dermoscopic', lesion: 'L1', bodySite: 'left lower leg', capturedAt: '2026-11-01T10:00:00Z' })),
    ...overrides,
  };
}

/** POSTs a multipart referral the way a GP-side client would. */
export async function postReferral(svc: RunningService, token: string, referral: unknown, files: Record<string, Buffer | string>): Promise<Response> {
  const form = new FormData();
  form.set('referral', JSON.stringify(referral));
  for (const [part, bytes] of Object.entries(files)) form.set(part, new Blob([bytes]), `${part}.jpg`);
  return fetch(`${svc.url}/api/v1/referrals`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
}
