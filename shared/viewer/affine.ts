import type { Point } from '../contract/annotation';

/**
 * A 2-D affine map in the CSS/SVG `matrix(a, b, c, d, e, f)` convention:
 * x' = a·x + c·y + e, y' = b·x + d·y + f. The viewer uses it for "image pixels → pane pixels"
 * (what an overlay drawn in image coordinates needs) and for alignments between images.
 */
export interface Affine {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
  readonly e: number;
  readonly f: number;
}

export const IDENTITY: Affine = { a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 };

export function applyAffine(m: Affine, p: Point): { x: number; y: number } {
  return { x: m.a * p.x + m.c * p.y + m.e, y: m.b * p.x + m.d * p.y + m.f };
}

/** `second ∘ first`: apply `first`, then `second`. */
export function composeAffine(second: Affine, first: Affine): Affine {
  return {
    a: second.a * first.a + second.c * first.b,
    b: second.b * first.a + second.d * first.b,
    c: second.a * first.c + second.c * first.d,
    d: second.b * first.c + second.d * first.d,
    e: second.a * first.e + second.c * first.f + second.e,
    f: second.b * first.e + second.d * first.f + second.f,
  };
}

export function determinant(m: Affine): number {
  return m.a * m.d - m.b * m.c;
}

/** The inverse map; throws for a degenerate (non-invertible) one, which no view or fit should make. */
export function invertAffine(m: Affine): Affine {
  const det = determinant(m);
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new RangeError('The transform cannot be inverted (it collapses the plane).');
  return {
    a: m.d / det,
    b: -m.b / det,
    c: -m.c / det,
    d: m.a / det,
    e: (m.c * m.f - m.d * m.e) / det,
    f: (m.b * m.e - m.a * m.f) / det,
  };
}

/** For an SVG `transform` attribute or CSS `transform`. */
export function affineToCss(m: Affine): string {
  return `matrix(${m.a} ${m.b} ${m.c} ${m.d} ${m.e} ${m.f})`;
}
