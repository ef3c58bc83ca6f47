import { describe, expect, it } from 'vitest';
import { AnnotationShape } from '../../shared/contract/annotation';
import {
  calibrateMmPerPixel,
  ellipseAreaPx,
  ellipseDiametersPx,
  formatMeasurement,
  lengthPx,
  lineLengthMm,
  maxDiameterPx,
  measureShape,
  pathLengthPx,
  polygonAreaPx,
  polygonPerimeterPx,
  rectAreaPx,
} from '../../shared/viewer/measure';

const triangle = [
  { x: 10, y: 10 },
  { x: 13, y: 10 },
  { x: 10, y: 14 },
];
const squareClockwise = [
  { x: 0, y: 0 },
  { x: 1, y: 0 },
  { x: 1, y: 1 },
  { x: 0, y: 1 },
];
const squareAnticlockwise = [...squareClockwise].reverse();

describe('geometry in pixels', () => {
  it('measures lengths', () => {
    expect(lengthPx({ x: 0, y: 0 }, { x: 3, y: 4 })).toBe(5);
    expect(lengthPx({ x: 7, y: 7 }, { x: 7, y: 7 })).toBe(0);
  });

  it('measures a 3-4-5 triangle', () => {
    expect(polygonAreaPx(triangle)).toBe(6);
    expect(polygonPerimeterPx(triangle)).toBe(12);
    expect(maxDiameterPx(triangle)).toBe(5);
    expect(pathLengthPx(triangle)).toBe(8);
  });

  it('gives a unit square area 1 whichever way it was drawn', () => {
    expect(polygonAreaPx(squareClockwise)).toBe(1);
    expect(polygonAreaPx(squareAnticlockwise)).toBe(1);
    expect(polygonPerimeterPx(squareAnticlockwise)).toBe(4);
    expect(maxDiameterPx(squareClockwise)).toBeCloseTo(Math.SQRT2, 15);
  });

  it('keeps precision far from the origin', () => {
    const far = squareClockwise.map((p) => ({ x: p.x + 40_000_123.5, y: p.y + 30_000_456.25 }));
    expect(polygonAreaPx(far)).toBe(1);
  });

  it('measures a non-convex polygon (an L of area 3)', () => {
    const l = [
      { x: 0, y: 0 },
      { x: 2, y: 0 },
      { x: 2, y: 1 },
      { x: 1, y: 1 },
      { x: 1, y: 2 },
      { x: 0, y: 2 },
    ];
    expect(polygonAreaPx(l)).toBe(3);
    expect(polygonPerimeterPx(l)).toBe(8);
    expect(maxDiameterPx(l)).toBeCloseTo(Math.hypot(2, 2), 15);
  });

  it('measures rectangles and ellipses', () => {
    expect(rectAreaPx(4, 2.5)).toBe(10);
    expect(ellipseDiametersPx(3, 5)).toEqual({ major: 10, minor: 6 });
    expect(ellipseDiametersPx(5, 3)).toEqual({ major: 10, minor: 6 });
    expect(ellipseAreaPx(5, 5)).toBeCloseTo(78.5398163397, 9);
  });

  it('treats degenerate inputs as zero', () => {
    expect(polygonAreaPx([])).toBe(0);
    expect(polygonPerimeterPx([{ x: 1, y: 1 }])).toBe(0);
    expect(pathLengthPx([{ x: 1, y: 1 }])).toBe(0);
    expect(maxDiameterPx([])).toBe(0);
  });
});

describe('calibration', () => {
  it('derives mm per pixel from a ruler and measures a 10 mm line', () => {
    // 20 mm of ruler spans 400 px.
    const mmPerPixel = calibrateMmPerPixel({ x: 100, y: 100 }, { x: 340, y: 420 }, 20);
    expect(mmPerPixel).toBeCloseTo(0.05, 15);
    expect(lineLengthMm({ x: 1000, y: 500 }, { x: 1120, y: 660 }, mmPerPixel)).toBeCloseTo(10, 12);
    const [length] = measureShape({ kind: 'line', from: { x: 1000, y: 500 }, to: { x: 1200, y: 500 } }, mmPerPixel);
    expect(length?.unit).toBe('mm');
    expect(length?.value).toBeCloseTo(10, 12);
    expect(length && formatMeasurement(length)).toBe('Length 10.0 mm');
  });

  it('refuses a calibration line shorter than 10 px', () => {
    expect(() => calibrateMmPerPixel({ x: 0, y: 0 }, { x: 6, y: 7.9 }, 1)).toThrow(RangeError);
    expect(() => calibrateMmPerPixel({ x: 0, y: 0 }, { x: 6, y: 7.9 }, 1)).toThrow(/9\.9 pixels long; draw it along at least 10 pixels/);
    expect(() => calibrateMmPerPixel({ x: 0, y: 0 }, { x: 6, y: 8 }, 1)).not.toThrow();
    expect(() => calibrateMmPerPixel({ x: Number.NaN, y: 0 }, { x: 60, y: 80 }, 1)).toThrow(RangeError);
  });

  it('refuses a ruler length that is not a finite positive number up to 1000 mm', () => {
    const a = { x: 0, y: 0 };
    const b = { x: 400, y: 0 };
    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, 1000.5]) {
      expect(() => calibrateMmPerPixel(a, b, bad), String(bad)).toThrow(/ruler length must be a number of millimetres/);
    }
    expect(calibrateMmPerPixel(a, b, 1000)).toBe(2.5);
  });

  it('refuses a bad image scale when measuring', () => {
    expect(() => lineLengthMm({ x: 0, y: 0 }, { x: 1, y: 1 }, 0)).toThrow(RangeError);
    expect(() => measureShape({ kind: 'line', from: { x: 0, y: 0 }, to: { x: 1, y: 1 } }, Number.NaN)).toThrow(/millimetres per pixel/);
    expect(() => measureShape({ kind: 'point', at: { x: 0, y: 0 } }, -1)).toThrow(RangeError);
  });
});

describe('measureShape', () => {
  const k = 0.1; // mm per pixel

  it('gives nothing for a point', () => {
    expect(measureShape({ kind: 'point', at: { x: 5, y: 5 } }, k)).toEqual([]);
    expect(measureShape({ kind: 'point', at: { x: 5, y: 5 } }, null)).toEqual([]);
  });

  it('measures a line', () => {
    const line = AnnotationShape.parse({ kind: 'line', from: { x: 0, y: 0 }, to: { x: 30, y: 40 } });
    expect(measureShape(line, k)).toEqual([{ label: 'Length', value: 5, unit: 'mm' }]);
    expect(measureShape(line, null)).toEqual([{ label: 'Length', value: 50, unit: 'px' }]);
  });

  it('measures a rectangle', () => {
    const rect = AnnotationShape.parse({ kind: 'rect', x: 10, y: 20, width: 40, height: 25 });
    const mm = measureShape(rect, k);
    expect(mm.map((m) => [m.label, m.unit])).toEqual([
      ['Width', 'mm'],
      ['Height', 'mm'],
      ['Area', 'mm²'],
    ]);
    expect(mm[0]?.value).toBeCloseTo(4, 12);
    expect(mm[1]?.value).toBeCloseTo(2.5, 12);
    expect(mm[2]?.value).toBeCloseTo(10, 12);
    expect(measureShape(rect, null)).toEqual([
      { label: 'Width', value: 40, unit: 'px' },
      { label: 'Height', value: 25, unit: 'px' },
      { label: 'Area', value: 1000, unit: 'px²' },
    ]);
  });

  it('measures an ellipse, and a circle of radius 5 mm has area 78.5 mm²', () => {
    const circle = AnnotationShape.parse({ kind: 'ellipse', center: { x: 100, y: 100 }, rx: 50, ry: 50 });
    const [major, minor, area] = measureShape(circle, k);
    expect(major).toMatchObject({ label: 'Major diameter', unit: 'mm' });
    expect(major?.value).toBeCloseTo(10, 12);
    expect(minor?.value).toBeCloseTo(10, 12);
    expect(area).toMatchObject({ label: 'Area', unit: 'mm²' });
    expect(area?.value).toBeCloseTo(25 * Math.PI, 10);
    expect(area && formatMeasurement(area)).toBe('Area 78.5 mm²');

    const oval = AnnotationShape.parse({ kind: 'ellipse', center: { x: 100, y: 100 }, rx: 20, ry: 60 });
    expect(measureShape(oval, null)).toEqual([
      { label: 'Major diameter', value: 120, unit: 'px' },
      { label: 'Minor diameter', value: 40, unit: 'px' },
      { label: 'Area', value: Math.PI * 1200, unit: 'px²' },
    ]);
  });

  it('measures a polygon', () => {
    const polygon = AnnotationShape.parse({ kind: 'polygon', points: triangle });
    expect(measureShape(polygon, null)).toEqual([
      { label: 'Area', value: 6, unit: 'px²' },
      { label: 'Perimeter', value: 12, unit: 'px' },
      { label: 'Maximum diameter', value: 5, unit: 'px' },
    ]);
    const [area, perimeter, diameter] = measureShape(polygon, 2);
    expect(area).toEqual({ label: 'Area', value: 24, unit: 'mm²' });
    expect(perimeter).toEqual({ label: 'Perimeter', value: 24, unit: 'mm' });
    expect(diameter).toEqual({ label: 'Maximum diameter', value: 10, unit: 'mm' });
  });

  it('measures a freehand path, with an enclosed area only from three points', () => {
    const open = AnnotationShape.parse({ kind: 'freehand', points: [{ x: 0, y: 0 }, { x: 3, y: 4 }] });
    expect(measureShape(open, null)).toEqual([{ label: 'Path length', value: 5, unit: 'px' }]);
    const outline = AnnotationShape.parse({ kind: 'freehand', points: squareAnticlockwise.map((p) => ({ x: p.x * 10, y: p.y * 10 })) });
    const [length, area] = measureShape(outline, k);
    // Open path: three sides, not four.
    expect(length?.label).toBe('Path length');
    expect(length?.value).toBeCloseTo(3, 12);
    expect(area?.label).toBe('Enclosed area');
    expect(area?.unit).toBe('mm²');
    expect(area?.value).toBeCloseTo(1, 12);
  });
});

describe('formatMeasurement', () => {
  it('uses one decimal for millimetres under 1000', () => {
    expect(formatMeasurement({ label: 'Length', value: 10, unit: 'mm' })).toBe('Length 10.0 mm');
    expect(formatMeasurement({ label: 'Length', value: 0.04, unit: 'mm' })).toBe('Length 0.0 mm');
    expect(formatMeasurement({ label: 'Area', value: 78.539816, unit: 'mm²' })).toBe('Area 78.5 mm²');
    expect(formatMeasurement({ label: 'Area', value: 999.9, unit: 'mm²' })).toBe('Area 999.9 mm²');
  });

  it('uses whole numbers with grouping from 1000 up', () => {
    expect(formatMeasurement({ label: 'Area', value: 1234.56, unit: 'mm²' })).toBe('Area 1,235 mm²');
    expect(formatMeasurement({ label: 'Area', value: 999.96, unit: 'mm²' })).toBe('Area 1,000 mm²');
    expect(formatMeasurement({ label: 'Perimeter', value: 25000, unit: 'mm' })).toBe('Perimeter 25,000 mm');
  });

  it('shows pixels as whole numbers', () => {
    expect(formatMeasurement({ label: 'Length', value: 412.4, unit: 'px' })).toBe('Length 412 px');
    expect(formatMeasurement({ label: 'Area', value: 1234567.8, unit: 'px²' })).toBe('Area 1,234,568 px²');
  });
});
