import type { Annotation, Outcome, Referral } from '../../shared/contract';
import type { Tx } from '../repo/repository';

// Who outside the clinical team may see each entity's changes. A referrer sees their own
// referrals and the outcomes that went back to them, never a draft or another GP's patient.
export function referralChange(tx: Tx, referral: Referral): Promise<number> {
  return tx.appendChange({ type: 'referral', id: referral.id, version: referral.version, data: referral, referrerUserId: referral.referrer.userId });
}

export function outcomeChange(tx: Tx, outcome: Outcome, referral: Referral): Promise<number> {
  const visibleToReferrer = outcome.status === 'final' || outcome.status === 'superseded';
  return tx.appendChange({
    type: 'outcome',
    id: outcome.id,
    version: outcome.version,
    data: outcome,
    referrerUserId: visibleToReferrer ? referral.referrer.userId : null,
  });
}

/** Annotations are the clinical team's working notes: never shown to the referrer. */
export function annotationChange(tx: Tx, annotation: Annotation): Promise<number> {
  return tx.appendChange({ type: 'annotation', id: annotation.id, version: annotation.version, data: annotation, referrerUserId: null });
}
