import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ReferralSubmission } from '../../shared/contract';
import { openService } from '../../service/open-service';
import { createReferral, type UploadedImage } from '../../service/referrals/create-referral';
import { ImageIngest } from '../../service/referrals/image-ingest';
import type { Repository } from '../../service/repo/repository';
import { dropTestDatabases, referralBody, testConfig, testJpeg } from './harness';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  await dropTestDatabases();
});

/** Every file under a folder, relative paths. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

const exists = (p: string) => stat(p).then(() => true, () => false);
const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const submission = (parts: string[]) => ReferralSubmission.parse(referralBody(parts));

/**
 * Storage opened the way the service opens it (this project's backend), with one referrer,
 * and uploads staged as the route stages them, without the HTTP layer in between.
 */
async function openStorage() {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'loupe-atomic-'));
  dirs.push(dataDir);
  const ctx = await openService(await testConfig(dataDir));
  const gp = { id: randomUUID(), name: 'Dr G', role: 'referrer' as const };
  await ctx.repo.transaction((tx) => tx.insertUser({ ...gp, username: 'gp', passwordHash: 'x', disabled: false, createdAt: new Date().toISOString() }));
  const images = path.join(dataDir, 'images');
  return {
    ctx,
    gp,
    images,
    deps: { repo: ctx.repo, store: ctx.store, pyramids: ctx.pyramids, limits: ctx.config.limits },
    /** Stages one upload per part with the given bytes. */
    async upload(files: Record<string, Buffer>): Promise<Map<string, UploadedImage>> {
      const dir = await ctx.store.stagingDir();
      const uploads = new Map<string, UploadedImage>();
      for (const [part, bytes] of Object.entries(files)) {
        const tempFile = path.join(dir, part);
        await writeFile(tempFile, bytes);
        uploads.set(part, { part, tempFile, sha256: sha256Of(bytes) });
      }
      return uploads;
    },
    originalPath: (sha256: string) => path.join(images, 'originals', sha256.slice(0, 2), sha256),
    async close() {
      await ctx.pyramids.close();
      await ctx.repo.close();
    },
  };
}

describe('ingest is all or nothing', () => {
  it('leaves no pyramid, original or row when the database write fails after the images were placed', async () => {
    const s = await openStorage();
    const uploads = await s.upload({ a: await testJpeg(737, 480), b: await testJpeg(738, 480) });
    // The commit fails; the database answers again for the clean-up (a transient failure).
    let commits = 0;
    const failingRepo: Repository = {
      kind: s.ctx.repo.kind,
      read: (fn) => s.ctx.repo.read(fn),
      transaction: (fn) => (++commits === 1 ? Promise.reject(new Error('disk full')) : s.ctx.repo.transaction(fn)),
      close: () => s.ctx.repo.close(),
    };

    await expect(createReferral({ ...s.deps, repo: failingRepo }, submission(['a', 'b']), uploads, s.gp, new Date())).rejects.toThrow('disk full');

    expect(await filesUnder(path.join(s.images, 'pyramids'))).toEqual([]);
    expect(await filesUnder(path.join(s.images, 'originals'))).toEqual([]);
    expect(await filesUnder(path.join(s.images, 'staging'))).toEqual([]);
    expect(await s.ctx.repo.read((tx) => tx.countReferrals())).toBe(0);
    await s.close();
  });

  it('stores no referral when keeping an original fails, and removes the originals it did keep', async () => {
    const s = await openStorage();
    const uploads = await s.upload({ a: await testJpeg(797, 500), b: await testJpeg(798, 500) });
    let kept = 0;
    const store = Object.create(s.ctx.store) as typeof s.ctx.store;
    store.keepOriginal = async (tempFile, sha256) => {
      if (++kept === 2) throw new Error('disk full');
      return s.ctx.store.keepOriginal(tempFile, sha256);
    };

    await expect(createReferral({ ...s.deps, store }, submission(['a', 'b']), uploads, s.gp, new Date())).rejects.toThrow('disk full');
    expect(await s.ctx.repo.read((tx) => tx.countReferrals())).toBe(0);
    expect(await filesUnder(path.join(s.images, 'pyramids'))).toEqual([]);
    expect(await filesUnder(path.join(s.images, 'originals'))).toEqual([]);
    await s.close();
  });

  it('keeps the originals when the database cannot be asked whether another referral uses them', async () => {
    const s = await openStorage();
    const bytes = await testJpeg(660, 440);
    const downRepo: Repository = { kind: s.ctx.repo.kind, read: (fn) => s.ctx.repo.read(fn), transaction: () => Promise.reject(new Error('database down')), close: () => s.ctx.repo.close() };
    await expect(createReferral({ ...s.deps, repo: downRepo }, submission(['a']), await s.upload({ a: bytes }), s.gp, new Date())).rejects.toThrow('database down');
    // No pyramid or row; the original stays (never served; removing it could lose another referral's).
    const sha256 = sha256Of(bytes);
    expect(await filesUnder(path.join(s.images, 'pyramids'))).toEqual([]);
    expect(await filesUnder(path.join(s.images, 'originals'))).toEqual([path.join(sha256.slice(0, 2), sha256)]);
    expect(await s.ctx.repo.read((tx) => tx.countReferrals())).toBe(0);
    await s.close();
  });

  describe('an original shared by two referrals with the same bytes', () => {
    it('survives when the failed ingest undoes after the other referral committed', async () => {
      const s = await openStorage();
      const bytes = await testJpeg(620, 410);
      const failed = new ImageIngest(s.deps, await s.upload({ a: bytes }));
      await failed.stage(submission(['a']).images);
      await failed.place();
      await createReferral(s.deps, submission(['a']), await s.upload({ a: bytes }), s.gp, new Date());
      await failed.undo();
      expect(await exists(s.originalPath(sha256Of(bytes)))).toBe(true);
      expect(await s.ctx.repo.read((tx) => tx.countReferrals())).toBe(1);
      await s.close();
    });

    it('survives when the failed ingest undoes between the other placing and committing', async () => {
      const s = await openStorage();
      const bytes = await testJpeg(620, 410);
      const original = s.originalPath(sha256Of(bytes));
      const failed = new ImageIngest(s.deps, await s.upload({ a: bytes }));
      await failed.stage(submission(['a']).images);
      await failed.place();
      // The second ingest finds the first one's file, relies on it, and the first then undoes.
      const store = Object.create(s.ctx.store) as typeof s.ctx.store;
      store.keepOriginal = async (tempFile, sha256) => {
        const kept = await s.ctx.store.keepOriginal(tempFile, sha256);
        expect(kept).toBe(false);
        await failed.undo();
        expect(await exists(original)).toBe(false);
        return kept;
      };
      const created = await createReferral({ ...s.deps, store }, submission(['a']), await s.upload({ a: bytes }), s.gp, new Date());
      expect(await exists(original)).toBe(true);
      expect(await s.ctx.repo.read((tx) => tx.countImagesWithSha(sha256Of(bytes)))).toBe(1);
      expect(created.images).toHaveLength(1);
      await s.close();
    });
  });

  it('keeps the originals of a referral that was stored', async () => {
    const s = await openStorage();
    const bytes = await testJpeg();
    const sha256 = sha256Of(bytes);
    await createReferral(s.deps, submission(['a']), await s.upload({ a: bytes }), s.gp, new Date());
    expect(await filesUnder(path.join(s.images, 'originals'))).toEqual([path.join(sha256.slice(0, 2), sha256)]);
    expect(await s.ctx.repo.read((tx) => tx.countReferrals())).toBe(1);
    await s.close();
  });
});
