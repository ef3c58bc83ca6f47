import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReferralCreated, ReferralDetail, type Mutation } from '../../shared/contract';
import { ServiceError, type ServiceClient } from '../../shared/client/service-client';
import { dziMaxLevel } from '../../shared/dzi';
import { allChanges, PASSWORD, postReferral, referralBody, startService, TEST_BACKEND, testJpeg, type RunningService } from './harness';

let svc: RunningService;
let gp: ServiceClient;
let consultant: ServiceClient;
let registrar: ServiceClient;
let referral: ReferralCreated;

const tokenOf = (c: ServiceClient) => c.currentToken() ?? '';
const api = (path: string) => `${svc.url}/api/v1${path}`;

function outcomeMutation(referralId: string, overrides: Partial<Mutation> = {}): Mutation {
  return {
    id: randomUUID(),
    type: 'outcome.submit',
    entityId: randomUUID(),
    payload: {
      referralId,
      decision: 'discharge',
      diagnosis: { text: 'Seborrhoeic keratosis', code: '1234567' },
      adviceToGp: 'Benign. Safety-netting advice given.',
      safetyNetting: 'Re-refer if it grows, bleeds or changes colour.',
    },
    clientTime: new Date().toISOString(),
    ...overrides,
  };
}

beforeAll(async () => {
  svc = await startService();
  [gp, consultant, registrar] = await Promise.all([svc.signedIn('gp'), svc.signedIn('consultant'), svc.signedIn('registrar')]);
  const res = await postReferral(svc, tokenOf(gp), referralBody(['close', 'dermo']), { close: await testJpeg(1600, 1200), dermo: await testJpeg(700, 700) });
  expect(res.status).toBe(201);
  referral = ReferralCreated.parse(await res.json());
});

afterAll(async () => {
  await svc?.close();
});

describe('health and sessions', () => {
  it('reports health without a token', async () => {
    expect(await svc.client().health()).toEqual({ status: 'ok', version: expect.any(String), database: TEST_BACKEND });
  });

  it('refuses wrong credentials with 401 and the error body', async () => {
    const res = await fetch(api('/sessions'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'gp', password: 'nope' }) });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_credentials' } });
  });

  it('needs a bearer token everywhere else', async () => {
    for (const path of ['/changes', `/referrals/${referral.id}`, `/images/${referral.images[0]!.id}/image.dzi`]) {
      const res = await fetch(api(path));
      expect(res.status, path).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } });
    }
  });

  it('revokes the token on sign-out', async () => {
    const c = await svc.signedIn('consultant');
    const token = tokenOf(c);
    await c.signOut();
    const res = await fetch(api('/changes'), { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
  });
});

describe('referral ingest and images', () => {
  it('builds a Deep Zoom pyramid per image and serves descriptor and tiles to clinicians', async () => {
    const image = referral.images.find((i) => i.part === 'close')!;
    expect([image.width, image.height]).toEqual([1600, 1200]);
    const dzi = await consultant.imageDescriptor(image.id);
    expect(dzi).toMatchObject({ width: 1600, height: 1200, format: 'jpeg' });

    const deepest = dziMaxLevel(dzi.width, dzi.height);
    for (const [level, col, row] of [[0, 0, 0], [deepest, 0, 0], [deepest, 6, 4]] as const) {
      const res = await fetch(consultant.tileUrl(image.id, level, col, row, 'jpeg'), { headers: consultant.authHeader });
      expect(res.status, `tile ${level}/${col}_${row}`).toBe(200);
      expect(res.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
      const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
      expect(meta.format).toBe('jpeg');
      expect(meta.width).toBeLessThanOrEqual(dzi.tileSize + 2 * dzi.overlap);
    }
  });

  it('answers 304 to a tile revalidation with its strong ETag', async () => {
    const url = consultant.tileUrl(referral.images[0]!.id, 0, 0, 0, 'jpeg');
    const first = await fetch(url, { headers: consultant.authHeader });
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[^W]/);
    const again = await fetch(url, { headers: { ...consultant.authHeader, 'if-none-match': etag! } });
    expect(again.status).toBe(304);
  });

  it('strips GPS EXIF: nothing served carries the uploaded location', async () => {
    const withGps = await testJpeg(800, 600, { IFD0: { Make: 'PhoneCo' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } });
    expect((await sharp(withGps).metadata()).exif).toBeDefined();
    const res = await postReferral(svc, tokenOf(gp), referralBody(['gps']), { gps: withGps });
    const created = ReferralCreated.parse(await res.json());
    const id = created.images[0]!.id;
    for (const url of [consultant.tileUrl(id, 0, 0, 0, 'jpeg'), consultant.tileUrl(id, 10, 1, 1, 'jpeg'), consultant.thumbnailUrl(id)]) {
      const bytes = Buffer.from(await (await fetch(url, { headers: consultant.authHeader })).arrayBuffer());
      const meta = await sharp(bytes).metadata();
      expect(meta.exif, url).toBeUndefined();
      expect(bytes.includes(Buffer.from('PhoneCo'))).toBe(false);
    }
  });

  it('rejects a referral whose image is not an image, naming it, and stores nothing', async () => {
    const before = (await allChanges(consultant, 3)).length;
    const res = await postReferral(svc, tokenOf(gp), referralBody(['good', 'fake']), { good: await testJpeg(), fake: 'this is a text file named fake.jpg' });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; message: string; part: string } };
    expect(body.error).toMatchObject({ code: 'image_not_decodable', part: 'fake' });
    expect((await allChanges(consultant, 3)).length).toBe(before);
  });

  it('rejects a truncated JPEG', async () => {
    const whole = await testJpeg(1200, 900);
    const res = await postReferral(svc, tokenOf(gp), referralBody(['cut']), { cut: whole.subarray(0, Math.floor(whole.length / 2)) });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: { code: 'image_not_decodable', part: 'cut' } });
  });

  it('rejects images above the pixel limit before decoding them', async () => {
    // 16000×16000 PNG of one colour: a few KB on the wire, 256 MP if decoded.
    const bomb = await sharp({ create: { width: 16000, height: 16000, channels: 3, background: '#ffffff' } }).png({ compressionLevel: 9 }).toBuffer();
    expect(bomb.length).toBeLessThan(2_000_000);
    const res = await postReferral(svc, tokenOf(gp), referralBody(['bomb']), { bomb });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'image_too_many_pixels', part: 'bomb' } });
    expect((await svc.client().health()).status).toBe('ok');
  });

  it('refuses a referral from a clinician (403) and a JSON body (415)', async () => {
    const asClinician = await postReferral(svc, tokenOf(consultant), referralBody(['a']), { a: await testJpeg() });
    expect(asClinician.status).toBe(403);
    const asJson = await fetch(api('/referrals'), { method: 'POST', headers: { authorization: `Bearer ${tokenOf(gp)}`, 'content-type': 'application/json' }, body: '{}' });
    expect(asJson.status).toBe(415);
  });

  it('gives clinicians the referral with images and audits the view', async () => {
    const res = await fetch(api(`/referrals/${referral.id}`), { headers: consultant.authHeader });
    const detail = ReferralDetail.parse(await res.json());
    expect(detail.images.map((i) => i.id).sort()).toEqual(referral.images.map((i) => i.id).sort());
    expect(detail.referral.status).toBe('new');
    const audit = await svc.ctx.repo.read((tx) => tx.auditForEntity(referral.id));
    expect(audit.map((a) => a.action)).toContain('referral.view');
  });
});

describe('mutations and the change feed', () => {
  it('applies a consultant outcome once, replays as duplicate, and the feed carries it', async () => {
    const m = outcomeMutation(referral.id);
    const [first] = (await consultant.mutate([m])).results;
    expect(first).toEqual({ id: m.id, status: 'applied', entityVersion: 1 });
    const [again] = (await consultant.mutate([m])).results;
    expect(again).toEqual({ id: m.id, status: 'duplicate', entityVersion: 1 });

    const changes = await allChanges(consultant, 3);
    const outcomes = changes.filter((c) => c.type === 'outcome' && c.id === m.entityId);
    expect(outcomes).toHaveLength(1);
    const ref = changes.filter((c) => c.type === 'referral' && c.id === referral.id).at(-1);
    expect(ref?.type === 'referral' && ref.data?.status).toBe('done');
    const seqs = changes.map((c) => c.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('refuses a second outcome on a decided referral', async () => {
    const [r] = (await consultant.mutate([outcomeMutation(referral.id)])).results;
    expect(r).toMatchObject({ status: 'rejected', error: { code: 'referral_closed' } });
  });

  it('reports a stale baseVersion as a conflict with the current version', async () => {
    const res = await postReferral(svc, tokenOf(gp), referralBody(['x']), { x: await testJpeg() });
    const { id } = ReferralCreated.parse(await res.json());
    const draft = outcomeMutation(id, { type: 'outcome.save-draft' });
    expect((await registrar.mutate([draft])).results[0]).toMatchObject({ status: 'applied', entityVersion: 1 });
    const update = outcomeMutation(id, { type: 'outcome.save-draft', entityId: draft.entityId, baseVersion: 1 });
    expect((await registrar.mutate([update])).results[0]).toMatchObject({ status: 'applied', entityVersion: 2 });
    const stale = outcomeMutation(id, { type: 'outcome.save-draft', entityId: draft.entityId, baseVersion: 1 });
    expect((await registrar.mutate([stale])).results[0]).toMatchObject({ status: 'conflict', error: { currentVersion: 2 } });

    // A registrar's submit waits for a consultant's sign-off.
    const submit = outcomeMutation(id, { entityId: draft.entityId, baseVersion: 2 });
    expect((await registrar.mutate([submit])).results[0]).toMatchObject({ status: 'applied', entityVersion: 3 });
    const detail = ReferralDetail.parse(await (await fetch(api(`/referrals/${id}`), { headers: consultant.authHeader })).json());
    expect(detail.referral.status).toBe('awaiting-signoff');
    expect(detail.outcomes[0]).toMatchObject({ status: 'awaiting-signoff', author: { role: 'registrar' } });
  });

  it('lets exactly one of two concurrent claims win', async () => {
    const res = await postReferral(svc, tokenOf(gp), referralBody(['y']), { y: await testJpeg() });
    const { id } = ReferralCreated.parse(await res.json());
    const claim = (): Mutation => ({ id: randomUUID(), type: 'referral.claim', entityId: id, baseVersion: 1, payload: {}, clientTime: new Date().toISOString() });
    const [a, b] = await Promise.all([consultant.mutate([claim()]), registrar.mutate([claim()])]);
    const statuses = [a.results[0]!.status, b.results[0]!.status].sort();
    expect(statuses).toEqual(['applied', 'conflict']);
  });

  it('keeps each mutation of a batch independent', async () => {
    const bad = outcomeMutation(randomUUID());
    const good = outcomeMutation(referral.id, { type: 'referral.claim', entityId: referral.id, baseVersion: 999, payload: {} });
    const { results } = await consultant.mutate([bad, good]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'conflict']);
    expect(results[0]!.error?.code).toBe('unknown_referral');
  });

  it('refuses mutations from referrers and admins (403)', async () => {
    for (const c of [gp, await svc.signedIn('admin')]) {
      await expect(c.mutate([outcomeMutation(referral.id)])).rejects.toMatchObject({ status: 403, code: 'forbidden' });
    }
  });

  it("shows a referrer only their own referrals and the final outcomes on them", async () => {
    const gp2 = await svc.signedIn('gp2');
    const res = await postReferral(svc, tokenOf(gp2), referralBody(['z'], { patient: { nhsNumber: '9990000026', name: { given: 'Bo', family: 'Other' }, birthDate: '1960-03-04', sex: 'male' } }), { z: await testJpeg() });
    const theirs = ReferralCreated.parse(await res.json());
    const seenByGp = await allChanges(gp, 3);
    const seenByGp2 = await allChanges(gp2, 3);
    expect(seenByGp.some((c) => c.id === theirs.id)).toBe(false);
    expect(seenByGp2.filter((c) => c.type === 'referral').map((c) => c.id)).toEqual([theirs.id]);
    // gp sees the final outcome on their referral, never the registrar's awaiting-signoff draft
    const gpOutcomes = seenByGp.filter((c) => c.type === 'outcome');
    expect(gpOutcomes.length).toBeGreaterThan(0);
    for (const c of gpOutcomes) expect(c.type === 'outcome' && c.data?.status).toBe('final');
  });
});

describe('bad input', () => {
  const post = (path: string, body: string, type = 'application/json', token = tokenOf(consultant)) =>
    fetch(api(path), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });

  it.each([
    ['malformed JSON', '{"mutations": [', 400, 'malformed_json'],
    ['wrong types', '{"mutations": "all"}', 400, 'invalid_request'],
    ['empty batch', '{"mutations": []}', 400, 'invalid_request'],
    ['unknown envelope field', JSON.stringify({ mutations: [{ ...outcomeMutation(randomUUID()), extra: 1 }] }), 400, 'invalid_request'],
  ])('answers %s with %i %s', async (_name, body, status, code) => {
    const res = await post('/mutations', body);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: { code } });
  });

  it('answers a wrong media type with 415', async () => {
    const res = await post('/mutations', 'mutations=1', 'application/x-www-form-urlencoded');
    expect(res.status).toBe(415);
  });

  it('answers an oversized body with 413', async () => {
    const res = await post('/mutations', JSON.stringify({ mutations: [], pad: 'x'.repeat(9 * 1024 * 1024) }));
    expect(res.status).toBe(413);
  });

  it.each([
    '/images/..%2F..%2Floupe.sqlite/image.dzi',
    '/images/not-a-uuid/image.dzi',
    `/images/${randomUUID()}/image_files/0/..%2F..%2Fthumbnail.jpg`,
    `/images/${randomUUID()}/image_files/0/0_0.jpeg`,
  ])('answers path tricks with 404: %s', async (path) => {
    const res = await fetch(api(path), { headers: consultant.authHeader });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('rejects a cursor it never issued and an out-of-range limit', async () => {
    await expect(consultant.changes('abc')).rejects.toBeInstanceOf(ServiceError);
    const res = await fetch(api('/changes?limit=999999'), { headers: consultant.authHeader });
    expect(res.status).toBe(400);
  });

  it('keeps the same password working after all of the above', async () => {
    const c = svc.client();
    await expect(c.signIn({ username: 'consultant', password: PASSWORD })).resolves.toMatchObject({ user: { role: 'consultant' } });
  });
});
