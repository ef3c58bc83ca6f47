import { z } from 'zod';
import { IsoDate, IsoDateTime, NhsNumber, Pathway, Sex, Text, UserRef, Uuid } from './common';
import { RequestReason } from './outcome';

export const ImageKind = z.enum(['regional', 'close-up', 'dermoscopic', 'other']);
export type ImageKind = z.infer<typeof ImageKind>;

export const Patient = z.strictObject({
  nhsNumber: NhsNumber,
  name: z.strictObject({ given: Text(100), family: Text(100) }),
  birthDate: IsoDate,
  sex: Sex,
});
export type Patient = z.infer<typeof Patient>;

export const Referrer = z.strictObject({
  name: Text(200),
  practiceCode: z.string().regex(/^[A-Z0-9]{3,10}$/, 'practice code is 3–10 letters or digits'),
});

/** The clinical history a GP sends (domain brief); every field optional, unknown keys refused. */
export const ClinicalHistory = z.strictObject({
  duration: Text(200).optional(),
  changed: z.boolean().optional(),
  changeDetails: Text(2000).optional(),
  moreThanTwoColours: z.boolean().optional(),
  raised: z.boolean().optional(),
  itch: z.boolean().optional(),
  bleeding: z.boolean().optional(),
  scaling: z.boolean().optional(),
  soreness: z.boolean().optional(),
  previousSkinCancer: z.enum(['none', 'melanoma', 'melanoma-in-situ', 'non-melanoma']).optional(),
  immunosuppressed: z.boolean().optional(),
  familyHistory: Text(2000).optional(),
  fitzpatrick: z.enum(['I', 'II', 'III', 'IV', 'V', 'VI']).optional(),
  treatmentsTried: Text(2000).optional(),
  notes: Text(5000).optional(),
});
export type ClinicalHistory = z.infer<typeof ClinicalHistory>;

export const ImageSubmissionMeta = z.strictObject({
  part: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'part names are 1–64 letters, digits, _ or -'),
  kind: ImageKind,
  lesion: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/),
  bodySite: Text(200),
  capturedAt: IsoDateTime,
  /** Scale if the device or a ruler gives one; the viewer calibrates otherwise. */
  mmPerPixel: z.number().positive().max(10).optional(),
});
export type ImageSubmissionMeta = z.infer<typeof ImageSubmissionMeta>;

/** The JSON `referral` part of `POST /referrals`. */
export const ReferralSubmission = z
  .strictObject({
    patient: Patient,
    pathway: Pathway,
    referrer: Referrer,
    question: Text(5000),
    history: ClinicalHistory,
    images: z.array(ImageSubmissionMeta).min(1).max(20),
  })
  .refine((r) => new Set(r.images.map((i) => i.part)).size === r.images.length, {
    message: 'each image part name must be unique',
    path: ['images'],
  });
export type ReferralSubmission = z.infer<typeof ReferralSubmission>;

/**
 * A follow-up to a referral that is waiting for information (`referral.request-info`): the
 * referrer's answer and any new images, sent as the `referral` part of `POST /referrals`.
 */
export const ReferralFollowUp = z
  .strictObject({
    followUpTo: Uuid,
    response: Text(5000),
    /** Changed or newly known history; merged over what the referral already holds. */
    history: ClinicalHistory.optional(),
    images: z.array(ImageSubmissionMeta).max(20).default([]),
  })
  .refine((r) => new Set(r.images.map((i) => i.part)).size === r.images.length, {
    message: 'each image part name must be unique',
    path: ['images'],
  });
export type ReferralFollowUp = z.infer<typeof ReferralFollowUp>;

export const InfoRequestKind = z.enum(['more-information', 'better-images']);
export type InfoRequestKind = z.infer<typeof InfoRequestKind>;

/** `referral.request-info`: what the referrer is asked for; shown to them. */
export const RequestInfoPayload = z.strictObject({
  kind: InfoRequestKind.default('more-information'),
  message: Text(2000),
  /** The structured reasons (the outcome form requires at least one; older clients send none). */
  reasons: z.array(RequestReason).max(RequestReason.options.length).optional(),
});
export type RequestInfoPayload = z.infer<typeof RequestInfoPayload>;

export const ReferralStatus = z.enum(['new', 'in-review', 'awaiting-signoff', 'waiting-info', 'done']);
export type ReferralStatus = z.infer<typeof ReferralStatus>;

/** A referral as the change feed carries it. */
export const Referral = z.object({
  id: Uuid,
  version: z.number().int().positive(),
  status: ReferralStatus,
  pathway: Pathway,
  patient: Patient,
  referrer: Referrer.extend({ userId: Uuid }),
  question: z.string(),
  history: ClinicalHistory,
  receivedAt: IsoDateTime,
  dueAt: IsoDateTime,
  assignedTo: UserRef.nullable(),
  imageIds: z.array(Uuid),
  infoRequests: z
    .array(z.object({ id: Uuid, at: IsoDateTime, by: UserRef, kind: InfoRequestKind, message: z.string(), reasons: z.array(RequestReason).optional() }))
    .default([]),
  followUps: z
    .array(z.object({ at: IsoDateTime, inReplyTo: Uuid.nullable(), response: z.string(), imageIds: z.array(Uuid) }))
    .default([]),
});
export type Referral = z.infer<typeof Referral>;

export const ReferralCreated = z.object({
  id: Uuid,
  images: z.array(z.object({ id: Uuid, part: z.string(), width: z.number().int(), height: z.number().int() })),
});
export type ReferralCreated = z.infer<typeof ReferralCreated>;
