import { randomUUID } from 'node:crypto';
import type { ImageRecord, Referral, ReferralCreated, ReferralSubmission } from '../../shared/contract';
import { dueAt } from '../../shared/domain/pathway-targets';
import type { AuthUser } from '../auth/session-service';
import { HttpError } from '../http/http-error';
import type { ImageStore } from '../images/image-store';
import { buildPyramid, DEFAULT_PYRAMID } from '../images/pyramid';
import type { Repository } from '../repo/repository';
import { referralChange } from '../domain/change-writer';

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

type Actor = Pick<AuthUser, 'id' | 'name' | 'role'>;

/**
 * Stores a referral whole or not at all: every image is decoded and built into a pyramid
 * first; then the pyramids and originals are moved into place, and last the rows, change-feed
 * entries and audit event are written in one transaction. Any failure before that commit
 * removes every file this call placed; nothing after the commit can fail and undo it.
 */
export async function createReferral(
  deps: IngestDeps,
  submission: ReferralSubmission,
  uploads: ReadonlyMap<string, UploadedImage>,
  referrer: Actor,
  receivedAt: Date,
): Promise<ReferralCreated> {
  const staged: { imageId: string; dir: string; upload: UploadedImage; width: number; height: number }[] = [];
  const committed: string[] = [];
  const keptOriginals: string[] = [];
  try {
    for (const part of uploads.keys()) {
      if (!submission.images.some((i) => i.part === part)) {
        throw new HttpError(422, 'unexpected_image_part', `File part "${part}" is not described in the referral's images`, { part });
      }
    }
    for (const meta of submission.images) {
      const upload = uploads.get(meta.part);
      if (!upload) throw new HttpError(422, 'missing_image_part', `Image "${meta.part}" is described but was not uploaded`, { part: meta.part });
      const dir = await deps.store.stagingDir();
      staged.push({ imageId: randomUUID(), dir, upload, width: 0, height: 0 });
      const { width, height } = await buildPyramid(upload.tempFile, dir, meta.part, { pixels: deps.limits.imagePixels });
      Object.assign(staged[staged.length - 1]!, { width, height });
    }

    const referralId = randomUUID();
    const referral: Referral = {
      id: referralId,
      version: 1,
      status: 'new',
      pathway: submission.pathway,
      patient: submission.patient,
      referrer: { ...submission.referrer, userId: referrer.id },
      question: submission.question,
      history: submission.history,
      receivedAt: receivedAt.toISOString(),
      dueAt: dueAt(receivedAt, submission.pathway).toISOString(),
      assignedTo: null,
      imageIds: staged.map((s) => s.imageId),
    };
    const images: ImageRecord[] = submission.images.map((meta, i) => {
      const s = staged[i]!;
      return {
        id: s.imageId,
        referralId,
        patientNhsNumber: submission.patient.nhsNumber,
        lesion: meta.lesion,
        kind: meta.kind,
        bodySite: meta.bodySite,
        capturedAt: meta.capturedAt,
        width: s.width,
        height: s.height,
        tileSize: DEFAULT_PYRAMID.tileSize,
        overlap: DEFAULT_PYRAMID.overlap,
        format: 'jpeg',
        mmPerPixel: meta.mmPerPixel ?? null,
      };
    });

    for (const s of staged) {
      await deps.store.commitPyramid(s.dir, s.imageId);
      committed.push(s.imageId);
      if (await deps.store.keepOriginal(s.upload.tempFile, s.upload.sha256)) keptOriginals.push(s.upload.sha256);
    }
    await deps.repo.transaction(async (tx) => {
      await tx.insertReferral(referral);
      await referralChange(tx, referral);
      for (const [i, img] of images.entries()) {
        await tx.insertImage(img, staged[i]!.upload.sha256);
        await tx.appendChange({ type: 'image', id: img.id, version: 1, data: img, referrerUserId: referral.referrer.userId });
      }
      await tx.appendAudit(
        { actorId: referrer.id, action: 'referral.create', entityType: 'referral', entityId: referralId, detail: { images: images.length, pathway: referral.pathway } },
        receivedAt.toISOString(),
      );
    });
    // The commit above is the last step that can fail: from here the referral stands.
    return { id: referralId, images: staged.map((s, i) => ({ id: s.imageId, part: submission.images[i]!.part, width: s.width, height: s.height })) };
  } catch (err) {
    await Promise.all(committed.map((id) => deps.store.removePyramid(id)));
    await Promise.all(keptOriginals.map((sha) => deps.store.removeOriginal(sha)));
    await Promise.all(staged.filter((s) => !committed.includes(s.imageId)).map((s) => deps.store.discard(s.dir)));
    throw err;
  } finally {
    await Promise.all([...uploads.values()].map((u) => deps.store.discard(u.tempFile)));
  }
}
