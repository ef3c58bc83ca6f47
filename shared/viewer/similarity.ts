import type { Point } from '../contract/annotation';
import type { Affine } from './affine';

/**
 * Similarity transforms (uniform scale, rotation, translation) between two images' pixel
 * coordinates. A clinician aligns the same lesion photographed on different dates by marking two
 * landmarks in each image; two pairs fix exactly one similarity, and a similarity is all that a
 * hand-held photograph of a roughly flat patch of skin needs (no shear, no mirror).
 *
 * In complex form q = z·p + t with z = a + ib = s·e^{iφ}; multiplying out gives the CSS matrix
 * {a, b, c: -b, d: a, e, f}. Image y points down, so a positive φ turns clockwise on screen, the
 * same sense as OpenSeadragon's viewport rotation.
 */

/** Below this, hand-placed landmarks are too close to define a direction or a scale. */
const MIN_LANDMARK_SEPARATION_PX = 1;

export interface SimilarityParams {
  readonly scale: number;
  /** Degrees, clockwise on screen (image y down). */
  readonly rotationDeg: number;
  readonly tx: number;
  readonly ty: number;
}

function assertFinitePoint(p: Point, what: string): void {
  if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) {
    throw new RangeError(`The ${what} has a coordinate that is not a finite number.`);
  }
}

/**
 * The unique similarity taking `from[0]` → `to[0]` and `from[1]` → `to[1]`.
 * Throws a RangeError when either pair of landmarks is closer than 1 px.
 */
export function fitSimilarity(from: readonly [Point, Point], to: readonly [Point, Point]): Affine {
  const [p0, p1] = from;
  const [q0, q1] = to;
  assertFinitePoint(p0, 'first landmark in the first image');
  assertFinitePoint(p1, 'second landmark in the first image');
  assertFinitePoint(q0, 'first landmark in the second image');
  assertFinitePoint(q1, 'second landmark in the second image');

  const px = p1.x - p0.x;
  const py = p1.y - p0.y;
  const qx = q1.x - q0.x;
  const qy = q1.y - q0.y;
  const pLen2 = px * px + py * py;
  const qLen2 = qx * qx + qy * qy;
  if (!(pLen2 >= MIN_LANDMARK_SEPARATION_PX ** 2)) {
    throw new RangeError(
      'The two landmarks in the first image are less than 1 pixel apart, so they cannot fix a scale or rotation. Place them further apart.',
    );
  }
  if (!(qLen2 >= MIN_LANDMARK_SEPARATION_PX ** 2)) {
    throw new RangeError(
      'The two landmarks in the second image are less than 1 pixel apart, so they cannot fix a scale or rotation. Place them further apart.',
    );
  }

  // z = dq / dp as complex numbers: dq · conj(dp) / |dp|².
  const a = (qx * px + qy * py) / pLen2;
  const b = (qy * px - qx * py) / pLen2;
  // t = q0 − z·p0, anchored on the first pair; the second pair then holds by construction of z.
  const e = q0.x - (a * p0.x - b * p0.y);
  const f = q0.y - (b * p0.x + a * p0.y);
  return { a, b, c: -b, d: a, e, f };
}

/**
 * The scale of the nearest similarity to `m`. Reading it from (a+d)/2 and (b−c)/2 rather than
 * from a and b alone means a matrix that has drifted by rounding through a chain of compositions
 * still gives the value a person would expect.
 */
export function similarityScale(m: Affine): number {
  return Math.hypot((m.a + m.d) / 2, (m.b - m.c) / 2);
}

/**
 * The rotation of the nearest similarity to `m`, in degrees folded into (−180, 180]; positive is
 * clockwise on screen because image y points down.
 */
export function similarityRotationDeg(m: Affine): number {
  const deg = (Math.atan2((m.b - m.c) / 2, (m.a + m.d) / 2) * 180) / Math.PI;
  // atan2 gives −180 for a half turn whose sine rounded to −0; one half turn should read one way.
  return deg <= -180 ? deg + 360 : deg;
}

/**
 * Whether `m` is a similarity (no shear, no mirror, non-zero scale). The tolerance is relative to
 * the scale, so the same value serves a 0.01× and a 100× alignment.
 */
export function isSimilarity(m: Affine, tolerance = 1e-9): boolean {
  const values = [m.a, m.b, m.c, m.d, m.e, m.f];
  if (!values.every(Number.isFinite)) return false;
  const s = similarityScale(m);
  if (!(s > 0)) return false;
  return Math.abs(m.a - m.d) <= tolerance * s && Math.abs(m.b + m.c) <= tolerance * s;
}

/**
 * cos and sin of a whole number of quarter turns come out exactly, so a 90° or 180° alignment
 * typed by a person does not pick up 6e-17 crumbs that later show as "−0.0000001°".
 */
function cosSinDeg(deg: number): [number, number] {
  const quarter = deg / 90;
  if (Number.isInteger(quarter)) {
    const k = ((quarter % 4) + 4) % 4;
    const table: readonly (readonly [number, number])[] = [
      [1, 0],
      [0, 1],
      [-1, 0],
      [0, -1],
    ];
    const entry = table[k];
    if (entry) return [entry[0], entry[1]];
  }
  const rad = (deg * Math.PI) / 180;
  return [Math.cos(rad), Math.sin(rad)];
}

/** q = scale·R(rotationDeg)·p + (tx, ty). */
export function similarityFrom(params: SimilarityParams): Affine {
  const { scale, rotationDeg, tx, ty } = params;
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new RangeError(`A similarity needs a finite, positive scale (got ${String(scale)}).`);
  }
  if (!Number.isFinite(rotationDeg)) {
    throw new RangeError(`A similarity needs a finite rotation (got ${String(rotationDeg)}).`);
  }
  if (!Number.isFinite(tx) || !Number.isFinite(ty)) {
    throw new RangeError(`A similarity needs a finite translation (got ${String(tx)}, ${String(ty)}).`);
  }
  const [cos, sin] = cosSinDeg(rotationDeg);
  const a = scale * cos;
  const b = scale * sin;
  // `0 * -1` is −0; normalising keeps the matrix printable and comparable with toEqual.
  return { a: a + 0, b: b + 0, c: -b + 0, d: a + 0, e: tx, f: ty };
}
