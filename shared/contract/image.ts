import { z } from 'zod';
import { IsoDateTime, Uuid } from './common';
import { ImageKind } from './referral';

/** An ingested image as the change feed carries it; the pixels are served as a Deep Zoom pyramid. */
export const ImageRecord = z.object({
  id: Uuid,
  referralId: Uuid,
  patientNhsNumber: z.string(),
  lesion: z.string(),
  kind: ImageKind,
  bodySite: z.string(),
  capturedAt: IsoDateTime,
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  tileSize: z.number().int().positive(),
  overlap: z.number().int().nonnegative(),
  format: z.enum(['jpeg', 'png', 'webp']),
  mmPerPixel: z.number().positive().nullable(),
});
export type ImageRecord = z.infer<typeof ImageRecord>;
