/**
 * A referral service of a test's own: the built program (`out/service/main.js`, so run
 * `npm run build` first), on a free port and a fresh data folder, as a real child process a
 * test can stop, restart on the same data, or use beside the suite's shared webServer.
 * Plus the few API calls the offline-first tests need, parsed with the contract's schemas.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { ChangesPage, ReferralCreated, SessionResponse, type Change, type Role } from '../../../shared/contract';
import { syntheticNhsNumber } from '../../../shared/domain/nhs-number';
import { LISTENING_PREFIX } from '../../../service/listening';

export const DEMO_PASSWORD = 'loupe-demo';
const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const SERVICE_MAIN = path.join(REPO_ROOT, 'out/service/main.js');

export interface ServiceInstance {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  dataDir: string;
  /** SIGTERM (the service closes cleanly), SIGKILL after 10 s; removes a data folder it made. */
  stop(): Promise<void>;
}

export interface ServiceOptions {
  /** Seed the demo users and 44 referrals (30-60 s). */
  demo: boolean;
  /** 0 or unset: any free port (the service announces the one it got). */
  port?: number;
  /** Reuse a folder (a restart on the same data); the caller then owns it. */
  dataDir?: string;
}

/** The service's own variables would leak the shell's settings (a PostgreSQL URL, a port). */
function hermeticEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LOUPE_') && k !== 'DATABASE_URL'));
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));

export async function startServiceInstance(opts: ServiceOptions): Promise<ServiceInstance> {
  const ownsData = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'loupe-e2e-svc-'));
  const args = [SERVICE_MAIN, '--port', String(opts.port ?? 0), '--data', dataDir, ...(opts.demo ? ['--demo'] : [])];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: hermeticEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString('utf8')).slice(-4000); // the tail, for a failure message
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(timer);
    }
    if (ownsData) rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const url = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(() => reject(new Error(`service did not announce its URL in 180 s:\n${stderr}`)), 180_000);
      child.stdout!.on('data', (b: Buffer) => {
        stdout += b.toString('utf8');
        const line = stdout.split('\n').find((l) => l.startsWith(LISTENING_PREFIX));
        if (line) {
          clearTimeout(timer);
          resolve(line.slice(LISTENING_PREFIX.length).trim());
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`service exited (${code ?? signal}) before listening:\n${stderr}`));
      });
    });
    await waitForHealth(url);
    return { url, dataDir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitForHealth(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`${url}/api/v1/health`)).ok) return;
    } catch {
      // not accepting yet
    }
    if (Date.now() > deadline) throw new Error(`${url}/api/v1/health did not answer 200 in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Adds a user through the service's own CLI (works beside a running instance): a non-demo
 * instance starts with none. Passwords need at least 12 characters.
 */
export async function addUser(instance: Pick<ServiceInstance, 'dataDir'>, user: { username: string; name: string; role: Role; password: string }): Promise<void> {
  const child = spawn(process.execPath, [SERVICE_MAIN, 'users', 'add', user.username, '--name', user.name, '--role', user.role, '--password-stdin', '--data', instance.dataDir], {
    cwd: REPO_ROOT,
    env: hermeticEnv(),
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  child.stdin!.end(`${user.password}\n`);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`users add ${user.username} failed (${code}): ${stderr}`);
}

async function expectOk(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  return res;
}

export async function apiSignIn(url: string, username: string, password = DEMO_PASSWORD): Promise<string> {
  const res = await fetch(`${url}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return SessionResponse.parse(await (await expectOk(res, `sign-in as ${username}`)).json()).token;
}

/** The whole change feed the token may see, every page. */
export async function allChanges(url: string, token: string): Promise<Change[]> {
  const changes: Change[] = [];
  let after: string | undefined;
  for (;;) {
    const query = `limit=1000${after ? `&after=${encodeURIComponent(after)}` : ''}`;
    const res = await fetch(`${url}/api/v1/changes?${query}`, { headers: { authorization: `Bearer ${token}` } });
    const page = ChangesPage.parse(await (await expectOk(res, 'changes')).json());
    changes.push(...page.changes);
    if (!page.hasMore) return changes;
    after = page.cursor;
  }
}

let jpeg: Promise<Buffer> | undefined;
/** One small photograph-like JPEG (skin tone and a lesion), made once: ingest is per referral. */
export function smallJpeg(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="360">
    <rect width="100%" height="100%" fill="#d9a987"/><ellipse cx="240" cy="180" rx="60" ry="50" fill="#5a3a26"/></svg>`;
  return (jpeg ??= sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer());
}

export interface SubmittedReferral {
  id: string;
  nhsNumber: string;
  given: string;
  family: string;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
/** Letters only (names refuse nothing, but digits would blur a plaintext search). */
function tag(n: number): string {
  let s = '';
  for (let k = n; s.length < 4; k = Math.floor(k / 26)) s = LETTERS[k % 26]! + s;
  return s;
}

/**
 * Posts one referral whose only image is the JPEG given, as part `img1` (the referral's
 * `images` must name that part), and answers its id.
 */
export async function postOneImageReferral(url: string, gpToken: string, referral: object, jpeg: Uint8Array, what: string): Promise<string> {
  const form = new FormData();
  form.set('referral', JSON.stringify(referral));
  form.set('img1', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'img1.jpg');
  const res = await fetch(`${url}/api/v1/referrals`, { method: 'POST', headers: { authorization: `Bearer ${gpToken}` }, body: form });
  return ReferralCreated.parse(await (await expectOk(res, what)).json()).id;
}

/**
 * Posts `n` new one-image referrals as the GP whose token is given, two at a time (each builds
 * a pyramid), and answers what it made. Patients get distinctive synthetic names and NHS
 * numbers (999 range), unique per call, so a test can look for them.
 */
export async function submitReferrals(url: string, gpToken: string, n: number): Promise<SubmittedReferral[]> {
  const image = await smallJpeg();
  const base = Math.floor(Math.random() * 400_000) + 500_000; // clear of the demo's numbers
  const made: SubmittedReferral[] = [];
  const one = async (i: number): Promise<SubmittedReferral> => {
    const patient = { given: 'Testy', family: `Quill${tag(base + i)}`, nhsNumber: syntheticNhsNumber(base + i * 7) };
    const referral = {
      patient: { nhsNumber: patient.nhsNumber, name: { given: patient.given, family: patient.family }, birthDate: '1961-04-12', sex: 'female' },
      pathway: 'advice',
      referrer: { name: 'Dr E2E Referrer', practiceCode: 'A12345' },
      question: 'Scaly patch on the forearm for 6 weeks. Actinic keratosis?',
      history: { duration: '6 weeks', changed: false, bleeding: false, itch: true },
      images: [{ part: 'img1', kind: 'close-up', lesion: 'L1', bodySite: 'left forearm', capturedAt: '2026-11-01T10:00:00Z' }],
    };
    const id = await postOneImageReferral(url, gpToken, referral, image, `referral ${i + 1} of ${n}`);
    return { id, ...patient };
  };
  for (let i = 0; i < n; i += 2) {
    const batch = [i, i + 1].filter((k) => k < n);
    made.push(...(await Promise.all(batch.map(one))));
  }
  return made;
}
