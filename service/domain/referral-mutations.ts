import { ReferralMutationPayload, RequestInfoPayload, type Mutation, type Referral } from '../../shared/contract';
import type { Tx } from '../repo/repository';
import { userRef, type Actor } from './actor';
import { referralChange } from './change-writer';
import { checkVersion, parsePayload, reject } from './refusal';
import { nextReferralStatus } from './workflow';

/** What an applied mutation reports: the entity's new version and identifiers for the audit. */
export interface Applied {
  entityVersion: number;
  auditDetail: Record<string, string | number | boolean | null>;
}

export async function loadReferral(tx: Tx, id: string): Promise<Referral> {
  const referral = await tx.getReferral(id);
  if (!referral) throw reject('unknown_referral', 'No such referral');
  return referral;
}

async function commit(tx: Tx, next: Referral, detail: Applied['auditDetail'] = {}): Promise<Applied> {
  await tx.updateReferral(next);
  await referralChange(tx, next);
  return { entityVersion: next.version, auditDetail: { referralStatus: next.status, ...detail } };
}

/** `referral.claim` / `referral.release`: take a referral into your own review, or give it back. */
export async function claim(tx: Tx, actor: Actor, m: Mutation, take: boolean): Promise<Applied> {
  parsePayload(ReferralMutationPayload, m.payload ?? undefined);
  const referral = await loadReferral(tx, m.entityId);
  checkVersion('referral', referral.version, m.baseVersion);
  const to = nextReferralStatus(referral.status, take ? 'claim' : 'release');
  if (!to) throw reject('referral_closed', `The referral is ${referral.status}`);
  if (take) {
    if (referral.assignedTo && referral.assignedTo.id !== actor.id) throw reject('already_claimed', `Already claimed by ${referral.assignedTo.name}`);
    return commit(tx, { ...referral, version: referral.version + 1, status: to, assignedTo: userRef(actor) });
  }
  if (!referral.assignedTo) throw reject('not_claimed', 'The referral is not claimed');
  if (referral.assignedTo.id !== actor.id && actor.role !== 'consultant') throw reject('not_assignee', 'Only the assignee or a consultant may release it');
  return commit(tx, { ...referral, version: referral.version + 1, status: to, assignedTo: null });
}

/**
 * `referral.request-info`: ask the referrer for more information or better images. The
 * referral waits (`waiting-info`) until the referrer's follow-up arrives through
 * `POST /referrals`; the request's id is the mutation's, so the follow-up can answer it.
 */
export async function requestInfo(tx: Tx, actor: Actor, m: Mutation, now: Date): Promise<Applied> {
  const payload = parsePayload(RequestInfoPayload, m.payload);
  const referral = await loadReferral(tx, m.entityId);
  checkVersion('referral', referral.version, m.baseVersion);
  const to = nextReferralStatus(referral.status, 'request-info');
  if (!to) throw reject('referral_closed', `The referral is ${referral.status}; information can no longer be requested`);
  const request = {
    id: m.id,
    at: now.toISOString(),
    by: userRef(actor),
    kind: payload.kind,
    message: payload.message,
    ...(payload.reasons?.length ? { reasons: [...new Set(payload.reasons)] } : {}),
  };
  return commit(
    tx,
    { ...referral, version: referral.version + 1, status: to, infoRequests: [...referral.infoRequests, request] },
    // Reason codes are a fixed list, not clinical free text: the audit may name them.
    { kind: payload.kind, reasons: payload.reasons?.length ? [...new Set(payload.reasons)].join(',') : null },
  );
}
