import { randomUUID } from 'node:crypto';
import type { Pathway, Referral, ReferralCreated, ReferralSubmission } from '../../shared/contract';
import { DEFAULT_TARGET_WORKING_DAYS, dueAt } from '../../shared/domain/pathway-targets';
import type { Actor } from '../domain/actor';
import { referralChange } from '../domain/change-writer';
import { ImageIngest, type IngestDeps, type UploadedImage } from './image-ingest';

export type { IngestDeps, UploadedImage };

export interface CreateDeps extends IngestDeps {
  /** The service's turnaround targets (configuration); the domain's defaults when absent. */
  targetWorkingDays?: Readonly<Record<Pathway, number>>;
}

/**
 * Stores a referral whole or not at all: every image is decoded and built into a pyramid
 * first; then the pyramids and originals are moved into place, and last the rows, change-feed
 * entries and audit event are written in one transaction. Any failure before that commit
 * removes every file this call placed; nothing after the commit can fail and undo it.
 */
export async function createReferral(
  deps: CreateDeps,
  submission: ReferralSubmission,
  uploads: ReadonlyMap<string, UploadedImage>,
  referrer: Actor,
  receivedAt: Date,
): Promise<ReferralCreated> {
  const ingest = new ImageIngest(deps, uploads);
  try {
    await ingest.stage(submission.images);
    const referral: Referral = {
      id: randomUUID(),
      version: 1,
      status: 'new',
      pathway: submission.pathway,
      patient: submission.patient,
      referrer: { ...submission.referrer, userId: referrer.id },
      question: submission.question,
      history: submission.history,
      receivedAt: receivedAt.toISOString(),
      dueAt: dueAt(receivedAt, submission.pathway, deps.targetWorkingDays ?? DEFAULT_TARGET_WORKING_DAYS).toISOString(),
      assignedTo: null,
      imageIds: ingest.imageIds,
      infoRequests: [],
      followUps: [],
    };
    await ingest.place();
    await deps.repo.transaction(async (tx) => {
      await tx.insertReferral(referral);
      await referralChange(tx, referral);
      const images = await ingest.commitRows(tx, referral);
      await tx.appendAudit(
        { actorId: referrer.id, action: 'referral.create', entityType: 'referral', entityId: referral.id, detail: { images, pathway: referral.pathway } },
        receivedAt.toISOString(),
      );
    });
    // The commit above is the last step that can fail: from here the referral stands.
    return { id: referral.id, images: ingest.created() };
  } catch (err) {
    await ingest.undo();
    throw err;
  } finally {
    await ingest.discardUploads();
  }
}
