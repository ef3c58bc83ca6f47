import {
  AnnotationPayload,
  OutcomePayload,
  RequestInfoPayload,
  ReturnPayload,
  SignOffPayload,
  type Annotation,
  type ImageRecord,
  type Mutation,
  type Outcome,
  type Referral,
  type Role,
  type UserRef,
} from '../../../../shared/contract';
import { amendedFields, outcomeFieldsOf, withFields } from '../../../../shared/domain/outcome-fields';

/**
 * The clinician removed an entity: it is hidden at once and stays hidden until the feed brings
 * the service's deletion (or the clinician discards the refused removal). The row keeps its
 * referral, so cascades and retention still find it.
 */
export interface DeletionEffect {
  readonly table: 'annotations';
  readonly id: string;
  readonly deleted: true;
  readonly referralId: string;
}

/** What an action changes locally: new visible versions of the entities it touches. */
export type Effect =
  | { readonly table: 'outcomes'; readonly id: string; readonly value: Outcome }
  | { readonly table: 'referrals'; readonly id: string; readonly value: Referral }
  | { readonly table: 'annotations'; readonly id: string; readonly value: Annotation }
  | DeletionEffect;

export function isDeletion(effect: Effect): effect is DeletionEffect {
  return 'deleted' in effect;
}

/** The referral that owns the entity an effect touches (stored in the clear on its row). */
export function effectReferralId(effect: Effect): string {
  if (isDeletion(effect)) return effect.referralId;
  return effect.table === 'referrals' ? effect.id : effect.value.referralId;
}

export interface EffectContext {
  readonly user: UserRef & { readonly role: Role };
  readonly now: string;
  /** What the clinician sees now (their own unconfirmed version included). */
  readonly outcome: Outcome | null;
  readonly referral: Referral | null;
  /** For annotation actions: the annotation as the clinician sees it now (null when new). */
  readonly annotation?: Annotation | null;
  /** The image an annotation is drawn on: its referral owns the annotation. */
  readonly image?: Pick<ImageRecord, 'id' | 'referralId'> | null;
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
      // Every field the clinician filled in, as the service stores it: a draft reopens whole.
      const outcome: Outcome = {
        id: m.entityId,
        referralId: payload.referralId,
        // Display only: a new outcome has no version until the service gives it one.
        version: Math.max(1, base?.version ?? 1),
        status,
        ...outcomeFieldsOf(payload),
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
    case 'outcome.sign-off': {
      const payload = SignOffPayload.parse(m.payload);
      const base = ctx.outcome?.id === m.entityId ? ctx.outcome : null;
      if (!base || base.status !== 'awaiting-signoff') return [];
      // As the service does: the amendment over the registrar's fields, the registrar's values
      // of exactly the fields that changed kept as `before`, and the comment for them.
      const registrars = outcomeFieldsOf(base);
      const merged = { ...registrars, ...(payload?.amend ?? {}) };
      const changed = amendedFields(registrars, merged);
      const before = Object.fromEntries(changed.filter((k) => registrars[k] !== undefined).map((k) => [k, registrars[k]]));
      const signedOff: NonNullable<Outcome['signedOff']> = {
        by: { id: ctx.user.id, name: ctx.user.name, role: ctx.user.role },
        at: ctx.now,
        amended: changed.length > 0,
        ...(payload?.comment !== undefined ? { comment: payload.comment } : {}),
        ...(changed.length > 0 ? { before, amendedFields: changed } : {}),
      };
      const effects: Effect[] = [{ table: 'outcomes', id: base.id, value: { ...withFields(base, merged), status: 'final', updatedAt: ctx.now, signedOff } }];
      if (ctx.referral?.id === base.referralId) effects.push({ table: 'referrals', id: ctx.referral.id, value: { ...ctx.referral, status: 'done' } });
      return effects;
    }
    case 'outcome.return': {
      const payload = ReturnPayload.parse(m.payload);
      const base = ctx.outcome?.id === m.entityId ? ctx.outcome : null;
      if (!base || base.status !== 'awaiting-signoff') return [];
      const by = { id: ctx.user.id, name: ctx.user.name, role: ctx.user.role };
      const effects: Effect[] = [{ table: 'outcomes', id: base.id, value: { ...base, status: 'returned', updatedAt: ctx.now, returned: { by, at: ctx.now, comment: payload.comment } } }];
      if (ctx.referral?.id === base.referralId) {
        effects.push({ table: 'referrals', id: ctx.referral.id, value: { ...ctx.referral, status: 'in-review', assignedTo: base.author } });
      }
      return effects;
    }
    case 'referral.request-info': {
      const payload = RequestInfoPayload.parse(m.payload);
      if (!ctx.referral || ctx.referral.id !== m.entityId || ctx.referral.status === 'done' || ctx.referral.status === 'awaiting-signoff') return [];
      const request = {
        id: m.id,
        at: ctx.now,
        by: { id: ctx.user.id, name: ctx.user.name, role: ctx.user.role },
        kind: payload.kind,
        message: payload.message,
        ...(payload.reasons?.length ? { reasons: [...new Set(payload.reasons)] } : {}),
      };
      return [{ table: 'referrals', id: ctx.referral.id, value: { ...ctx.referral, status: 'waiting-info', infoRequests: [...ctx.referral.infoRequests, request] } }];
    }
    case 'referral.claim':
      return ctx.referral
        ? [{ table: 'referrals', id: ctx.referral.id, value: { ...ctx.referral, assignedTo: ctx.user, status: ctx.referral.status === 'new' ? 'in-review' : ctx.referral.status } }]
        : [];
    case 'referral.release':
      return ctx.referral
        ? [{ table: 'referrals', id: ctx.referral.id, value: { ...ctx.referral, assignedTo: null, status: ctx.referral.status === 'in-review' ? 'new' : ctx.referral.status } }]
        : [];
    case 'annotation.save': {
      const payload = AnnotationPayload.parse(m.payload);
      const base = ctx.annotation?.id === m.entityId ? ctx.annotation : null;
      // An annotation never moves between images (the service refuses it): showing it on the
      // new image meanwhile would be a promise the service will not keep.
      if (base && base.imageId !== payload.imageId) return [];
      const referralId = base?.referralId ?? (ctx.image?.id === payload.imageId ? ctx.image.referralId : null);
      if (!referralId) return [];
      const annotation: Annotation = {
        id: m.entityId,
        imageId: payload.imageId,
        referralId,
        // Display only, as for outcomes: the service numbers versions.
        version: Math.max(1, base?.version ?? 1),
        shape: payload.shape,
        label: payload.label ?? null,
        note: payload.note ?? null,
        author: base?.author ?? { id: ctx.user.id, name: ctx.user.name, role: ctx.user.role },
        createdAt: base?.createdAt ?? ctx.now,
        updatedAt: ctx.now,
      };
      return [{ table: 'annotations', id: m.entityId, value: annotation }];
    }
    case 'annotation.delete': {
      const target = ctx.annotation?.id === m.entityId ? ctx.annotation : null;
      return target ? [{ table: 'annotations', id: m.entityId, deleted: true, referralId: target.referralId }] : [];
    }
    default:
      // Other actions show their effect when the service confirms them.
      return [];
  }
}
