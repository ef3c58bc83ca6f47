import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

/**
 * A throwaway PostgreSQL cluster for the tests, from Debian's binaries, in a temporary folder:
 * initdb, start on a free loopback port, stop and remove. Nothing of the system's own cluster
 * (service, config, data) is touched.
 */
export interface TestPostgres {
  /** Superuser URL of the `postgres` database, for creating and dropping test databases. */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

const SUPERUSER = 'loupe';
const run = promisify(execFile);

const MISSING = 'PostgreSQL server binaries (initdb, postgres) were not found in /usr/lib/postgresql/<version>/bin '
  + 'or by `pg_config --bindir`. The integration-postgres tests need them: install Debian\'s `postgresql` package '
  + '(`apt-get install postgresql`; the tests start their own cluster, the system service need not run).';

/** Debian installs each major version under /usr/lib/postgresql/<N>/bin; take the newest. */
export function findPostgresBinDir(): string {
  const has = (dir: string) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'postgres'));
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v)).sort((a, b) => Number(b) - Number(a))
    : [];
  for (const v of versions) if (has(path.join(root, v, 'bin'))) return path.join(root, v, 'bin');
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (has(dir)) return dir;
  } catch {
    // no pg_config on the PATH
  }
  throw new Error(MISSING);
}

/**
 * PostgreSQL refuses to run as root. As root (this machine and possibly CI), the cluster
 * belongs to the `postgres` system user that Debian's package creates, and its programs run
 * through `runuser`.
 */
function asPostgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error(`running as root, and there is no \`postgres\` system user to run PostgreSQL as. ${MISSING}`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function command(owner: { uid: number } | undefined, program: string, args: string[]): [string, string[]] {
  return owner ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, args];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startPostgres(): Promise<TestPostgres> {
  const bin = findPostgresBinDir();
  const owner = asPostgresUser();
  const dir = await mkdtemp(path.join(tmpdir(), 'loupe-pg-'));
  const data = path.join(dir, 'data');
  if (owner) await chown(dir, owner.uid, owner.gid);
  try {
    // Trust authentication on a loopback-only throwaway cluster; C locale for speed.
    const [initdb, initArgs] = command(owner, path.join(bin, 'initdb'), ['-D', data, '-U', SUPERUSER, '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    await run(initdb, initArgs, { cwd: dir }).catch((err: { stderr?: string; message: string }) => {
      throw new Error(`initdb failed: ${err.stderr || err.message}`);
    });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  // A free port can be taken between our probe and postgres binding it; try a few.
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const [postgres, args] = command(owner, path.join(bin, 'postgres'), [
      '-D', data, '-k', dir, '-h', '127.0.0.1', '-p', String(port),
      // Test-only speed settings: a crash may lose or corrupt this throwaway cluster, which is
      // fine here and never acceptable for a real database.
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
      // Two test workers, each running services with their own pools.
      '-c', 'max_connections=300',
    ]);
    const child = spawn(postgres, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const keep = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const adminUrl = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
    try {
      await waitUntilReady(adminUrl, child, () => log);
    } catch (err) {
      lastError = err as Error;
      child.kill('SIGKILL');
      await exited;
      continue;
    }
    return cluster(adminUrl, port, dir, data, child, exited);
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError ?? new Error('PostgreSQL did not start');
}

async function waitUntilReady(adminUrl: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`PostgreSQL exited while starting:\n${log()}`);
    const client = new pg.Client({ connectionString: adminUrl });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections within 30 s:\n${log()}`);
      await sleep(100);
    }
  }
}

function cluster(adminUrl: string, port: number, dir: string, data: string, child: ChildProcess, exited: Promise<void>): TestPostgres {
  // The postmaster's own pid (when run through runuser, `child` is runuser): signal it
  // directly, so the shutdown mode is the one we ask for.
  const postmasterPid = (): number | undefined => {
    try {
      return Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]) || undefined;
    } catch {
      return undefined;
    }
  };
  // If the test process dies without stopping it, do not leave a server behind.
  const onExit = () => {
    const pid = postmasterPid();
    if (pid) {
      try {
        process.kill(pid, 'SIGQUIT'); // immediate shutdown
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  let stopped: Promise<void> | undefined;
  return {
    adminUrl,
    port,
    stop() {
      stopped ??= (async () => {
        process.off('exit', onExit);
        const pid = postmasterPid();
        // SIGINT = fast shutdown: roll back open transactions, disconnect clients, stop.
        if (pid) process.kill(pid, 'SIGINT');
        else child.kill('SIGINT');
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), 30_000);
        });
        const outcome = await Promise.race([exited.then(() => 'done' as const), timeout]);
        clearTimeout(timer);
        if (outcome === 'timeout') {
          child.kill('SIGKILL');
          if (pid) process.kill(pid, 'SIGKILL');
          await exited;
        }
        await rm(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
