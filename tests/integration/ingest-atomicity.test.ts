import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ReferralSubmission } from '../../shared/contract';
import { Config } from '../../service/config';
import { openService } from '../../service/open-service';
import { createReferral, type UploadedImage } from '../../service/referrals/create-referral';
import type { Repository } from '../../service/repo/repository';
import { referralBody, testJpeg } from './harness';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
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
    const ctx = await openService(Config.parse({ dataDir }));
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
    const failingRepo: Repository = {
      kind: ctx.repo.kind,
      read: (fn) => ctx.repo.read(fn),
      transaction: () => Promise.reject(new Error('disk full')),
      close: () => ctx.repo.close(),
    };

    const submission = ReferralSubmission.parse(referralBody(['a', 'b']));
    await expect(createReferral({ repo: failingRepo, store: ctx.store, limits: ctx.config.limits }, submission, uploads, gp, new Date())).rejects.toThrow('disk full');

    const images = path.join(dataDir, 'images');
    expect(await filesUnder(path.join(images, 'pyramids'))).toEqual([]);
    expect(await filesUnder(path.join(images, 'originals'))).toEqual([]);
    expect(await filesUnder(path.join(images, 'staging'))).toEqual([]);
    expect(await ctx.repo.read((tx) => tx.countReferrals())).toBe(0);
    await ctx.repo.close();
  });

  it('stores no referral when keeping an original fails, and removes the originals it did keep', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'loupe-atomic-'));
    dirs.push(dataDir);
    const ctx = await openService(Config.parse({ dataDir }));
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
    await expect(createReferral({ repo: ctx.repo, store, limits: ctx.config.limits }, submission, uploads, gp, new Date())).rejects.toThrow('disk full');
    expect(await ctx.repo.read((tx) => tx.countReferrals())).toBe(0);
    expect(await filesUnder(path.join(dataDir, 'images', 'pyramids'))).toEqual([]);
    expect(await filesUnder(path.join(dataDir, 'images', 'originals'))).toEqual([]);
    await ctx.repo.close();
  });

  it('keeps the originals of a referral that was stored', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'loupe-atomic-'));
    dirs.push(dataDir);
    const ctx = await openService(Config.parse({ dataDir }));
    const gp = { id: '6f1c1a5e-0a8e-4a57-9a7b-2d8f3c1b4e5b', name: 'Dr G', role: 'referrer' as const };
    await ctx.repo.transaction((tx) => tx.insertUser({ ...gp, username: 'gp', passwordHash: 'x', disabled: false, createdAt: new Date().toISOString() }));
    const bytes = await testJpeg();
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const tempFile = path.join(await ctx.store.stagingDir(), 'a');
    await writeFile(tempFile, bytes);
    await createReferral({ repo: ctx.repo, store: ctx.store, limits: ctx.config.limits }, ReferralSubmission.parse(referralBody(['a'])), new Map([['a', { part: 'a', tempFile, sha256 }]]), gp, new Date());
    expect(await filesUnder(path.join(dataDir, 'images', 'originals'))).toEqual([path.join(sha256.slice(0, 2), sha256)]);
    expect(await ctx.repo.read((tx) => tx.countReferrals())).toBe(1);
    await ctx.repo.close();
  });
});
