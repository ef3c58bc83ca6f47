import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditList, AuditVerification, SessionResponse } from '../../shared/contract';
import { createTestDatabase, startService, TEST_BACKEND, type RunningService, type TestDatabase } from './harness';

/*
 * `users …` as an operator runs it: the BUILT service (out/service/main.js) as a real process,
 * the password on standard input, against the same storage a service then opens (a data folder
 * on SQLite, DATABASE_URL on PostgreSQL).
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(ROOT, 'out/service/main.js');
const PASSWORD = 'alice-password-1';
const NEW_PASSWORD = 'alice-password-2-reset';

let dataDir: string;
let db: TestDatabase | undefined;
let svc: RunningService | undefined;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node out/service/main.js users <args>` against this suite's storage. */
function users(args: readonly string[], stdin = ''): Promise<Run> {
  const storage = db ? [] : ['--data', dataDir];
  const env = { ...process.env };
  delete env.LOUPE_DATA_DIR;
  delete env.DATABASE_URL;
  if (db) env.DATABASE_URL = db.url;
  const child = spawn(process.execPath, [MAIN, 'users', ...args, ...storage], {
    cwd: ROOT,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.stdin.end(stdin);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const api = (path: string) => `${svc!.url}/api/v1${path}`;

function signIn(username: string, password: string): Promise<Response> {
  return fetch(api('/sessions'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
}

async function statusWith(token: string): Promise<number> {
  const res = await fetch(api('/changes?limit=1'), { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  if (!existsSync(MAIN)) {
    throw new Error(`${path.relative(ROOT, MAIN)} is missing: these tests run the built service. Run \`npm run build\` (or \`npx vite build -c vite.service.config.ts\`) first.`);
  }
  dataDir = await mkdtemp(path.join(tmpdir(), 'loupe-users-cli-'));
  if (TEST_BACKEND === 'postgres') db = await createTestDatabase();
});

afterAll(async () => {
  await svc?.close();
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('users command, run as a process', () => {
  it('adds a user with the password from standard input', async () => {
    const run = await users(['add', 'alice', '--name', 'Dr A B', '--role', 'consultant', '--password-stdin'], `${PASSWORD}\n`);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/added consultant "alice"/);
  });

  it('refuses a username that exists (exit 1) and a short password (exit 1), changing nothing', async () => {
    const dup = await users(['add', 'alice', '--name', 'Someone Else', '--role', 'admin', '--password-stdin'], 'another-password-1\n');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/"alice" already exists/);
    const short = await users(['add', 'bob', '--name', 'Bob', '--role', 'admin', '--password-stdin'], 'too-short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/at least 12 characters/);
  });

  it('lists users in an aligned table without hashes', async () => {
    const run = await users(['list']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^username\s+name\s+role\s+status\s+created \(UTC\)$/);
    expect(lines[1]).toMatch(/^alice\s+Dr A B\s+consultant\s+active\s+\d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(lines[1]!.indexOf('consultant')).toBe(lines[0]!.indexOf('role'));
    expect(run.stdout).not.toMatch(/scrypt|bob/);
  });

  it('answers an unknown subcommand, or a password on the command line, with the usage and exit 2', async () => {
    const unknown = await users(['promote', 'alice']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown subcommand "promote"[\s\S]*usage: loupe-service users add/);
    const inline = await users(['reset-password', 'alice', '--password', 'in-shell-history-1']);
    expect(inline.code).toBe(2);
    expect(inline.stderr).toMatch(/never taken on the command line/);
    const noTerminal = await users(['reset-password', 'alice']);
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stderr).toMatch(/--password-stdin/);
  });

  it('makes users a running service signs in; disable ends their sessions at once, enable and reset-password work', async () => {
    svc = await startService({ dataDir, ...(db ? { databaseUrl: db.url } : {}) });
    const first = await signIn('alice', PASSWORD);
    expect(first.status).toBe(201);
    const session = SessionResponse.parse(await first.json());
    expect(session.user).toMatchObject({ name: 'Dr A B', role: 'consultant' });
    expect(await statusWith(session.token)).toBe(200);

    const disable = await users(['disable', 'alice']);
    expect(disable).toMatchObject({ code: 0, stderr: '' });
    expect(disable.stdout).toMatch(/ended 1 session\b/);
    expect(await statusWith(session.token)).toBe(401);
    expect((await signIn('alice', PASSWORD)).status).toBe(401);

    expect((await users(['enable', 'alice'])).code).toBe(0);
    const again = await signIn('alice', PASSWORD);
    expect(again.status).toBe(201);
    const second = SessionResponse.parse(await again.json());

    const reset = await users(['reset-password', 'alice', '--password-stdin'], `${NEW_PASSWORD}\n`);
    expect(reset.code).toBe(0);
    expect(await statusWith(second.token)).toBe(401);
    expect((await signIn('alice', PASSWORD)).status).toBe(401);
    expect((await signIn('alice', NEW_PASSWORD)).status).toBe(201);

    expect((await users(['disable', 'nobody'])).code).toBe(1);
  });

  it('audits every change with no actor, and the chain stays intact across both processes', async () => {
    const admin = await svc!.signedIn('admin');
    const alice = await svc!.ctx.repo.read((tx) => tx.findUserByUsername('alice'));
    const res = await fetch(api(`/audit?entityId=${alice!.id}`), { headers: admin.authHeader });
    const { events } = AuditList.parse(await res.json());
    expect(events.map((e) => [e.action, e.actorId, e.detail.via])).toEqual([
      ['user.add', null, 'cli'],
      ['user.disable', null, 'cli'],
      ['user.enable', null, 'cli'],
      ['user.reset-password', null, 'cli'],
    ]);
    expect(events[0]!.detail).toMatchObject({ role: 'consultant' });
    expect(events[1]!.detail).toMatchObject({ sessionsRevoked: 1 });
    expect(JSON.stringify(events)).not.toMatch(/alice-password|scrypt/);

    const verify = AuditVerification.parse(await (await fetch(api('/audit/verify'), { headers: admin.authHeader })).json());
    expect(verify).toMatchObject({ ok: true });
  });
});
