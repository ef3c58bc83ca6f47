import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Role } from '../../shared/contract';
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

/** A real service on an ephemeral loopback port with a temporary SQLite file and image store. */
export async function startService(overrides: Partial<Config> = {}): Promise<RunningService> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'loupe-it-'));
  const config = Config.parse({ port: 0, dataDir, ...overrides });
  const ctx = await openService(config);
  const users = await Promise.all(TEST_USERS.map((u) => newUser(u.username, u.name, u.role, PASSWORD)));
  await ctx.repo.transaction(async (tx) => {
    for (const u of users) await tx.insertUser(u);
  });
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
    async exec(sql) {
      if (!(ctx.repo instanceof SqliteRepository)) throw new Error(`exec is not implemented for the ${ctx.repo.kind} backend`);
      ctx.repo.db.exec(sql);
    },
    async signedIn(username) {
      const c = client();
      await c.signIn({ username, password: PASSWORD });
      return c;
    },
    async close() {
      await app.close();
      await ctx.repo.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
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
