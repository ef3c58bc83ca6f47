import type { Mutation, MutationResult } from '../../shared/contract';
import type { Tx } from '../repo/repository';
import type { Actor } from './actor';
import { deleteAnnotation, saveAnnotation } from './annotation-mutations';
import { returnOutcome, saveOutcome, signOff } from './outcome-mutations';
import { claim, requestInfo, type Applied } from './referral-mutations';
import { Refusal, reject } from './refusal';
import { MUTATION_ROLES } from './workflow';

/**
 * Applies one mutation inside the caller's transaction. Idempotent by mutation id; optimistic
 * concurrency by `baseVersion`. The mutation's record, its effect, its change-feed entries and
 * its audit event are written together or not at all (the caller's transaction). A refusal
 * writes nothing.
 */
export async function applyMutation(tx: Tx, actor: Actor, m: Mutation, now: Date): Promise<MutationResult> {
  const seen = await tx.getMutation(m.id);
  if (seen) {
    // Ids are made by clients; one reused for a different change must not pass for a replay.
    if (seen.userId !== actor.id || seen.type !== m.type || seen.entityId !== m.entityId) {
      return { id: m.id, status: 'rejected', error: { code: 'mutation_id_reused', message: 'This mutation id was already used for a different change' } };
    }
    return { id: m.id, status: 'duplicate', entityVersion: seen.entityVersion };
  }
  try {
    if (!MUTATION_ROLES[m.type].includes(actor.role)) throw reject('role_not_allowed', `A ${actor.role} may not send ${m.type}`);
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
      error: {
        code: err.code,
        message: err.message,
        ...(err.currentVersion !== undefined ? { currentVersion: err.currentVersion } : {}),
        ...(err.issues ? { issues: err.issues.map((i) => ({ ...i })) } : {}),
      },
    };
  }
}

function dispatch(tx: Tx, actor: Actor, m: Mutation, now: Date): Promise<Applied> {
  switch (m.type) {
    case 'outcome.save-draft':
      return saveOutcome(tx, actor, m, now, false);
    case 'outcome.submit':
      return saveOutcome(tx, actor, m, now, true);
    case 'outcome.sign-off':
      return signOff(tx, actor, m, now);
    case 'outcome.return':
      return returnOutcome(tx, actor, m, now);
    case 'referral.claim':
      return claim(tx, actor, m, true);
    case 'referral.release':
      return claim(tx, actor, m, false);
    case 'referral.request-info':
      return requestInfo(tx, actor, m, now);
    case 'annotation.save':
      return saveAnnotation(tx, actor, m, now);
    case 'annotation.delete':
      return deleteAnnotation(tx, actor, m);
  }
}
