import { readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReferralCreated } from '../../shared/contract';
import type { ServiceClient } from '../../shared/client/service-client';
import { dziMaxLevel } from '../../shared/dzi';
import { PyramidPool } from '../../service/images/pyramid-pool';
import { allChanges, postReferral, referralBody, startService, testJpeg, type RunningService } from './harness';

// Two workers, so concurrent referrals really do build pyramids side by side in two processes.
let svc: RunningService;
let gp: ServiceClient;
let consultant: ServiceClient;
/** ~50 MP, the size the issue names: 8660×5780. */
let huge: Buffer;

const token = (c: ServiceClient) => c.currentToken() ?? '';

beforeAll(async () => {
  svc = await startService({ ingestWorkers: 2 });
  [gp, consultant] = await Promise.all([svc.signedIn('gp'), svc.signedIn('consultant')]);
  // Smooth noise scaled up: photograph-like work for the decoder, a few MB to upload.
  const noise = await sharp({ create: { width: 866, height: 578, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 50 } } }).png().toBuffer();
  huge = await sharp(noise).resize(8660, 5780).jpeg({ quality: 85 }).toBuffer();
});

afterAll(async () => {
  await svc?.close();
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

/** A solid colour image: its size and colour identify it in every tile. */
function colourJpeg(width: number, height: number, rgb: readonly [number, number, number]): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).jpeg({ quality: 95 }).toBuffer();
}

/** Every tile of a Deep Zoom pyramid with the pixel size libvips gives it. */
function expectedTiles(width: number, height: number, tileSize: number, overlap: number) {
  const tiles: { level: number; col: number; row: number; width: number; height: number }[] = [];
  const max = dziMaxLevel(width, height);
  const span = (size: number, i: number, count: number) => Math.min(tileSize, size - i * tileSize) + (i > 0 ? overlap : 0) + (i < count - 1 ? overlap : 0);
  for (let level = 0; level <= max; level++) {
    const w = Math.ceil(width / 2 ** (max - level));
    const h = Math.ceil(height / 2 ** (max - level));
    const cols = Math.ceil(w / tileSize);
    const rows = Math.ceil(h / tileSize);
    for (let col = 0; col < cols; col++) for (let row = 0; row < rows; row++) tiles.push({ level, col, row, width: span(w, col, cols), height: span(h, row, rows) });
  }
  return tiles;
}

async function fetchJpeg(url: string): Promise<{ width: number; height: number; pixel: number[] }> {
  const res = await fetch(url, { headers: consultant.authHeader });
  expect(res.status, url).toBe(200);
  const { data, info } = await sharp(Buffer.from(await res.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, pixel: [data[0]!, data[1]!, data[2]!] };
}

describe('concurrent ingest', () => {
  it('builds every pyramid of concurrent referrals whole, each from its own image', async () => {
    // 4 referrals × 3 images, every image a different size and colour.
    const referrals = [0, 1, 2, 3].map((r) =>
      [0, 1, 2].map((i) => {
        const k = r * 3 + i;
        return { part: `img${i}`, width: 500 + 37 * k, height: 300 + 23 * k, rgb: [(40 + k * 53) % 256, (90 + k * 97) % 256, (140 + k * 151) % 256] as const };
      }),
    );
    const responses = await Promise.all(
      referrals.map(async (images) => {
        const files = Object.fromEntries(await Promise.all(images.map(async (im) => [im.part, await colourJpeg(im.width, im.height, im.rgb)] as const)));
        return postReferral(svc, token(gp), referralBody(images.map((im) => im.part)), files);
      }),
    );

    for (const [r, res] of responses.entries()) {
      expect(res.status, `referral ${r}`).toBe(201);
      const created = ReferralCreated.parse(await res.json());
      for (const im of referrals[r]!) {
        const stored = created.images.find((i) => i.part === im.part)!;
        expect([stored.width, stored.height]).toEqual([im.width, im.height]);
        const dzi = await consultant.imageDescriptor(stored.id);
        expect(dzi).toMatchObject({ width: im.width, height: im.height });
        const tiles = expectedTiles(im.width, im.height, dzi.tileSize, dzi.overlap);
        const got = await Promise.all(tiles.map((t) => fetchJpeg(consultant.tileUrl(stored.id, t.level, t.col, t.row, 'jpeg'))));
        for (const [i, t] of tiles.entries()) {
          const where = `referral ${r} ${im.part} tile ${t.level}/${t.col}_${t.row}`;
          expect([got[i]!.width, got[i]!.height], where).toEqual([t.width, t.height]);
          for (const c of [0, 1, 2]) expect(Math.abs(got[i]!.pixel[c]! - im.rgb[c]!), where).toBeLessThanOrEqual(8);
        }
        const thumb = await fetchJpeg(consultant.thumbnailUrl(stored.id));
        expect(Math.max(thumb.width, thumb.height)).toBe(320);
        expect(Math.abs(thumb.width / thumb.height - im.width / im.height)).toBeLessThan(0.02);
        for (const c of [0, 1, 2]) expect(Math.abs(thumb.pixel[c]! - im.rgb[c]!)).toBeLessThanOrEqual(8);
      }
    }
  });

  it('keeps answering health checks while a 50 MP image ingests', async () => {
    const started = performance.now();
    let done = false;
    const upload = postReferral(svc, token(gp), referralBody(['huge']), { huge }).finally(() => {
      done = true;
    });
    const latencies: number[] = [];
    while (!done) {
      const t = performance.now();
      const res = await fetch(`${svc.url}/api/v1/health`);
      expect(res.status).toBe(200);
      await res.json();
      latencies.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 50));
    }
    const res = await upload;
    const ingestMs = performance.now() - started;
    expect(res.status).toBe(201);
    expect(ReferralCreated.parse(await res.json()).images[0]).toMatchObject({ width: 8660, height: 5780 });
    // Relative to the ingest, not an absolute time: the machine's load changes both.
    expect(latencies.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...latencies), `health latencies ${latencies.map((l) => l.toFixed(0)).join(' ')} ms during a ${ingestMs.toFixed(0)} ms ingest`).toBeLessThan(ingestMs / 10);
  });

  it('answers 422 naming the image whose worker overran, stores nothing, and ingests normally afterwards', async () => {
    const images = path.join(svc.dataDir, 'images');
    const before = { changes: (await allChanges(consultant)).length, pyramids: await filesUnder(path.join(images, 'pyramids')), originals: await filesUnder(path.join(images, 'originals')) };
    const original = svc.ctx.pyramids;
    // A pool whose jobs get one second: the 50 MP image overruns it and its worker is killed.
    const impatient = new PyramidPool({ size: 1, timeoutMs: 1000 });
    svc.ctx.pyramids = impatient;
    try {
      const res = await postReferral(svc, token(gp), referralBody(['huge', 'small']), { huge, small: await testJpeg() });
      expect(res.status).toBe(422);
      expect(((await res.json()) as { error: unknown }).error).toMatchObject({ code: 'image_not_processable', part: 'huge' });
    } finally {
      svc.ctx.pyramids = original;
      await impatient.close();
    }
    expect((await allChanges(consultant)).length).toBe(before.changes);
    expect(await filesUnder(path.join(images, 'pyramids'))).toEqual(before.pyramids);
    expect(await filesUnder(path.join(images, 'originals'))).toEqual(before.originals);
    expect(await filesUnder(path.join(images, 'staging'))).toEqual([]);

    const res = await postReferral(svc, token(gp), referralBody(['after']), { after: await testJpeg() });
    expect(res.status).toBe(201);
  });
});
