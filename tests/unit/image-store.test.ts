import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FsImageStore } from '../../service/images/image-store';

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map((r) => rm(r, { recursive: true, force: true })));
});

async function root(): Promise<string> {
  const r = await mkdtemp(path.join(tmpdir(), 'loupe-store-'));
  roots.push(r);
  return r;
}

const exists = (p: string) => stat(p).then(() => true, () => false);

describe('FsImageStore shared by several instances', () => {
  it("leaves another live instance's uploads in progress alone when an instance starts", async () => {
    const r = await root();
    const a = await new FsImageStore(r).init();
    const upload = path.join(await a.stagingDir(), 'part.upload');
    await writeFile(upload, 'bytes arriving');
    await new FsImageStore(r).init();
    expect(await exists(upload)).toBe(true);
  });

  it('removes staging folders a crashed instance left more than a day ago', async () => {
    const r = await root();
    const crashed = await new FsImageStore(r).init();
    const dir = await crashed.stagingDir();
    await writeFile(path.join(dir, 'half.upload'), 'never committed');
    const instanceDir = path.dirname(dir);
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600_000);
    await utimes(instanceDir, twoDaysAgo, twoDaysAgo);
    await new FsImageStore(r).init();
    expect(await exists(instanceDir)).toBe(false);
    // The new instance has its own, empty staging folder.
    expect(await readdir(path.join(r, 'staging'))).toHaveLength(1);
  });

  it('puts back an original that another ingest removed, from this upload, and only then', async () => {
    const r = await root();
    const store = await new FsImageStore(r).init();
    const sha = 'a'.repeat(64);
    const first = path.join(await store.stagingDir(), 'first');
    const second = path.join(await store.stagingDir(), 'second');
    await writeFile(first, 'same bytes');
    await writeFile(second, 'same bytes');
    expect(await store.keepOriginal(first, sha)).toBe(true);
    expect(await store.keepOriginal(second, sha)).toBe(false);
    expect(await exists(second)).toBe(true);
    expect(await store.ensureOriginal(second, sha)).toBe(false);
    await store.removeOriginal(sha);
    expect(await store.ensureOriginal(second, sha)).toBe(true);
    expect(await exists(path.join(r, 'originals', 'aa', sha))).toBe(true);
  });
});
