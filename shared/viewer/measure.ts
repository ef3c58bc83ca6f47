import type { AnnotationShape, Point } from '../contract/annotation';

/**
 * Clinical measurements of drawn shapes. Everything is computed in image pixels first and
 * converted once at the end, so the same code serves calibrated images (mm) and uncalibrated
 * ones (px), and a lesion's size never depends on how far the viewer is zoomed.
 */

export type MeasurementUnit = 'mm' | 'mm²' | 'px' | 'px²';

export interface Measurement {
  readonly label: string;
  readonly value: number;
  readonly unit: MeasurementUnit;
}

/**
 * A calibration line shorter than this is dominated by where the clicks landed: one pixel of
 * error on 10 px is already 10 %.
 */
export const MIN_CALIBRATION_PX = 10;
/** Rulers in clinical photographs are a few centimetres; a metre means a typo (e.g. µm). */
export const MAX_CALIBRATION_MM = 1000;

export function lengthPx(a: Point, b: Point): number {
  return Math.hypot(b.x - a.x, b.y - a.y);
}

/** Millimetres per image pixel from a line drawn along `knownMm` of a ruler in the photograph. */
export function calibrateMmPerPixel(from: Point, to: Point, knownMm: number): number {
  if (!Number.isFinite(knownMm) || knownMm <= 0 || knownMm > MAX_CALIBRATION_MM) {
    throw new RangeError(
      `The ruler length must be a number of millimetres greater than 0 and at most ${MAX_CALIBRATION_MM} (got ${String(knownMm)}).`,
    );
  }
  const px = lengthPx(from, to);
  if (!(px >= MIN_CALIBRATION_PX)) {
    throw new RangeError(
      `The calibration line is ${Number.isFinite(px) ? px.toFixed(1) : String(px)} pixels long; draw it along at least ${MIN_CALIBRATION_PX} pixels of the ruler (longer is more accurate).`,
    );
  }
  return knownMm / px;
}

function assertMmPerPixel(mmPerPixel: number): void {
  if (!Number.isFinite(mmPerPixel) || mmPerPixel <= 0) {
    throw new RangeError(`The image scale must be a finite, positive number of millimetres per pixel (got ${String(mmPerPixel)}).`);
  }
}

export function lineLengthMm(from: Point, to: Point, mmPerPixel: number): number {
  assertMmPerPixel(mmPerPixel);
  return lengthPx(from, to) * mmPerPixel;
}

export function rectAreaPx(width: number, height: number): number {
  return width * height;
}

/** Major and minor diameters of an axis-aligned ellipse, largest first whichever axis it lies on. */
export function ellipseDiametersPx(rx: number, ry: number): { major: number; minor: number } {
  return { major: 2 * Math.max(rx, ry), minor: 2 * Math.min(rx, ry) };
}

export function ellipseAreaPx(rx: number, ry: number): number {
  return Math.PI * rx * ry;
}

/**
 * Shoelace area of the closed polygon through `points`, absolute so the direction a clinician
 * happened to draw in does not change the sign. Coordinates are taken relative to the first
 * vertex: on a 40 000-pixel image the raw cross products would lose digits to cancellation.
 */
export function polygonAreaPx(points: readonly Point[]): number {
  const first = points[0];
  if (!first || points.length < 3) return 0;
  let twice = 0;
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i];
    const q = points[i + 1];
    if (!p || !q) continue;
    twice += (p.x - first.x) * (q.y - first.y) - (q.x - first.x) * (p.y - first.y);
  }
  return Math.abs(twice) / 2;
}

/** Length of the open path through `points`. */
export function pathLengthPx(points: readonly Point[]): number {
  let total = 0;
  for (let i = 1; i < points.length; i++) {
    const p = points[i - 1];
    const q = points[i];
    if (p && q) total += lengthPx(p, q);
  }
  return total;
}

/** Perimeter of the closed polygon: the open path plus the edge back to the start. */
export function polygonPerimeterPx(points: readonly Point[]): number {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last || points.length < 2) return 0;
  return pathLengthPx(points) + lengthPx(last, first);
}

/**
 * The longest distance between any two vertices: the "maximum diameter" a dermatologist records
 * for an irregular lesion. Quadratic, which is fine for the contract's 1000-vertex limit
 * (half a million squared distances, one square root).
 */
export function maxDiameterPx(points: readonly Point[]): number {
  let best = 0;
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    if (!p) continue;
    for (let j = i + 1; j < points.length; j++) {
      const q = points[j];
      if (!q) continue;
      const dx = q.x - p.x;
      const dy = q.y - p.y;
      const d2 = dx * dx + dy * dy;
      if (d2 > best) best = d2;
    }
  }
  return Math.sqrt(best);
}

/**
 * The measurements a shape supports, in mm and mm² when the image's scale is known, otherwise
 * the same quantities in px and px² so an uncalibrated image still shows relative sizes.
 */
export function measureShape(shape: AnnotationShape, mmPerPixel: number | null): Measurement[] {
  if (mmPerPixel !== null) assertMmPerPixel(mmPerPixel);
  const k = mmPerPixel ?? 1;
  const lengthUnit: MeasurementUnit = mmPerPixel === null ? 'px' : 'mm';
  const areaUnit: MeasurementUnit = mmPerPixel === null ? 'px²' : 'mm²';
  const length = (label: string, px: number): Measurement => ({ label, value: px * k, unit: lengthUnit });
  const area = (label: string, px2: number): Measurement => ({ label, value: px2 * k * k, unit: areaUnit });

  switch (shape.kind) {
    case 'point':
      return [];
    case 'line':
      return [length('Length', lengthPx(shape.from, shape.to))];
    case 'rect':
      return [length('Width', shape.width), length('Height', shape.height), area('Area', rectAreaPx(shape.width, shape.height))];
    case 'ellipse': {
      const { major, minor } = ellipseDiametersPx(shape.rx, shape.ry);
      return [length('Major diameter', major), length('Minor diameter', minor), area('Area', ellipseAreaPx(shape.rx, shape.ry))];
    }
    case 'polygon':
      return [
        area('Area', polygonAreaPx(shape.points)),
        length('Perimeter', polygonPerimeterPx(shape.points)),
        length('Maximum diameter', maxDiameterPx(shape.points)),
      ];
    case 'freehand': {
      const out = [length('Path length', pathLengthPx(shape.points))];
      // A freehand outline round a lesion is usually left a little open; closing it is what the
      // clinician means. Two points enclose nothing.
      if (shape.points.length >= 3) out.push(area('Enclosed area', polygonAreaPx(shape.points)));
      return out;
    }
  }
}

const ONE_DECIMAL = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const WHOLE = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });

/**
 * "Length 10.0 mm", "Area 1,234 mm²", "Length 412 px". Tenths of a millimetre matter for small
 * lesions; above 1000 they are noise and only make the figure harder to read. Pixel counts are
 * never meaningful below one pixel.
 */
export function formatMeasurement(m: Measurement): string {
  const metric = m.unit === 'mm' || m.unit === 'mm²';
  // Decide on the rounded value so 999.96 reads "1,000", never "1,000.0".
  const useDecimal = metric && Math.round(Math.abs(m.value) * 10) / 10 < 1000;
  const number = useDecimal ? ONE_DECIMAL.format(m.value) : WHOLE.format(m.value);
  return `${m.label} ${number} ${m.unit}`;
}
