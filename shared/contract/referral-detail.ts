import { z } from 'zod';
import { Annotation } from './annotation';
import { IsoDateTime, Pathway, UserRef, Uuid } from './common';
import { ImageRecord } from './image';
import { Outcome } from './outcome';
import { Referral, ReferralStatus } from './referral';

/**
 * `GET /referrals/:id`: the referral, its images, outcomes and annotations, its timeline, and
 * the patient's other referrals (for comparison over time).
 */
export const ReferralDetail = z.object({
  referral: Referral,
  images: z.array(ImageRecord),
  outcomes: z.array(Outcome),
  annotations: z.array(Annotation),
  /** What happened to the referral and its outcomes, oldest first (views are in `/audit`). */
  timeline: z.array(
    z.object({ seq: z.number().int().positive(), at: IsoDateTime, actor: UserRef.nullable(), action: z.string(), entityType: z.string().nullable(), entityId: z.string().nullable() }),
  ),
  previousReferrals: z.array(
    z.object({ id: Uuid, receivedAt: IsoDateTime, pathway: Pathway, status: ReferralStatus, imageIds: z.array(Uuid) }),
  ),
});
export type ReferralDetail = z.infer<typeof ReferralDetail>;
