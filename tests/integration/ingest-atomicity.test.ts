import { createHash } from 'node:crypto';
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

describe('ingest is all or nothing', () => {
  it('leaves no pyramid, original or row when the database write fails after the images were placed', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'loupe-atomic-'));
    dirs.push(dataDir);
    const ctx = await openService(await testConfig(dataDir));
    const gp = { id: '6f1c1a5e-0a8e-4a57-9a7b-2d8f3c1b4e5a', name: 'Dr G', role: 'referrer' as const };
    await ctx.repo.transaction((tx) => tx.insertUser({ ...gp, username: 'gp', passwordHash: 'x', disabled: false, createdAt: new Date().toISOString() }));

    const uploadDir = await ctx.store.stagingDir();
    const uploads = new Map<string, UploadedImage>();
    for (const part of ['a', 'b']) {
      const bytes = await testJpeg(640 + part.charCodeAt(0), 480);
      const tempFile = path.join(uploadDir, part);
      await writeFile(tempFile, bytes);
      uploads.set(part, { part, tempFile, sha256: createHash('sha256').update(bytes).digest('hex') });
    }
    // The commit fails; the database answers again for the clean-up (a transient failure).
    let commits = 0;
    const failingRepo: Repository = {
      kind: ctx.repo.kind,
      read: (fn) => ctx.repo.read(fn),
      transaction: (fn) => (++commits === 1 ? Promise.reject(new Error('disk full')) : ctx.repo.transaction(fn)),
      close: () => ctx.repo.close(),
    };

    const submission = ReferralSubmission.parse(referralBody(['a', 'b']));
    await expect(createReferral({ repo: failingRepo, store: ctx.store, pyramids: ctx.pyramids, limits: ctx.config.limits }, submission, uploads, gp, new Date())).rejects.toThrow('disk full');

    const images = path.join(dataDir, 'images');
    expect(await filesUnder(path.join(images, 'pyramids'))).toEqual([]);
    expect(await filesUnder(path.join(images, 'originals'))).toEqual([]);
    expect(await filesUnder(path.join(images, 'staging'))).toEqual([]);
    expect(await ctx.repo.read((tx) => tx.countReferrals())).toBe(0);
    await ctx.pyramids.close();
    await ctx.repo.close();
  });

  it('stores no referral when keeping an original fails, and removes the originals it did keep', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'loupe-atomic-'));
    dirs.push(dataDir);
    const ctx = await openService(await testConfig(dataDir));
    const gp = { id: '6f1c1a5e-0a8e-4a57-9a7b-2d8f3c1b4e5c', name: 'Dr G', role: 'referrer' as const };
    await ctx.repo.transaction((tx) => tx.insertUser({ ...gp, username: 'gp', passwordHash: 'x', disabled: false, createdAt: new Date().toISOString() }));
    const uploadDir = await ctx.store.stagingDir();
    const uploads = new Map<string, UploadedImage>();
    for (const part of ['a', 'b']) {
      const bytes = await testJpeg(700 + part.charCodeAt(0), 500);
      const tempFile = path.join(uploadDir, part);
      await writeFile(tempFile, bytes);
      uploads.set(part, { part, tempFile, sha256: createHash('sha256').update(bytes).digest('hex') });
    }
    let kept = 0;
    const store = Object.create(ctx.store) as typeof ctx.store;
    store.keepOriginal = async (tempFile, sha256) => {
      if (++kept === 2) throw new Error('disk full');
      return ctx.store.keepOriginal(tempFile, sha256);
    };

    const submission = ReferralSubmission.parse(referralBody(['a', 'b']));
    await expect(createReferral({ repo: ctx.repo, store, pyramids: ctx.pyramids, limits: ctx.config.limits }, submission, uploads, gp, new Date())).rejects.toThrow('disk full');
    expect(await ctx.repo.read((tx) => tx.countReferrals())).toBe(0);
    expect(await filesUnder(path.join(dataDir, 'images', 'pyramids'))).toEqual([]);
    expect(await filesUnder(path.join(dataDir, 'images', 'originals'))).toEqual([]);
    await ctx.pyramids.close();
    await ctx.repo.close();
  });

  it('keeps the originals when the database cannot be asked whether another referral uses them', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'loupe-atomic-'));
    dirs.push(dataDir);
    const ctx = await openService(await testConfig(dataDir));
    const gp = { id: '6f1c1a5e-0a8e-4a57-9a7b-2d8f3c1b4e5d', name: 'Dr G', role: 'referrer' as const };
    const bytes = await testJpeg(660, 440);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const tempFile = path.join(await ctx.store.stagingDir(), 'a');
    await writeFile(tempFile, bytes);
    const downRepo: Repository = { kind: ctx.repo.kind, read: (fn) => ctx.repo.read(fn), transaction: () => Promise.reject(new Error('database down')), close: () => ctx.repo.close() };
    await expect(
      createReferral({ repo: downRepo, store: ctx.store, pyramids: ctx.pyramids, limits: ctx.config.limits }, ReferralSubmission.parse(referralBody(['a'])), new Map([['a', { part: 'a', tempFile, sha256 }]]), gp, new Date()),
    ).rejects.toThrow('database down');
    // No pyramid or row; the original stays (never served; removing it could lose another referral's).
    expect(await filesUnder(path.join(dataDir, 'images', 'pyramids'))).toEqual([]);
    expect(await filesUnder(path.join(dataDir, 'images', 'originals'))).toEqual([path.join(sha256.slice(0, 2), sha256)]);
    expect(await ctx.repo.read((tx) => tx.countReferrals())).toBe(0);
    await ctx.pyramids.close();
    await ctx.repo.close();
  });

  describe('an original shared by two referrals with the same bytes', () => {
    async function setUp(label: string) {
      const dataDir = await mkdtemp(path.join(tmpdir(), `loupe-shared-${label}-`));
      dirs.push(dataDir);
      const ctx = await openService(await testConfig(dataDir));
      const gp = { id: '6f1c1a5e-0a8e-4a57-9a7b-2d8f3c1b4e5e', name: 'Dr G', role: 'referrer' as const };
      await ctx.repo.transaction((tx) => tx.insertUser({ ...gp, username: 'gp', passwordHash: 'x', disabled: false, createdAt: new Date().toISOString() }));
      const bytes = await testJpeg(620, 410);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const upload = async (name: string) => {
        const tempFile = path.join(await ctx.store.stagingDir(), name);
        await writeFile(tempFile, bytes);
        return new Map([['a', { part: 'a', tempFile, sha256 }]]);
      };
      const deps = { repo: ctx.repo, store: ctx.store, pyramids: ctx.pyramids, limits: ctx.config.limits };
      const original = path.join(dataDir, 'images', 'originals', sha256.slice(0, 2), sha256);
      const done = async () => {
        await ctx.pyramids.close();
        await ctx.repo.close();
      };
      return { ctx, gp, deps, upload, original, done };
    }
    const submission = () => ReferralSubmission.parse(referralBody(['a']));

    it('survives when the failed ingest undoes after the other referral committed', async () => {
      const { ctx, gp, deps, upload, original, done } = await setUp('after');
      const failed = new ImageIngest(deps, await upload('first'));
      await failed.stage(submission().images);
      await failed.place();
      await createReferral(deps, submission(), await upload('second'), gp, new Date());
      await failed.undo();
      expect(await stat(original).then(() => true, () => false)).toBe(true);
      expect(await ctx.repo.read((tx) => tx.countReferrals())).toBe(1);
      await done();
    });

    it('survives when the failed ingest undoes between the other placing and committing', async () => {
      const { ctx, gp, deps, upload, original, done } = await setUp('between');
      const failed = new ImageIngest(deps, await upload('first'));
      await failed.stage(submission().images);
      await failed.place();
      // The second ingest finds the first one's file, relies on it, and the first then undoes.
      const store = Object.create(ctx.store) as typeof ctx.store;
      store.keepOriginal = async (tempFile, sha256) => {
        const kept = await ctx.store.keepOriginal(tempFile, sha256);
        expect(kept).toBe(false);
        await failed.undo();
        expect(await stat(original).then(() => true, () => false)).toBe(false);
        return kept;
      };
      const created = await createReferral({ ...deps, store }, submission(), await upload('second'), gp, new Date());
      expect(await stat(original).then(() => true, () => false)).toBe(true);
      expect(await ctx.repo.read((tx) => tx.countImagesWithSha(path.basename(original)))).toBe(1);
      expect(created.images).toHaveLength(1);
      await done();
    });
  });

  it('keeps the originals of a referral that was stored', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'loupe-atomic-'));
    dirs.push(dataDir);
    const ctx = await openService(await testConfig(dataDir));
    const gp = { id: '6f1c1a5e-0a8e-4a57-9a7b-2d8f3c1b4e5b', name: 'Dr G', role: 'referrer' as const };
    await ctx.repo.transaction((tx) => tx.insertUser({ ...gp, username: 'gp', passwordHash: 'x', disabled: false, createdAt: new Date().toISOString() }));
    const bytes = await testJpeg();
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const tempFile = path.join(await ctx.store.stagingDir(), 'a');
    await writeFile(tempFile, bytes);
    await createReferral({ repo: ctx.repo, store: ctx.store, pyramids: ctx.pyramids, limits: ctx.config.limits }, ReferralSubmission.parse(referralBody(['a'])), new Map([['a', { part: 'a', tempFile, sha256 }]]), gp, new Date());
    expect(await filesUnder(path.join(dataDir, 'images', 'originals'))).toEqual([path.join(sha256.slice(0, 2), sha256)]);
    expect(await ctx.repo.read((tx) => tx.countReferrals())).toBe(1);
    await ctx.pyramids.close();
    await ctx.repo.close();
  });
});
