import {
  OutcomePayload,
  type Mutation,
  type Outcome,
  type Referral,
  type Role,
  type UserRef,
} from '../../../../shared/contract';

/** What an action changes locally: new visible versions of the entities it touches. */
export type Effect =
  | { readonly table: 'outcomes'; readonly id: string; readonly value: Outcome }
  | { readonly table: 'referrals'; readonly id: string; readonly value: Referral };

export interface EffectContext {
  readonly user: UserRef & { readonly role: Role };
  readonly now: string;
  /** What the clinician sees now (their own unconfirmed version included). */
  readonly outcome: Outcome | null;
  readonly referral: Referral | null;
}

/**
 * The immediate, local effect of a clinician's action, so the screen answers at once,
 * online or not. It mirrors the service's rules only as far as the screen needs; the service
 * stays the authority and its answer replaces this when the feed brings it.
 */
export function localEffects(m: Mutation, ctx: EffectContext): Effect[] {
  switch (m.type) {
    case 'outcome.save-draft':
    case 'outcome.submit': {
      const payload = OutcomePayload.parse(m.payload);
      const submit = m.type === 'outcome.submit';
      const status: Outcome['status'] = !submit ? 'draft' : ctx.user.role === 'consultant' ? 'final' : 'awaiting-signoff';
      const base = ctx.outcome;
      const outcome: Outcome = {
        id: m.entityId,
        referralId: payload.referralId,
        // Display only: a new outcome has no version until the service gives it one.
        version: Math.max(1, base?.version ?? 1),
        status,
        decision: payload.decision,
        diagnosis: payload.diagnosis,
        adviceToGp: payload.adviceToGp,
        author: base?.author ?? ctx.user,
        createdAt: base?.createdAt ?? ctx.now,
        updatedAt: ctx.now,
        submittedAt: submit ? ctx.now : (base?.submittedAt ?? null),
        supersedes: payload.supersedes ?? base?.supersedes ?? null,
        supersededBy: base?.supersededBy ?? null,
        signedOff: base?.signedOff ?? null,
        returned: base?.returned ?? null,
      };
      const effects: Effect[] = [{ table: 'outcomes', id: m.entityId, value: outcome }];
      if (submit && ctx.referral && !payload.supersedes) {
        effects.push({
          table: 'referrals',
          id: ctx.referral.id,
          value: { ...ctx.referral, status: status === 'final' ? 'done' : 'awaiting-signoff' },
        });
      }
      return effects;
    }
    case 'referral.claim':
      return ctx.referral
        ? [{ table: 'referrals', id: ctx.referral.id, value: { ...ctx.referral, assignedTo: ctx.user, status: ctx.referral.status === 'new' ? 'in-review' : ctx.referral.status } }]
        : [];
    case 'referral.release':
      return ctx.referral
        ? [{ table: 'referrals', id: ctx.referral.id, value: { ...ctx.referral, assignedTo: null, status: ctx.referral.status === 'in-review' ? 'new' : ctx.referral.status } }]
        : [];
    default:
      // Other actions show their effect when the service confirms them.
      return [];
  }
}
