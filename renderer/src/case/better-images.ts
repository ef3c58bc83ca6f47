import type { ImageMark, UnusableReason } from '../../../shared/viewer/workbench';
import { UNUSABLE_REASON_LABELS } from '../../../shared/viewer/workbench';
import type { NumberedImage } from './group-images';
import type { RequestReason } from '../../../shared/contract';
import type { FormValues } from './outcome-form-model';

/** What a pre-fill sets in the outcome form. */
export type PrefillValues = Pick<FormValues, 'decision' | 'diagnosis' | 'adviceToGp' | 'requestReasons'>;

/** Each image fault is also a reason the GP is told about (same names, kept apart on purpose: one is a mark, one an outcome). */
const AS_REQUEST_REASON: Readonly<Record<UnusableReason, RequestReason>> = {
  blurred: 'blurred',
  'poor-lighting': 'poor-lighting',
  'no-scale': 'no-scale',
  'no-dermoscopy': 'no-dermoscopy',
  'lesion-not-identifiable': 'lesion-not-identifiable',
};

/** What the GP can do about each fault, said once per reason. */
const HOW_TO_FIX: Readonly<Record<UnusableReason, string>> = {
  blurred: 'hold the camera steady and let it focus on the lesion before taking the photograph',
  'poor-lighting': 'use even daylight or a bright room light, without flash glare or shadow',
  'no-scale': 'place a ruler or scale marker beside the lesion in the close-up',
  'no-dermoscopy': 'send a dermoscopic image of the lesion if a dermatoscope is available',
  'lesion-not-identifiable': 'mark the lesion of concern (for example with a pen circle) and add a regional photograph showing where it is',
};

/**
 * The "request better images" outcome pre-filled from the clinician's quality marks: the
 * decision, a holding diagnosis, the matching reasons, and advice naming each image and what
 * to change. The clinician
 * reviews and edits it before saving; nothing is sent by marking alone.
 */
export function betterImagesRequest(marks: readonly ImageMark[], images: readonly NumberedImage[]): PrefillValues {
  const byId = new Map(images.map((n) => [n.image.id, n]));
  const lines = marks
    .map((m) => ({ mark: m, numbered: byId.get(m.imageId) }))
    .filter((x): x is { mark: ImageMark; numbered: NumberedImage } => x.numbered !== undefined)
    .sort((a, b) => a.numbered.number - b.numbered.number)
    .map(({ mark, numbered }) => `- ${numbered.label}: ${UNUSABLE_REASON_LABELS[mark.reason].toLowerCase()}${mark.note ? ` (${mark.note})` : ''}.`);
  const reasons = [...new Set(marks.filter((m) => byId.has(m.imageId)).map((m) => m.reason))];
  const fixes = reasons.map((r) => `- ${HOW_TO_FIX[r]}.`);
  const adviceToGp = [
    'Thank you for this referral. The images cannot be assessed safely as sent:',
    ...lines,
    '',
    'Please send new photographs and:',
    ...fixes,
    '',
    'If the lesion changes, bleeds or grows before then, please re-refer urgently.',
  ].join('\n');
  return {
    decision: 'request-info',
    diagnosis: { text: 'Not assessable from the images sent', code: '' },
    adviceToGp,
    requestReasons: reasons.map((r) => AS_REQUEST_REASON[r]),
  };
}
