import type { Point } from '../../../shared/contract';
import { applyAffine, invertAffine, type Affine } from '../../../shared/viewer/affine';

/**
 * Placing points without a pointer: Space puts one under the cross at a pane's centre. Only when
 * the image or the page has focus: Space on a button presses that button instead.
 */
export function isPlacementKey(e: KeyboardEvent): boolean {
  if (e.key !== ' ' || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return false;
  const target = e.target instanceof Element ? e.target : null;
  return !target || target === document.body || target.closest('.pane') !== null;
}

/** The image point under the centre of an overlay covering the pane, or null for a collapsed view. */
export function centreInImage(overlay: SVGSVGElement, toScreen: Affine): Point | null {
  try {
    const p = applyAffine(invertAffine(toScreen), { x: overlay.clientWidth / 2, y: overlay.clientHeight / 2 });
    return { x: p.x, y: p.y };
  } catch {
    return null;
  }
}
