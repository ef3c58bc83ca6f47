import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const STALE_STAGING_MS = 24 * 3600_000;

/**
 * Where pyramids and originals live. Everything is built in a staging folder and moved into
 * place with one rename, so a reader never sees a half-written pyramid.
 */
export interface ImageStore {
  /** A fresh, empty folder on the same file system as the store. */
  stagingDir(): Promise<string>;
  /** Moves a finished pyramid (image.dzi, image_files/, thumbnail.jpg) into place. */
  commitPyramid(stagingDir: string, imageId: string): Promise<void>;
  removePyramid(imageId: string): Promise<void>;
  /**
   * Keeps the uploaded original under its SHA-256 (never served: it may carry GPS EXIF).
   * Resolves true when this call stored it (the temporary file is moved), false when the same
   * bytes were already kept (the temporary file is left for `ensureOriginal`).
   */
  keepOriginal(tempFile: string, sha256: string): Promise<boolean>;
  /**
   * Called inside the transaction that commits the rows naming this original: puts the bytes
   * back if another ingest's undo removed the copy this one was relying on. True if it did.
   */
  ensureOriginal(tempFile: string, sha256: string): Promise<boolean>;
  /** Removes an original; callers first check, under the write lock, that no image names it. */
  removeOriginal(sha256: string): Promise<void>;
  discard(p: string): Promise<void>;
  openTile(imageId: string, level: number, col: number, row: number, ext: string): Promise<ReadStream | undefined>;
  openThumbnail(imageId: string): Promise<ReadStream | undefined>;
}

export class FsImageStore implements ImageStore {
  private readonly pyramids: string;
  private readonly originals: string;
  private readonly stagingRoot: string;
  /** This instance's own staging folder (see `init`). */
  private readonly staging: string;

  constructor(root: string) {
    this.pyramids = path.join(root, 'pyramids');
    this.originals = path.join(root, 'originals');
    this.stagingRoot = path.join(root, 'staging');
    this.staging = path.join(this.stagingRoot, randomUUID());
  }

  async init(): Promise<this> {
    await Promise.all([this.pyramids, this.originals, this.stagingRoot].map((d) => mkdir(d, { recursive: true })));
    // Several instances may share this store, each staging in a folder of its own. A folder
    // untouched for a day is from an instance that crashed mid-ingest: never committed, so
    // removed. Another live instance's uploads in progress are left alone.
    const cutoff = Date.now() - STALE_STAGING_MS;
    for (const entry of await readdir(this.stagingRoot)) {
      const dir = path.join(this.stagingRoot, entry);
      const st = await stat(dir).catch(() => undefined);
      if (st && st.mtimeMs < cutoff) await rm(dir, { recursive: true, force: true });
    }
    await mkdir(this.staging, { recursive: true });
    return this;
  }

  async stagingDir(): Promise<string> {
    const dir = path.join(this.staging, randomUUID());
    await mkdir(dir);
    return dir;
  }

  private pyramidDir(imageId: string): string {
    if (!UUID.test(imageId)) throw new Error('image ids are UUIDs');
    return path.join(this.pyramids, imageId.slice(0, 2), imageId);
  }

  async commitPyramid(stagingDir: string, imageId: string): Promise<void> {
    const dest = this.pyramidDir(imageId);
    await mkdir(path.dirname(dest), { recursive: true });
    await rename(stagingDir, dest);
  }

  async removePyramid(imageId: string): Promise<void> {
    await rm(this.pyramidDir(imageId), { recursive: true, force: true });
  }

  private originalPath(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error('originals are named by SHA-256');
    return path.join(this.originals, sha256.slice(0, 2), sha256);
  }

  async keepOriginal(tempFile: string, sha256: string): Promise<boolean> {
    const dest = this.originalPath(sha256);
    await mkdir(path.dirname(dest), { recursive: true });
    if (await stat(dest).then(() => true, () => false)) return false;
    await rename(tempFile, dest);
    return true;
  }

  async ensureOriginal(tempFile: string, sha256: string): Promise<boolean> {
    const dest = this.originalPath(sha256);
    if (await stat(dest).then(() => true, () => false)) return false;
    await mkdir(path.dirname(dest), { recursive: true });
    await rename(tempFile, dest);
    return true;
  }

  async removeOriginal(sha256: string): Promise<void> {
    await rm(this.originalPath(sha256), { force: true });
  }

  async discard(p: string): Promise<void> {
    await rm(p, { recursive: true, force: true });
  }

  private async open(file: string): Promise<ReadStream | undefined> {
    const st = await stat(file).catch(() => undefined);
    return st?.isFile() ? createReadStream(file) : undefined;
  }

  openTile(imageId: string, level: number, col: number, row: number, ext: string): Promise<ReadStream | undefined> {
    // Callers validate the numbers; the id is checked by pyramidDir, so no path escapes.
    return this.open(path.join(this.pyramidDir(imageId), 'image_files', String(level), `${col}_${row}.${ext}`));
  }

  openThumbnail(imageId: string): Promise<ReadStream | undefined> {
    return this.open(path.join(this.pyramidDir(imageId), 'thumbnail.jpg'));
  }
}
