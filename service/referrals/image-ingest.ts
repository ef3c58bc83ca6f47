import { randomUUID } from 'node:crypto';
import type { ImageRecord, ImageSubmissionMeta } from '../../shared/contract';
import { HttpError } from '../http/http-error';
import type { ImageStore } from '../images/image-store';
import { buildPyramid, DEFAULT_PYRAMID } from '../images/pyramid';
import type { Repository } from '../repo/repository';

export interface UploadedImage {
  part: string;
  tempFile: string;
  sha256: string;
}

export interface IngestDeps {
  repo: Repository;
  store: ImageStore;
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
      const dir = await this.deps.store.stagingDir();
      const staged: StagedImage = { imageId: randomUUID(), dir, meta, upload, width: 0, height: 0 };
      this.staged.push(staged);
      const { width, height } = await buildPyramid(upload.tempFile, dir, meta.part, { pixels: this.deps.limits.imagePixels });
      Object.assign(staged, { width, height });
    }
  }

  get imageIds(): string[] {
    return this.staged.map((s) => s.imageId);
  }

  records(referralId: string, patientNhsNumber: string): { record: ImageRecord; sha256: string }[] {
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
        tileSize: DEFAULT_PYRAMID.tileSize,
        overlap: DEFAULT_PYRAMID.overlap,
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

  async undo(): Promise<void> {
    await Promise.all(this.committed.map((id) => this.deps.store.removePyramid(id)));
    await Promise.all(this.keptOriginals.map((sha) => this.deps.store.removeOriginal(sha)));
    await Promise.all(this.staged.filter((s) => !this.committed.includes(s.imageId)).map((s) => this.deps.store.discard(s.dir)));
  }

  async discardUploads(): Promise<void> {
    await Promise.all([...this.uploads.values()].map((u) => this.deps.store.discard(u.tempFile)));
  }
}
