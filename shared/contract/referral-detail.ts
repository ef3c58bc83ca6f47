import { z } from 'zod';
import { IsoDateTime, Pathway, Uuid } from './common';
import { ImageRecord } from './image';
import { Outcome } from './outcome';
import { Referral, ReferralStatus } from './referral';

/** `GET /referrals/:id`: the referral, its images and outcomes, and the patient's other referrals. */
export const ReferralDetail = z.object({
  referral: Referral,
  images: z.array(ImageRecord),
  outcomes: z.array(Outcome),
  previousReferrals: z.array(
    z.object({ id: Uuid, receivedAt: IsoDateTime, pathway: Pathway, status: ReferralStatus, imageIds: z.array(Uuid) }),
  ),
});
export type ReferralDetail = z.infer<typeof ReferralDetail>;
