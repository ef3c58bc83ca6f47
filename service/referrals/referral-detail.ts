import type { ReferralDetail, UserRef } from '../../shared/contract';
import type { Tx } from '../repo/repository';

/** Reads, not changes: who looked is in `/audit`, not in a case's timeline. */
const isRead = (action: string) => action.endsWith('.view') || action.startsWith('audit.');

/**
 * Everything a clinician needs to review one referral, read in the caller's transaction: the
 * referral, its images, outcomes and annotations, what happened to it (from the audit chain)
 * and the patient's other referrals for comparison over time.
 */
export async function readReferralDetail(tx: Tx, id: string): Promise<ReferralDetail | undefined> {
  const referral = await tx.getReferral(id);
  if (!referral) return undefined;
  const [images, outcomes, annotations, all] = await Promise.all([
    tx.imagesForReferral(id),
    tx.outcomesForReferral(id),
    tx.annotationsForReferral(id),
    tx.referralsForPatient(referral.patient.nhsNumber),
  ]);
  const events = (await tx.auditForEntities([id, ...outcomes.map((o) => o.id)])).filter((e) => !isRead(e.action));
  const actors = new Map<string, UserRef | null>();
  for (const actorId of new Set(events.map((e) => e.actorId).filter((a): a is string => a !== null))) {
    const user = await tx.getUser(actorId);
    actors.set(actorId, user ? { id: user.id, name: user.name, role: user.role } : null);
  }
  return {
    referral,
    images,
    outcomes,
    annotations,
    timeline: events.map((e) => ({ seq: e.seq, at: e.at, actor: e.actorId ? (actors.get(e.actorId) ?? null) : null, action: e.action, entityType: e.entityType, entityId: e.entityId })),
    previousReferrals: all
      .filter((r) => r.id !== id)
      .map((r) => ({ id: r.id, receivedAt: r.receivedAt, pathway: r.pathway, status: r.status, imageIds: r.imageIds })),
  };
}
