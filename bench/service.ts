import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import sharp from 'sharp';
import { ReferralCreated, type Mutation } from '../shared/contract';
import { ServiceClient } from '../shared/client/service-client';
import { newUser } from '../service/auth/session-service';
import { Config } from '../service/config';
import { LISTENING_PREFIX } from '../service/listening';
import { openService } from '../service/open-service';
import { startPostgres, type TestPostgres } from '../tests/support/postgres';
import { intOption, round, table, writeResults } from './report';

const MAIN = path.resolve('out/service/main.js');
const PASSWORD = 'bench-password-1';
const USERS = [
  { username: 'consultant', name: 'Dr Bench Consultant', role: 'consultant' as const },
  { username: 'gp', name: 'Dr Bench GP', role: 'referrer' as const },
];

interface Running {
  url: string;
  stop(): Promise<void>;
}

/** The built service as its own process, so the load generator never shares its event loop. */
async function startBuiltService(dataDir: string, databaseUrl: string | undefined): Promise<Running> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
  delete env.LOUPE_PORT;
  const child: ChildProcess = spawn(process.execPath, [MAIN, '--port', '0', '--data', dataDir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-5000)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith(LISTENING_PREFIX));
      if (line) resolve(line.slice(LISTENING_PREFIX.length).trim());
    });
    child.once('exit', (code) => reject(new Error(`service exited (${code}) before listening:\n${err}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function seedUsers(config: Config): Promise<void> {
  const ctx = await openService(config);
  try {
    const rows = await Promise.all(USERS.map((u) => newUser(u.username, u.name, u.role, PASSWORD)));
    await ctx.repo.transaction(async (tx) => {
      for (const r of rows) await tx.insertUser(r);
    });
  } finally {
    await ctx.pyramids.close();
    await ctx.repo.close();
  }
}

async function postReferral(url: string, token: string, i: number): Promise<ReferralCreated> {
  const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 200 + (i % 40), g: 160, b: 130 } } }).jpeg().toBuffer();
  const form = new FormData();
  form.set('referral', JSON.stringify({
    patient: { nhsNumber: '9990000018', name: { given: 'Bench', family: `Patient${i}` }, birthDate: '1960-01-01', sex: 'female' },
    pathway: 'advice',
    referrer: { name: 'Dr Bench GP', practiceCode: 'B12345' },
    question: 'Benchmark referral.',
    history: {},
    images: [{ part: 'a', kind: 'close-up', lesion: 'L1', bodySite: 'back', capturedAt: '2026-11-01T10:00:00Z' }],
  }));
  form.set('a', new Blob([jpeg]), 'a.jpg');
  const res = await fetch(`${url}/api/v1/referrals`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  if (res.status !== 201) throw new Error(`seeding a referral failed: ${res.status} ${await res.text()}`);
  return ReferralCreated.parse(await res.json());
}

/** `n` annotation.save mutations on one image: each a new annotation, so each applies. */
function annotationBatch(imageId: string, n: number): Mutation[] {
  return Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    type: 'annotation.save' as const,
    entityId: randomUUID(),
    payload: { imageId, shape: { kind: 'point', at: { x: 10 + i, y: 20 } }, label: 'bench' },
    clientTime: new Date().toISOString(),
  }));
}

interface Scenario {
  scenario: string;
  backend: string;
  requestsPerSec: number;
  itemsPerSec: number;
  p50ms: number;
  p99ms: number;
  errors: number;
  ratioToHealth: number;
}

async function load(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

async function measureBackend(backend: 'sqlite' | 'postgres', cluster: TestPostgres | undefined, seconds: number, connections: number, batch: number): Promise<Scenario[]> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `loupe-bench-${backend}-`));
  let databaseUrl: string | undefined;
  let dbName: string | undefined;
  if (cluster) {
    dbName = `loupe_bench_${Date.now()}`;
    const admin = new pg.Client({ connectionString: cluster.adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const u = new URL(cluster.adminUrl);
    u.pathname = `/${dbName}`;
    databaseUrl = u.toString();
  }
  await seedUsers(Config.parse({ dataDir, ...(databaseUrl ? { databaseUrl } : {}) }));
  const svc = await startBuiltService(dataDir, databaseUrl);
  try {
    const consultant = new ServiceClient(svc.url, fetch);
    const gp = new ServiceClient(svc.url, fetch);
    await consultant.signIn({ username: 'consultant', password: PASSWORD });
    await gp.signIn({ username: 'gp', password: PASSWORD });
    const referrals: ReferralCreated[] = [];
    for (let i = 0; i < 5; i++) referrals.push(await postReferral(svc.url, gp.currentToken() ?? '', i));
    const imageId = referrals[0]!.images[0]!.id;
    // A feed worth paging: 2,000 annotations (and their change entries).
    for (let i = 0; i < 20; i++) await consultant.mutate(annotationBatch(imageId, 100));
    const last = (await consultant.changes(undefined, 5000)).changes.at(-1)?.seq ?? 0;

    const auth = { authorization: `Bearer ${consultant.currentToken() ?? ''}` };
    const common = { connections, duration: seconds, headers: auth };
    const health = await load({ ...common, url: `${svc.url}/api/v1/health` });
    const page = 100;
    const feed = await load({
      ...common,
      url: `${svc.url}/api/v1/changes`,
      requests: [{ setupRequest: (req) => ({ ...req, path: `/api/v1/changes?after=${Math.floor(Math.random() * Math.max(1, last - page))}&limit=${page}` }) }],
    });
    const mutations = await load({
      ...common,
      url: `${svc.url}/api/v1/mutations`,
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ mutations: annotationBatch(imageId, batch) }) }) }],
    });
    // The load must have done real work: every mutation of a sample batch applied.
    const check = await consultant.mutate(annotationBatch(imageId, batch));
    if (!check.results.every((r) => r.status === 'applied')) throw new Error('mutations were not applied under the benchmark set-up');

    const row = (scenario: string, r: autocannon.Result, items: number): Scenario => ({
      scenario,
      backend,
      requestsPerSec: round(r.requests.average, 1),
      itemsPerSec: round(r.requests.average * items, 1),
      p50ms: r.latency.p50,
      p99ms: r.latency.p99,
      errors: r.errors + r.non2xx + r.timeouts,
      ratioToHealth: round(r.requests.average / health.requests.average, 3),
    });
    return [row('health (baseline)', health, 1), row(`changes page of ${page}`, feed, page), row(`mutation batch of ${batch}`, mutations, batch)];
  } finally {
    await svc.stop();
    await rm(dataDir, { recursive: true, force: true });
    if (cluster && dbName) {
      const admin = new pg.Client({ connectionString: cluster.adminUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    }
  }
}

/**
 * `npm run bench -- service`: change-feed pages and mutation batches per second, with p50/p99
 * latency, under concurrent clients (autocannon), on SQLite and on PostgreSQL. The baseline is
 * `GET /health` on the same service in the same run, so the ratios do not depend on how fast
 * or loaded the machine is.
 */
export async function run(args: readonly string[]): Promise<number> {
  if (!existsSync(MAIN)) {
    process.stderr.write('out/service/main.js is missing: run `npm run build` first\n');
    return 1;
  }
  const seconds = intOption(args, '--seconds', 8);
  const connections = intOption(args, '--connections', 16);
  const batch = intOption(args, '--batch', 10);
  const cluster = await startPostgres();
  const rows: Scenario[] = [];
  try {
    rows.push(...(await measureBackend('sqlite', undefined, seconds, connections, batch)));
    rows.push(...(await measureBackend('postgres', cluster, seconds, connections, batch)));
  } finally {
    await cluster.stop();
  }
  process.stdout.write(`\n${connections} concurrent connections, ${seconds} s per scenario\n\n`);
  process.stdout.write(
    `${table(rows, [
      { label: 'backend', value: (r) => r.backend },
      { label: 'scenario', value: (r) => r.scenario },
      { label: 'req/s', value: (r) => r.requestsPerSec },
      { label: 'items/s', value: (r) => r.itemsPerSec },
      { label: 'p50 ms', value: (r) => r.p50ms },
      { label: 'p99 ms', value: (r) => r.p99ms },
      { label: 'errors', value: (r) => r.errors },
      { label: '÷ health', value: (r) => r.ratioToHealth },
    ])}\n`,
  );
  const file = await writeResults('service', { settings: { seconds, connections, batch, feedPage: 100 }, results: rows });
  process.stdout.write(`\nwritten to ${file}\n`);
  return rows.some((r) => r.errors > 0) ? 1 : 0;
}
