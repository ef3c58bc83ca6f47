import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReferralCreated } from '../../shared/contract';
import type { ServiceClient } from '../../shared/client/service-client';
import { allChanges, postReferral, referralBody, startService, testJpeg, type RunningService } from './harness';

let svc: RunningService;
let referral: ReferralCreated;
const clients: Record<string, ServiceClient> = {};
const WHO = ['consultant', 'registrar', 'gp', 'admin'] as const;
type Who = (typeof WHO)[number] | 'nobody';

const tokenOf = (who: Who) => (who === 'nobody' ? undefined : (clients[who]!.currentToken() ?? undefined));

async function call(who: Who, method: string, p: string, body?: unknown): Promise<number> {
  const headers: Record<string, string> = {};
  const token = tokenOf(who);
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${svc.url}/api/v1${p}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  await res.arrayBuffer();
  return res.status;
}

async function storedFiles(): Promise<string[]> {
  const root = path.join(svc.dataDir, 'images');
  const list = async (sub: string) => (await readdir(path.join(root, sub), { recursive: true }).catch(() => [])).map((f) => `${sub}/${f}`);
  return [...(await list('pyramids')), ...(await list('originals'))].sort();
}

beforeAll(async () => {
  svc = await startService();
  for (const who of WHO) clients[who] = await svc.signedIn(who);
  const res = await postReferral(svc, tokenOf('gp')!, referralBody(['a']), { a: await testJpeg(640, 480) });
  expect(res.status).toBe(201);
  referral = ReferralCreated.parse(await res.json());
});

afterAll(async () => {
  await svc?.close();
});

describe('each role may do exactly what the contract says', () => {
  const image = () => referral.images[0]!.id;
  const cases: { what: string; allowed: readonly Who[]; run(who: Who): Promise<number> }[] = [
    { what: 'GET /health', allowed: ['consultant', 'registrar', 'gp', 'admin', 'nobody'], run: (w) => call(w, 'GET', '/health') },
    { what: 'GET /changes', allowed: ['consultant', 'registrar', 'gp', 'admin'], run: (w) => call(w, 'GET', '/changes?limit=1') },
    { what: 'GET /referrals/:id', allowed: ['consultant', 'registrar'], run: (w) => call(w, 'GET', `/referrals/${referral.id}`) },
    { what: 'GET image.dzi', allowed: ['consultant', 'registrar'], run: (w) => call(w, 'GET', `/images/${image()}/image.dzi`) },
    { what: 'GET a tile', allowed: ['consultant', 'registrar'], run: (w) => call(w, 'GET', `/images/${image()}/image_files/0/0_0.jpeg`) },
    { what: 'GET thumbnail.jpg', allowed: ['consultant', 'registrar'], run: (w) => call(w, 'GET', `/images/${image()}/thumbnail.jpg`) },
    {
      what: 'POST /mutations',
      allowed: ['consultant', 'registrar'],
      run: (w) => call(w, 'POST', '/mutations', { mutations: [{ id: randomUUID(), type: 'annotation.save', entityId: randomUUID(), payload: { imageId: image(), shape: { kind: 'point', at: { x: 1, y: 1 } } }, clientTime: new Date().toISOString() }] }),
    },
    {
      what: 'POST /referrals',
      allowed: ['gp', 'admin'],
      run: async (w) => {
        const token = tokenOf(w);
        if (!token) {
          const res = await fetch(`${svc.url}/api/v1/referrals`, { method: 'POST', body: new FormData() });
          return res.status;
        }
        const res = await postReferral(svc, token, referralBody(['a']), { a: await testJpeg(320, 240) });
        await res.arrayBuffer();
        return res.status === 201 ? 200 : res.status;
      },
    },
    { what: 'GET /audit', allowed: ['consultant', 'admin'], run: (w) => call(w, 'GET', `/audit?entityId=${referral.id}`) },
    { what: 'GET /audit/verify', allowed: ['admin'], run: (w) => call(w, 'GET', '/audit/verify') },
    { what: 'GET /metrics', allowed: ['consultant', 'admin'], run: (w) => call(w, 'GET', '/metrics?from=2026-01-01&to=2026-12-31') },
  ];

  it.each(cases)('$what', async ({ allowed, run }) => {
    for (const who of [...WHO, 'nobody'] as const) {
      const status = await run(who);
      const expected = allowed.includes(who) ? 200 : who === 'nobody' ? 401 : 403;
      expect(status, `${who}`).toBe(expected);
    }
  });

  it('shows referrers and admins only what they submitted, and clinicians everything', async () => {
    const adminRes = await postReferral(svc, tokenOf('admin')!, referralBody(['a']), { a: await testJpeg(330, 250) });
    const byAdmin = ReferralCreated.parse(await adminRes.json());
    const gp2 = await svc.signedIn('gp2');
    const ids = async (c: ServiceClient) => new Set((await allChanges(c)).filter((x) => x.type === 'referral').map((x) => x.id));
    const [consultant, gp, admin, other] = await Promise.all([ids(clients.consultant!), ids(clients.gp!), ids(clients.admin!), ids(gp2)]);
    expect(consultant.has(referral.id) && consultant.has(byAdmin.id)).toBe(true);
    expect(gp.has(referral.id)).toBe(true);
    expect(gp.has(byAdmin.id)).toBe(false);
    expect(admin.has(byAdmin.id)).toBe(true);
    expect(admin.has(referral.id)).toBe(false);
    expect(other.size).toBe(0);
  });
});

describe('bad images are refused with nothing stored, and the service keeps answering', () => {
  const cases: { what: string; bytes: () => Promise<Buffer | string>; status: number; code: string }[] = [
    { what: 'a truncated JPEG', bytes: async () => (await testJpeg(1200, 900)).subarray(0, 9000), status: 422, code: 'image_not_decodable' },
    { what: 'a zero-byte file', bytes: async () => Buffer.alloc(0), status: 422, code: 'image_not_decodable' },
    { what: 'a text file named .jpg', bytes: async () => 'Dear colleague, please see the attached photograph.', status: 422, code: 'image_not_decodable' },
    {
      what: 'a 16000×16000 PNG (256 MP in a few KB)',
      bytes: () => sharp({ create: { width: 16000, height: 16000, channels: 3, background: '#ffffff' } }).png({ compressionLevel: 9 }).toBuffer(),
      status: 413,
      code: 'image_too_many_pixels',
    },
  ];

  it.each(cases)('$what', async ({ bytes, status, code }) => {
    const changes = (await allChanges(clients.consultant!)).length;
    const files = await storedFiles();
    // With a good image beside it: the good one must not be stored either.
    const res = await postReferral(svc, tokenOf('gp')!, referralBody(['good', 'bad']), { good: await testJpeg(500, 400), bad: await bytes() });
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: { code, part: 'bad' } });
    expect((await allChanges(clients.consultant!)).length).toBe(changes);
    expect(await storedFiles()).toEqual(files);
    expect((await clients.consultant!.health()).status).toBe('ok');
    // And it still ingests a good referral straight after.
    const ok = await postReferral(svc, tokenOf('gp')!, referralBody(['a']), { a: await testJpeg(300, 200) });
    expect(ok.status).toBe(201);
  });
});
