import { OutcomePayload, ReferralMutationPayload, type Mutation, type MutationResult, type Outcome, type Referral, type ReferralStatus } from '../../shared/contract';
import type { AuthUser } from '../auth/session-service';
import type { Tx } from '../repo/repository';
import { outcomeChange, referralChange } from './change-writer';

type Actor = Pick<AuthUser, 'id' | 'name' | 'role'>;

/** A refusal that leaves nothing changed; becomes a `rejected` or `conflict` result. */
class Refusal extends Error {
  constructor(
    readonly status: 'rejected' | 'conflict',
    readonly code: string,
    message: string,
    readonly currentVersion?: number,
  ) {
    super(message);
  }
}
const reject = (code: string, message: string) => new Refusal('rejected', code, message);
const conflict = (message: string, currentVersion: number) => new Refusal('conflict', 'version_conflict', message, currentVersion);

interface Applied {
  entityVersion: number;
  auditDetail: Record<string, string | number | boolean | null>;
}

/** Referral states from which a clinician may still record a decision. */
const OPEN_FOR_OUTCOME: readonly ReferralStatus[] = ['new', 'in-review', 'waiting-info'];

/**
 * Applies one mutation inside the caller's transaction. Idempotent by mutation id; optimistic
 * concurrency by `baseVersion`. The mutation's record, its effect, its change-feed entries and
 * its audit event are written together or not at all (the caller's transaction).
 */
export async function applyMutation(tx: Tx, actor: Actor, m: Mutation, now: Date): Promise<MutationResult> {
  const seen = await tx.getMutation(m.id);
  if (seen) return { id: m.id, status: 'duplicate', entityVersion: seen.entityVersion };
  try {
    const applied = await dispatch(tx, actor, m, now);
    const at = now.toISOString();
    await tx.recordMutation({ id: m.id, userId: actor.id, type: m.type, entityId: m.entityId, entityVersion: applied.entityVersion }, at);
    await tx.appendAudit(
      { actorId: actor.id, action: m.type, entityType: m.type.split('.')[0], entityId: m.entityId, detail: { mutationId: m.id, version: applied.entityVersion, ...applied.auditDetail } },
      at,
    );
    return { id: m.id, status: 'applied', entityVersion: applied.entityVersion };
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    return {
      id: m.id,
      status: err.status,
      error: { code: err.code, message: err.message, ...(err.currentVersion !== undefined ? { currentVersion: err.currentVersion } : {}) },
    };
  }
}

function dispatch(tx: Tx, actor: Actor, m: Mutation, now: Date): Promise<Applied> {
  switch (m.type) {
    case 'outcome.save-draft':
      return saveOutcome(tx, actor, m, now, false);
    case 'outcome.submit':
      return saveOutcome(tx, actor, m, now, true);
    case 'referral.claim':
      return claim(tx, actor, m, true);
    case 'referral.release':
      return claim(tx, actor, m, false);
    default:
      // Defined by the contract, built in a later issue (#3); refused honestly until then.
      return Promise.reject(reject('unsupported_mutation', `${m.type} is not supported by this service version yet`));
  }
}

async function loadReferral(tx: Tx, id: string): Promise<Referral> {
  const referral = await tx.getReferral(id);
  if (!referral) throw reject('unknown_referral', 'No such referral');
  return referral;
}

async function saveOutcome(tx: Tx, actor: Actor, m: Mutation, now: Date, submit: boolean): Promise<Applied> {
  const parsed = OutcomePayload.safeParse(m.payload);
  if (!parsed.success) throw reject('invalid_payload', parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; '));
  const payload = parsed.data;
  const referral = await loadReferral(tx, payload.referralId);
  if (!OPEN_FOR_OUTCOME.includes(referral.status)) {
    throw reject('referral_closed', `The referral is ${referral.status}; its outcome can no longer be changed here`);
  }
  const at = now.toISOString();
  const existing = await tx.getOutcome(m.entityId);
  const fields = { decision: payload.decision, diagnosis: payload.diagnosis, adviceToGp: payload.adviceToGp };
  let outcome: Outcome;
  if (!existing) {
    if (m.baseVersion !== undefined && m.baseVersion !== 0) throw conflict('The outcome does not exist yet', 0);
    outcome = {
      ...fields,
      id: m.entityId,
      referralId: referral.id,
      version: 1,
      status: 'draft',
      author: { id: actor.id, name: actor.name, role: actor.role },
      createdAt: at,
      updatedAt: at,
      submittedAt: null,
    };
  } else {
    if (existing.referralId !== referral.id) throw reject('referral_mismatch', 'The outcome belongs to another referral');
    if (existing.author.id !== actor.id) throw reject('not_author', 'Only the author may change a draft outcome');
    if (existing.status !== 'draft' && existing.status !== 'returned') {
      throw reject('outcome_not_editable', `The outcome is ${existing.status} and cannot be changed`);
    }
    if (m.baseVersion !== existing.version) {
      throw conflict(`The outcome is at version ${existing.version}; the change was made on ${m.baseVersion ?? 'no version'}`, existing.version);
    }
    outcome = { ...existing, ...fields, version: existing.version + 1, updatedAt: at };
  }
  let nextReferral = referral;
  if (submit) {
    const others = (await tx.outcomesForReferral(referral.id)).filter((o) => o.id !== outcome.id);
    if (others.some((o) => o.status === 'final' || o.status === 'awaiting-signoff')) {
      throw reject('referral_already_decided', 'Another outcome for this referral has already been submitted');
    }
    const signOffNeeded = actor.role === 'registrar';
    outcome = { ...outcome, status: signOffNeeded ? 'awaiting-signoff' : 'final', submittedAt: at };
    nextReferral = { ...referral, version: referral.version + 1, status: signOffNeeded ? 'awaiting-signoff' : 'done' };
  }
  if (existing) await tx.updateOutcome(outcome);
  else await tx.insertOutcome(outcome);
  await outcomeChange(tx, outcome, nextReferral);
  if (nextReferral !== referral) {
    await tx.updateReferral(nextReferral);
    await referralChange(tx, nextReferral);
  }
  return { entityVersion: outcome.version, auditDetail: { referralId: referral.id, outcomeStatus: outcome.status, decision: outcome.decision } };
}

async function claim(tx: Tx, actor: Actor, m: Mutation, take: boolean): Promise<Applied> {
  const payload = ReferralMutationPayload.safeParse(m.payload ?? undefined);
  if (!payload.success) throw reject('invalid_payload', 'referral.claim and referral.release take no payload fields');
  const referral = await loadReferral(tx, m.entityId);
  if (m.baseVersion !== referral.version) {
    throw conflict(`The referral is at version ${referral.version}`, referral.version);
  }
  let next: Referral;
  if (take) {
    if (!OPEN_FOR_OUTCOME.includes(referral.status)) throw reject('referral_closed', `The referral is ${referral.status}`);
    if (referral.assignedTo && referral.assignedTo.id !== actor.id) throw reject('already_claimed', `Already claimed by ${referral.assignedTo.name}`);
    next = { ...referral, version: referral.version + 1, assignedTo: { id: actor.id, name: actor.name, role: actor.role }, status: referral.status === 'new' ? 'in-review' : referral.status };
  } else {
    if (!referral.assignedTo) throw reject('not_claimed', 'The referral is not claimed');
    if (referral.assignedTo.id !== actor.id && actor.role !== 'consultant') throw reject('not_assignee', 'Only the assignee or a consultant may release it');
    next = { ...referral, version: referral.version + 1, assignedTo: null, status: referral.status === 'in-review' ? 'new' : referral.status };
  }
  await tx.updateReferral(next);
  await referralChange(tx, next);
  return { entityVersion: next.version, auditDetail: { referralStatus: next.status } };
}
