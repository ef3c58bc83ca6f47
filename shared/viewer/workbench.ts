import { z } from 'zod';
import { Point } from '../contract/annotation';
import { IsoDateTime, Text, Uuid } from '../contract/common';
import { Confidence, Decision, ListReview, Priority, RequestReason } from '../contract/outcome';

/*
 * The image viewer's workbench (#5): what one clinician sets up on their own workstation while
 * reading images (a scale, an "unusable" mark, a saved comparison). These records are local
 * only: they are not part of the service contract, never sent, and are stored sealed like every
 * other clinical value.
 */

/**
 * A scale taken from something of known size in the image (a ruler, a sticker): the clinician
 * picks two points (full-resolution image pixels) and says how far apart they are.
 */
export const Calibration = z.object({
  imageId: Uuid,
  from: Point,
  to: Point,
  knownMm: z.number().finite().positive().max(1000),
  mmPerPixel: z.number().finite().positive(),
  at: IsoDateTime,
});
export type Calibration = z.infer<typeof Calibration>;

export const UnusableReason = z.enum(['blurred', 'poor-lighting', 'no-scale', 'no-dermoscopy', 'lesion-not-identifiable']);
export type UnusableReason = z.infer<typeof UnusableReason>;

export const UNUSABLE_REASON_LABELS: Readonly<Record<UnusableReason, string>> = {
  blurred: 'Blurred',
  'poor-lighting': 'Poor lighting',
  'no-scale': 'No scale',
  'no-dermoscopy': 'No dermoscopy',
  'lesion-not-identifiable': 'Lesion not identifiable',
};

/** The clinician's note that an image cannot be used for a decision, and why. */
export const ImageMark = z.object({
  imageId: Uuid,
  referralId: Uuid,
  reason: UnusableReason,
  note: Text(500).optional(),
  at: IsoDateTime,
});
export type ImageMark = z.infer<typeof ImageMark>;

/** Two corresponding points, picked in the reference image and in the other image. */
export const Alignment = z.object({
  reference: z.tuple([Point, Point]),
  other: z.tuple([Point, Point]),
});
export type Alignment = z.infer<typeof Alignment>;

export const ComparisonMode = z.enum(['side-by-side', 'overlay', 'swipe']);
export type ComparisonMode = z.infer<typeof ComparisonMode>;

/**
 * The key a comparison is saved under: its image ids, sorted and joined with "+", so the same
 * set of images finds its saved alignment whichever order it is opened in. Ids are lowered as
 * `Uuid` lowers them when parsing.
 */
export function comparisonKey(imageIds: readonly string[]): string {
  return imageIds
    .map((id) => id.toLowerCase())
    .sort()
    .join('+');
}

/** 2 to 4 images of one referral's case shown together; the first is the reference. */
export const Comparison = z
  .object({
    key: z.string().min(1).max(200),
    referralId: Uuid,
    imageIds: z.array(Uuid).min(2).max(4),
    mode: ComparisonMode,
    /** Keyed by the id of the image aligned to the reference (never the reference itself). */
    alignments: z.record(Uuid, Alignment),
    opacity: z.number().min(0).max(1),
    split: z.number().min(0).max(1),
    updatedAt: IsoDateTime,
  })
  .superRefine((c, ctx) => {
    if (new Set(c.imageIds).size !== c.imageIds.length) {
      ctx.addIssue({ code: 'custom', path: ['imageIds'], message: 'an image appears twice in the comparison' });
    }
    if (c.key !== comparisonKey(c.imageIds)) {
      ctx.addIssue({ code: 'custom', path: ['key'], message: 'the key is not comparisonKey(imageIds)' });
    }
    const others = new Set(c.imageIds.slice(1));
    for (const id of Object.keys(c.alignments)) {
      if (!others.has(id)) ctx.addIssue({ code: 'custom', path: ['alignments', id], message: 'an alignment is for an image not compared with the reference' });
    }
  });
export type Comparison = z.infer<typeof Comparison>;

/*
 * The outcome form as the clinician left it (#6): saved locally while they type, so a crash,
 * a reload or opening another case loses nothing. Strings as typed (not yet valid outcome
 * fields: the form checks them on save and submit), bounded only so a record stays small.
 */
const Typed = z.string().max(20_000);
export const DraftDiagnosis = z.object({ text: Typed, code: z.string().regex(/^(\d{6,18})?$/) });
export type DraftDiagnosis = z.infer<typeof DraftDiagnosis>;

export const OutcomeDraftValues = z.object({
  decision: z.union([Decision, z.literal('')]),
  diagnosis: DraftDiagnosis,
  differentials: z.array(DraftDiagnosis).max(10),
  confidence: z.union([Confidence, z.literal('')]),
  managementPlan: Typed,
  adviceToGp: Typed,
  patientInformation: Typed,
  safetyNetting: Typed,
  priority: z.union([Priority, z.literal('')]),
  followUp: Typed,
  requestReasons: z.array(RequestReason).max(RequestReason.options.length),
  referrerAgreement: z.object({ name: Typed, on: Typed, note: Typed }),
  listReview: z.union([ListReview, z.literal('')]),
  patientAgreedToRemoval: z.boolean(),
});
export type OutcomeDraftValues = z.infer<typeof OutcomeDraftValues>;

/** One referral's unsent form: which outcome it edits, and when it was last typed in. */
export const LocalDraft = z.object({
  referralId: Uuid,
  outcomeId: Uuid,
  values: OutcomeDraftValues,
  savedAt: IsoDateTime,
});
export type LocalDraft = z.infer<typeof LocalDraft>;
