import { randomUUID } from 'node:crypto';
import type { ImageRecord, ImageSubmissionMeta, Referral } from '../../shared/contract';
import { HttpError } from '../http/http-error';
import type { ImageStore } from '../images/image-store';
import type { PyramidBuilder } from '../images/pyramid-pool';
import type { Repository, Tx } from '../repo/repository';

export interface UploadedImage {
  part: string;
  tempFile: string;
  sha256: string;
}

export interface IngestDeps {
  repo: Repository;
  store: ImageStore;
  pyramids: PyramidBuilder;
  limits: { imagePixels: number };
}

interface StagedImage {
  imageId: string;
  dir: string;
  meta: ImageSubmissionMeta;
  upload: UploadedImage;
  width: number;
  height: number;
}

/**
 * The image half of storing a referral or a follow-up, whole or not at all. `stage` decodes
 * every upload into a pyramid in a staging folder; `place` moves the pyramids and originals
 * into the store; the caller then commits its rows. If anything before that commit fails,
 * `undo` removes every file this ingest placed, and only those (an original that was already
 * kept for an earlier referral stays).
 */
export class ImageIngest {
  private readonly staged: StagedImage[] = [];
  private readonly committed: string[] = [];
  private readonly keptOriginals: string[] = [];

  constructor(
    private readonly deps: IngestDeps,
    private readonly uploads: ReadonlyMap<string, UploadedImage>,
  ) {}

  async stage(metas: readonly ImageSubmissionMeta[]): Promise<void> {
    for (const part of this.uploads.keys()) {
      if (!metas.some((i) => i.part === part)) {
        throw new HttpError(422, 'unexpected_image_part', `File part "${part}" is not described in the referral's images`, { part });
      }
    }
    for (const meta of metas) {
      const upload = this.uploads.get(meta.part);
      if (!upload) throw new HttpError(422, 'missing_image_part', `Image "${meta.part}" is described but was not uploaded`, { part: meta.part });
      this.staged.push({ imageId: randomUUID(), dir: await this.deps.store.stagingDir(), meta, upload, width: 0, height: 0 });
    }
    // All at once: the pool bounds how many build together. The first failure stops the
    // others, and every build settles (no worker writes into a staging folder) before undo.
    const abort = new AbortController();
    let firstError: unknown;
    const built = await Promise.allSettled(
      this.staged.map((s) =>
        this.deps.pyramids.build(s.upload.tempFile, s.dir, s.meta.part, { pixels: this.deps.limits.imagePixels }, abort.signal).catch((err: unknown) => {
          if (!abort.signal.aborted) firstError = err;
          abort.abort();
          throw err;
        }),
      ),
    );
    if (abort.signal.aborted) throw firstError;
    for (const [i, b] of built.entries()) if (b.status === 'fulfilled') Object.assign(this.staged[i]!, b.value);
  }

  get imageIds(): string[] {
    return this.staged.map((s) => s.imageId);
  }

  private records(referralId: string, patientNhsNumber: string): { record: ImageRecord; sha256: string }[] {
    return this.staged.map((s) => ({
      sha256: s.upload.sha256,
      record: {
        id: s.imageId,
        referralId,
        patientNhsNumber,
        lesion: s.meta.lesion,
        kind: s.meta.kind,
        bodySite: s.meta.bodySite,
        capturedAt: s.meta.capturedAt,
        width: s.width,
        height: s.height,
        tileSize: this.deps.pyramids.settings.tileSize,
        overlap: this.deps.pyramids.settings.overlap,
        format: 'jpeg',
        mmPerPixel: s.meta.mmPerPixel ?? null,
      },
    }));
  }

  /** What the client is told: each stored image's id, by the part it was uploaded as. */
  created(): { id: string; part: string; width: number; height: number }[] {
    return this.staged.map((s) => ({ id: s.imageId, part: s.meta.part, width: s.width, height: s.height }));
  }

  async place(): Promise<void> {
    for (const s of this.staged) {
      await this.deps.store.commitPyramid(s.dir, s.imageId);
      this.committed.push(s.imageId);
      if (await this.deps.store.keepOriginal(s.upload.tempFile, s.upload.sha256)) this.keptOriginals.push(s.upload.sha256);
    }
  }

  /**
   * Inside the transaction that commits the referral: the image rows and their change-feed
   * entries (seen by the referrer too), after making sure every original this ingest relies
   * on is on disk. An original another ingest kept (same bytes) may have been removed by that
   * ingest's undo meanwhile; both run under the write lock, so either the undo saw these rows
   * and kept the file, or this puts it back from the upload. Returns how many images it wrote.
   */
  async commitRows(tx: Tx, referral: Pick<Referral, 'id' | 'patient' | 'referrer'>): Promise<number> {
    for (const s of this.staged) {
      if (this.keptOriginals.includes(s.upload.sha256)) continue;
      if (await this.deps.store.ensureOriginal(s.upload.tempFile, s.upload.sha256)) this.keptOriginals.push(s.upload.sha256);
    }
    const rows = this.records(referral.id, referral.patient.nhsNumber);
    for (const { record, sha256 } of rows) {
      await tx.insertImage(record, sha256);
      await tx.appendChange({ type: 'image', id: record.id, version: 1, data: record, referrerUserId: referral.referrer.userId });
    }
    return rows.length;
  }

  async undo(): Promise<void> {
    await Promise.all(this.committed.map((id) => this.deps.store.removePyramid(id)));
    await Promise.all(this.staged.filter((s) => !this.committed.includes(s.imageId)).map((s) => this.deps.store.discard(s.dir)));
    if (this.keptOriginals.length === 0) return;
    // Originals are shared by content: another referral with the same bytes may have been
    // committed since this ingest kept the file. Remove only what no image row names, checked
    // under the write lock. If that check cannot run (the database is down), the file stays:
    // an unreferenced original is never served, a missing one would be data lost.
    const shas = [...new Set(this.keptOriginals)];
    await this.deps.repo
      .transaction(async (tx) => {
        for (const sha of shas) if ((await tx.countImagesWithSha(sha)) === 0) await this.deps.store.removeOriginal(sha);
      })
      .catch(() => undefined);
  }

  async discardUploads(): Promise<void> {
    await Promise.all([...this.uploads.values()].map((u) => this.deps.store.discard(u.tempFile)));
  }
}
