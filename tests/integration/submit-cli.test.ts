import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReferralCreated, type ChangesPage } from '../../shared/contract';
import type { ServiceClient } from '../../shared/client/service-client';
import { PASSWORD, referralBody, startService, testJpeg, type RunningService } from './harness';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** What `npm run submit` runs: the project's tsx on the script. */
const TSX = path.join(root, 'node_modules', '.bin', 'tsx');

let svc: RunningService;
let consultant: ServiceClient;
let dir: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the submitter as a child process, the password on its standard input. */
function submit(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ['scripts/submit.ts', '--url', svc.url, ...args], {
      cwd: root,
      env: { ...process.env, LOUPE_PASSWORD: '', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}

async function file(name: string, content: string | Buffer): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, content);
  return p;
}

async function feedEnd(): Promise<string> {
  let cursor: string | undefined;
  for (;;) {
    const page: ChangesPage = await consultant.changes(cursor, 5000);
    cursor = page.cursor;
    if (!page.hasMore) return cursor;
  }
}

beforeAll(async () => {
  svc = await startService();
  consultant = await svc.signedIn('consultant');
  dir = await mkdtemp(path.join(tmpdir(), 'loupe-submit-'));
});

afterAll(async () => {
  await svc?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('scripts/submit.ts (GP-side submitter)', () => {
  it('submits a referral with its images through the API and prints the ids', async () => {
    const referral = await file('referral.json', JSON.stringify(referralBody(['close', 'dermo'])));
    const close = await file('close.jpg', await testJpeg(800, 600));
    const dermo = await file('dermo.jpg', await testJpeg(500, 500));
    // A bare file takes the first part no `part=file` names.
    const run = await submit(['--username', 'gp', '--password-stdin', '--referral', referral, '--image', `dermo=${dermo}`, '--image', close], { stdin: `${PASSWORD}\n` });
    expect(run.code, run.stderr).toBe(0);
    const created = ReferralCreated.parse(JSON.parse(run.stdout));
    expect(created.images.map((i) => [i.part, i.width, i.height]).sort()).toEqual([['close', 800, 600], ['dermo', 500, 500]]);

    const detail = await consultant.referral(created.id);
    expect(detail.referral).toMatchObject({ status: 'new', patient: { nhsNumber: '9990000018' } });
    expect(detail.images.map((i) => i.id).sort()).toEqual(created.images.map((i) => i.id).sort());
  });

  it('sends a follow-up (`followUpTo`) to a referral waiting for information', async () => {
    const first = await submit(['--username', 'gp', '--referral', await file('r2.json', JSON.stringify(referralBody(['a']))), '--image', await file('a.jpg', await testJpeg())], {
      env: { LOUPE_PASSWORD: PASSWORD },
    });
    expect(first.code, first.stderr).toBe(0);
    const { id } = ReferralCreated.parse(JSON.parse(first.stdout));
    const [asked] = (
      await consultant.mutate([
        { id: randomUUID(), type: 'referral.request-info', entityId: id, baseVersion: 1, payload: { kind: 'better-images', message: 'A dermoscopic image, please.' }, clientTime: new Date().toISOString() },
      ])
    ).results;
    expect(asked).toMatchObject({ status: 'applied' });

    const followUp = { followUpTo: id, response: 'Dermoscopic image attached.', images: [{ part: 'better', kind: 'dermoscopic', lesion: 'L1', bodySite: 'left lower leg', capturedAt: '2026-11-03T10:00:00Z' }] };
    const run = await submit(['--username', 'gp', '--password-stdin', '--referral', await file('follow-up.json', JSON.stringify(followUp)), '--image', await file('better.jpg', await testJpeg(700, 700))], {
      stdin: PASSWORD,
    });
    expect(run.code, run.stderr).toBe(0);
    const created = ReferralCreated.parse(JSON.parse(run.stdout));
    expect(created.id).toBe(id);
    const detail = await consultant.referral(id);
    expect(detail.referral.status).toBe('new');
    expect(detail.referral.followUps).toHaveLength(1);
    expect(detail.images).toHaveLength(2);
  });

  it('fails with the service\'s 422 naming the part when an image is not an image, and nothing is stored', async () => {
    const before = await feedEnd();
    const referral = await file('r3.json', JSON.stringify(referralBody(['good', 'fake'])));
    const run = await submit(
      ['--username', 'gp', '--password-stdin', '--referral', referral, '--image', `good=${await file('good.jpg', await testJpeg())}`, '--image', `fake=${await file('fake.jpg', 'this is a text file named fake.jpg')}`],
      { stdin: `${PASSWORD}\n` },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/referral refused: 422 image_not_decodable: .*"fake"/);
    expect((await consultant.changes(before)).changes).toEqual([]);
  });

  it('checks the referral locally first: a bad one is refused with every problem listed, before signing in', async () => {
    const before = await feedEnd();
    const signIns = async () => (await svc.ctx.repo.read((tx) => tx.auditPage(0, 100_000))).filter((e) => e.action.startsWith('session.')).length;
    const sessionEvents = await signIns();
    const bad = referralBody(['a'], { patient: { nhsNumber: '9990000019', name: { given: 'Ada', family: 'Example' }, birthDate: '1950-02-01', sex: 'female' }, pathway: 'soon' });
    const run = await submit(['--username', 'gp', '--password-stdin', '--referral', await file('bad.json', JSON.stringify(bad)), '--image', await file('b.jpg', await testJpeg())], {
      stdin: `${PASSWORD}\n`,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('modulus-11');
    expect(run.stderr).toContain('pathway');
    expect((await consultant.changes(before)).changes).toEqual([]);
    expect(await signIns(), 'no sign-in was attempted').toBe(sessionEvents);

    const missing = await submit(['--username', 'gp', '--referral', await file('r4.json', JSON.stringify(referralBody(['x', 'y']))), '--image', await file('x.jpg', await testJpeg())], {
      env: { LOUPE_PASSWORD: PASSWORD },
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('image part "y" has no file');
  });

  it('fails with the service\'s message on wrong credentials and never takes a password argument', async () => {
    const referral = await file('r5.json', JSON.stringify(referralBody(['a'])));
    const image = await file('a5.jpg', await testJpeg());
    const wrong = await submit(['--username', 'gp', '--referral', referral, '--image', image], { env: { LOUPE_PASSWORD: 'not-the-password' } });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('sign-in refused: 401 invalid_credentials');
    const inArgs = await submit(['--username', 'gp', '--password', PASSWORD, '--referral', referral, '--image', image]);
    expect(inArgs.code).toBe(2);
    expect(inArgs.stderr).toContain('LOUPE_PASSWORD');
  });
});
