import { OutcomePayload, ReturnPayload, SignOffPayload, type Mutation, type Outcome, type Referral } from '../../shared/contract';
import { amendedFields, outcomeFieldsOf, withFields } from '../../shared/domain/outcome-fields';
import { outcomeRuleIssues } from '../../shared/domain/outcome-rules';
import type { Tx } from '../repo/repository';
import { userRef, type Actor } from './actor';
import { outcomeChange, referralChange } from './change-writer';
import { checkVersion, conflict, parsePayload, Refusal, reject } from './refusal';
import { loadReferral, type Applied } from './referral-mutations';
import { nextOutcomeStatus, nextReferralStatus, OPEN_STATES, submitEvent } from './workflow';

async function loadOutcome(tx: Tx, id: string): Promise<Outcome> {
  const outcome = await tx.getOutcome(id);
  if (!outcome) throw reject('unknown_outcome', 'No such outcome');
  return outcome;
}

/**
 * Refuses an outcome that breaks its referral's pathway rules. Only the rules' own messages
 * are returned: the clinician's text is never echoed into a refusal (it reaches logs).
 */
function checkPathwayRules(referral: Referral, fields: Parameters<typeof outcomeRuleIssues>[1]): void {
  const issues = outcomeRuleIssues(referral.pathway, fields);
  if (issues.length === 0) return;
  throw new Refusal(
    'rejected',
    'outcome_invalid',
    `The outcome breaks the ${referral.pathway} pathway's rules: ${issues.map((i) => `${i.field}: ${i.message}`).join(' ')}`,
    undefined,
    issues.map((i) => ({ field: i.field, rule: i.rule })),
  );
}

async function saveReferral(tx: Tx, next: Referral): Promise<void> {
  await tx.updateReferral(next);
  await referralChange(tx, next);
}

async function saveOutcomeRow(tx: Tx, outcome: Outcome, isNew: boolean, referral: Referral): Promise<void> {
  if (isNew) await tx.insertOutcome(outcome);
  else await tx.updateOutcome(outcome);
  await outcomeChange(tx, outcome, referral);
}

/**
 * `outcome.save-draft` and `outcome.submit`: create or change the caller's own outcome, and on
 * submit move it (and its referral) on. With `supersedes`, a consultant amends a final outcome:
 * the amendment becomes final and the old one is kept, marked superseded.
 */
export async function saveOutcome(tx: Tx, actor: Actor, m: Mutation, now: Date, submit: boolean): Promise<Applied> {
  const payload = parsePayload(OutcomePayload, m.payload);
  const referral = await loadReferral(tx, payload.referralId);
  const at = now.toISOString();
  const existing = await tx.getOutcome(m.entityId);

  if (existing) {
    if (existing.referralId !== referral.id) throw reject('referral_mismatch', 'The outcome belongs to another referral');
    // A supervising consultant may work on a registrar's unsubmitted outcome with them; the
    // registrar stays its author. Anyone else's outcome is theirs alone.
    const supervising = actor.role === 'consultant' && existing.author.role === 'registrar';
    if (existing.author.id !== actor.id && !supervising) {
      throw reject('not_author', 'Only its author, or a consultant supervising a registrar, may change an outcome before it is submitted');
    }
    checkVersion('outcome', existing.version, m.baseVersion);
    if ((existing.supersedes ?? undefined) !== payload.supersedes) throw reject('supersedes_mismatch', 'An outcome cannot change which outcome it amends');
  } else if (m.baseVersion !== undefined && m.baseVersion !== 0) {
    throw conflict('The outcome does not exist yet', 0);
  }

  const event = submit ? submitEvent(actor.role) : 'save';
  const status = nextOutcomeStatus(existing?.status ?? 'none', event);
  if (!status) throw reject('outcome_not_editable', `The outcome is ${existing?.status ?? 'new'} and cannot be ${submit ? 'submitted' : 'changed'}`);

  const amended = payload.supersedes ? await amendmentTarget(tx, actor, referral, payload.supersedes) : null;
  let nextReferral = referral;
  if (amended) {
    if (referral.status !== 'done' || !nextReferralStatus(referral.status, 'amend')) throw reject('referral_not_decided', 'Only a decided referral can be amended');
  } else if (!OPEN_STATES.includes(referral.status)) {
    throw reject('referral_closed', `The referral is ${referral.status}; record a change to its final outcome as an amendment`);
  }

  // Every field the clinician sent, and only those: a field cleared in a draft is cleared here.
  const fields = outcomeFieldsOf(payload);
  // Drafts may be half an answer; what goes to a consultant or back to the GP may not.
  if (submit) checkPathwayRules(referral, fields);
  const outcome: Outcome = existing
    ? { ...withFields(existing, fields), status, version: existing.version + 1, updatedAt: at, submittedAt: submit ? at : existing.submittedAt }
    : {
        ...fields,
        id: m.entityId,
        referralId: referral.id,
        version: 1,
        status,
        author: userRef(actor),
        createdAt: at,
        updatedAt: at,
        submittedAt: submit ? at : null,
        supersedes: payload.supersedes ?? null,
        supersededBy: null,
        signedOff: null,
        returned: null,
      };

  if (submit && !amended) {
    const others = (await tx.outcomesForReferral(referral.id)).filter((o) => o.id !== outcome.id);
    if (others.some((o) => o.status === 'final' || o.status === 'awaiting-signoff')) {
      throw reject('referral_already_decided', 'Another outcome for this referral has already been submitted');
    }
    const to = nextReferralStatus(referral.status, submitEvent(actor.role));
    if (!to) throw reject('referral_closed', `The referral is ${referral.status}`);
    nextReferral = { ...referral, version: referral.version + 1, status: to };
  }

  await saveOutcomeRow(tx, outcome, !existing, nextReferral);
  if (submit && amended) {
    const superseded: Outcome = { ...amended, status: 'superseded', supersededBy: outcome.id, version: amended.version + 1, updatedAt: at };
    await saveOutcomeRow(tx, superseded, false, referral);
  }
  if (nextReferral !== referral) await saveReferral(tx, nextReferral);
  return {
    entityVersion: outcome.version,
    auditDetail: { referralId: referral.id, outcomeStatus: outcome.status, decision: outcome.decision, supersedes: outcome.supersedes },
  };
}

/** The final outcome an amendment replaces; only a consultant amends a final decision. */
async function amendmentTarget(tx: Tx, actor: Actor, referral: Referral, id: string): Promise<Outcome> {
  if (actor.role !== 'consultant') throw reject('amendment_needs_consultant', 'Only a consultant may amend a final outcome');
  const target = await tx.getOutcome(id);
  if (!target || target.referralId !== referral.id) throw reject('unknown_outcome', 'The outcome to amend is not an outcome of this referral');
  if (target.status !== 'final') throw reject('not_final', `The outcome to amend is ${target.status}; only a final outcome is amended`);
  return target;
}

/** `outcome.sign-off`: a consultant finalises a registrar's submitted outcome, optionally amended. */
export async function signOff(tx: Tx, actor: Actor, m: Mutation, now: Date): Promise<Applied> {
  const payload = parsePayload(SignOffPayload, m.payload);
  const outcome = await loadOutcome(tx, m.entityId);
  checkVersion('outcome', outcome.version, m.baseVersion);
  const status = nextOutcomeStatus(outcome.status, 'sign-off');
  if (!status) throw reject('not_awaiting_signoff', `The outcome is ${outcome.status}; only an outcome awaiting sign-off can be signed off`);
  if (outcome.author.id === actor.id) throw reject('own_outcome', 'An outcome cannot be signed off by its author');
  const referral = await loadReferral(tx, outcome.referralId);
  const to = nextReferralStatus(referral.status, 'sign-off');
  if (!to) throw reject('referral_not_awaiting_signoff', `The referral is ${referral.status}`);

  const amend = payload?.amend ?? {};
  const registrars = outcomeFieldsOf(outcome);
  const merged = { ...registrars, ...amend };
  // The final answer is what the rules judge, whoever wrote each field of it.
  checkPathwayRules(referral, merged);
  const changed = amendedFields(registrars, merged);
  const before = Object.fromEntries(changed.filter((k) => registrars[k] !== undefined).map((k) => [k, registrars[k]]));
  const at = now.toISOString();
  const signedOff: NonNullable<Outcome['signedOff']> = {
    by: userRef(actor),
    at,
    amended: changed.length > 0,
    ...(payload?.comment !== undefined ? { comment: payload.comment } : {}),
    ...(changed.length > 0 ? { before, amendedFields: changed } : {}),
  };
  const signed: Outcome = { ...withFields(outcome, merged), status, version: outcome.version + 1, updatedAt: at, signedOff };
  const amended = signedOff.amended;
  const nextReferral: Referral = { ...referral, version: referral.version + 1, status: to };
  await saveOutcomeRow(tx, signed, false, nextReferral);
  await saveReferral(tx, nextReferral);
  return {
    entityVersion: signed.version,
    // Which fields changed and whether there is a comment; never their words.
    auditDetail: { referralId: referral.id, outcomeStatus: status, amended, amendedFields: changed.join(','), commented: payload?.comment !== undefined, decision: signed.decision },
  };
}

/** `outcome.return`: back to its registrar with a comment; the referral returns to their review. */
export async function returnOutcome(tx: Tx, actor: Actor, m: Mutation, now: Date): Promise<Applied> {
  const payload = parsePayload(ReturnPayload, m.payload);
  const outcome = await loadOutcome(tx, m.entityId);
  checkVersion('outcome', outcome.version, m.baseVersion);
  const status = nextOutcomeStatus(outcome.status, 'return');
  if (!status) throw reject('not_awaiting_signoff', `The outcome is ${outcome.status}; only an outcome awaiting sign-off can be returned`);
  const referral = await loadReferral(tx, outcome.referralId);
  const to = nextReferralStatus(referral.status, 'return');
  if (!to) throw reject('referral_not_awaiting_signoff', `The referral is ${referral.status}`);

  const at = now.toISOString();
  const returned: Outcome = { ...outcome, status, version: outcome.version + 1, updatedAt: at, returned: { by: userRef(actor), at, comment: payload.comment } };
  const nextReferral: Referral = { ...referral, version: referral.version + 1, status: to, assignedTo: outcome.author };
  await saveOutcomeRow(tx, returned, false, nextReferral);
  await saveReferral(tx, nextReferral);
  return { entityVersion: returned.version, auditDetail: { referralId: referral.id, outcomeStatus: status } };
}
