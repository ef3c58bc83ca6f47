import type { ImageRecord } from '../../../shared/contract';
import { formatDate } from '../format/dates';
import { IMAGE_KIND_LABELS } from '../format/labels';

export interface NumberedImage {
  /** 1-based position in the referral, as the referrer sent them. */
  readonly number: number;
  readonly image: ImageRecord;
  /** "Image 1: dermoscopic, left lower leg, 1 Nov 2026" */
  readonly label: string;
}

export interface LesionGroup {
  readonly lesion: string;
  readonly images: readonly NumberedImage[];
}

export function imageLabel(number: number, image: ImageRecord): string {
  return `Image ${number}: ${IMAGE_KIND_LABELS[image.kind]}, ${image.bodySite}, ${formatDate(image.capturedAt)}`;
}

/**
 * Groups a referral's images by lesion, lesions in order of their first image, images kept in
 * the order given (numbering follows that order across the whole referral).
 */
export function groupImagesByLesion(images: readonly ImageRecord[]): LesionGroup[] {
  const groups = new Map<string, NumberedImage[]>();
  images.forEach((image, i) => {
    const numbered = { number: i + 1, image, label: imageLabel(i + 1, image) };
    const list = groups.get(image.lesion);
    if (list) list.push(numbered);
    else groups.set(image.lesion, [numbered]);
  });
  return [...groups].map(([lesion, list]) => ({ lesion, images: list }));
}
