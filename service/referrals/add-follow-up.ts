import type { Referral, ReferralCreated, ReferralFollowUp } from '../../shared/contract';
import type { Actor } from '../domain/actor';
import { referralChange } from '../domain/change-writer';
import { nextReferralStatus } from '../domain/workflow';
import { HttpError, notFound } from '../http/http-error';
import type { Tx } from '../repo/repository';
import { ImageIngest, type IngestDeps, type UploadedImage } from './image-ingest';

/** The referral a follow-up answers, if this referrer may answer it now. */
async function waitingReferral(tx: Tx, followUp: ReferralFollowUp, actor: Actor): Promise<Referral> {
  const referral = await tx.getReferral(followUp.followUpTo);
  // Another practice's referral is answered as unknown: its existence is not theirs to learn.
  if (!referral || (actor.role !== 'admin' && referral.referrer.userId !== actor.id)) throw notFound('Referral');
  if (!nextReferralStatus(referral.status, 'follow-up')) {
    throw new HttpError(409, 'referral_not_waiting', `The referral is ${referral.status}, not waiting for information; send a new referral instead`);
  }
  return referral;
}

/**
 * The referrer's answer to `referral.request-info`: new information (and images) on the same
 * referral, stored whole or not at all like a new referral. The referral goes back to the
 * worklist, to its reviewer if it has one; its target date is unchanged.
 */
export async function addFollowUp(
  deps: IngestDeps,
  followUp: ReferralFollowUp,
  uploads: ReadonlyMap<string, UploadedImage>,
  actor: Actor,
  receivedAt: Date,
): Promise<ReferralCreated> {
  // Checked before the (slow) image work, and again in the transaction that commits it.
  await deps.repo.read((tx) => waitingReferral(tx, followUp, actor));
  const ingest = new ImageIngest(deps, uploads);
  try {
    await ingest.stage(followUp.images);
    await ingest.place();
    const at = receivedAt.toISOString();
    await deps.repo.transaction(async (tx) => {
      const referral = await waitingReferral(tx, followUp, actor);
      const status = nextReferralStatus(referral.status, 'follow-up', { assigned: referral.assignedTo !== null });
      if (!status) throw new Error('unreachable: waitingReferral checked the transition');
      const next: Referral = {
        ...referral,
        version: referral.version + 1,
        status,
        history: { ...referral.history, ...followUp.history },
        imageIds: [...referral.imageIds, ...ingest.imageIds],
        followUps: [...referral.followUps, { at, inReplyTo: referral.infoRequests.at(-1)?.id ?? null, response: followUp.response, imageIds: ingest.imageIds }],
      };
      await tx.updateReferral(next);
      await referralChange(tx, next);
      const images = await ingest.commitRows(tx, next);
      await tx.appendAudit(
        { actorId: actor.id, action: 'referral.follow-up', entityType: 'referral', entityId: referral.id, detail: { images, version: next.version } },
        at,
      );
    });
    return { id: followUp.followUpTo, images: ingest.created() };
  } catch (err) {
    await ingest.undo();
    throw err;
  } finally {
    await ingest.discardUploads();
  }
}
