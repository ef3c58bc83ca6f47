import { describe, expect, it } from 'vitest';
import { applyAffine, composeAffine, invertAffine, type Affine } from '../../shared/viewer/affine';
import {
  fitSimilarity,
  isSimilarity,
  similarityFrom,
  similarityRotationDeg,
  similarityScale,
} from '../../shared/viewer/similarity';
import { mulberry32 } from '../../shared/seeded-random';

type P = { x: number; y: number };

function expectPointClose(actual: P, expected: P, tolerance = 1e-9): void {
  expect(Math.abs(actual.x - expected.x)).toBeLessThanOrEqual(tolerance);
  expect(Math.abs(actual.y - expected.y)).toBeLessThanOrEqual(tolerance);
}

function expectAffineClose(actual: Affine, expected: Affine, tolerance = 1e-9): void {
  for (const k of ['a', 'b', 'c', 'd', 'e', 'f'] as const) {
    expect(Math.abs(actual[k] - expected[k]), `${k}: ${actual[k]} vs ${expected[k]}`).toBeLessThanOrEqual(tolerance);
  }
}

/** Difference of two angles folded into [0, 180], so 180 and −179.9999999 count as close. */
function angleGap(a: number, b: number): number {
  const d = Math.abs((((a - b) % 360) + 360) % 360);
  return Math.min(d, 360 - d);
}

describe('similarityFrom', () => {
  it('builds the complex-number form {a, b, -b, a, tx, ty}', () => {
    expect(similarityFrom({ scale: 2, rotationDeg: 0, tx: 5, ty: -3 })).toEqual({ a: 2, b: 0, c: 0, d: 2, e: 5, f: -3 });
    expect(similarityFrom({ scale: 2, rotationDeg: 90, tx: 0, ty: 0 })).toEqual({ a: 0, b: 2, c: -2, d: 0, e: 0, f: 0 });
    expect(similarityFrom({ scale: 1, rotationDeg: 180, tx: 0, ty: 0 })).toEqual({ a: -1, b: 0, c: 0, d: -1, e: 0, f: 0 });
    expect(similarityFrom({ scale: 1, rotationDeg: -90, tx: 0, ty: 0 })).toEqual({ a: 0, b: -1, c: 1, d: 0, e: 0, f: 0 });
    expect(similarityFrom({ scale: 1, rotationDeg: 450, tx: 0, ty: 0 })).toEqual({ a: 0, b: 1, c: -1, d: 0, e: 0, f: 0 });
  });

  it('turns clockwise on screen for a positive angle (image y down)', () => {
    // The +x axis turned by +90° points along +y, which is down the screen.
    expectPointClose(applyAffine(similarityFrom({ scale: 1, rotationDeg: 90, tx: 0, ty: 0 }), { x: 1, y: 0 }), { x: 0, y: 1 });
  });

  it('refuses non-finite or non-positive parameters', () => {
    expect(() => similarityFrom({ scale: 0, rotationDeg: 0, tx: 0, ty: 0 })).toThrow(RangeError);
    expect(() => similarityFrom({ scale: -1, rotationDeg: 0, tx: 0, ty: 0 })).toThrow(/positive scale/);
    expect(() => similarityFrom({ scale: 1, rotationDeg: Number.NaN, tx: 0, ty: 0 })).toThrow(/rotation/);
    expect(() => similarityFrom({ scale: 1, rotationDeg: 0, tx: Number.POSITIVE_INFINITY, ty: 0 })).toThrow(/translation/);
  });
});

describe('fitSimilarity', () => {
  const cases = [
    { scale: 1, rotationDeg: 0, tx: 0, ty: 0 },
    { scale: 1, rotationDeg: 0, tx: 120.5, ty: -42 },
    { scale: 2, rotationDeg: 90, tx: 10, ty: 20 },
    { scale: 1.5, rotationDeg: 180, tx: 3000, ty: 2000 },
    { scale: 0.25, rotationDeg: -37.5, tx: -17, ty: 88.25 },
    { scale: 3.7, rotationDeg: -37.5, tx: 400, ty: -250 },
    { scale: 3.7, rotationDeg: 12, tx: 0, ty: 0 },
    { scale: 0.25, rotationDeg: 135, tx: 1, ty: 1 },
  ];
  const from: readonly [P, P] = [
    { x: 812, y: 1460 },
    { x: 2390.5, y: 604 },
  ];

  for (const params of cases) {
    it(`recovers scale ${params.scale}, rotation ${params.rotationDeg}°, translation (${params.tx}, ${params.ty})`, () => {
      const truth = similarityFrom(params);
      const to: [P, P] = [applyAffine(truth, from[0]), applyAffine(truth, from[1])];
      const fit = fitSimilarity(from, to);
      expectAffineClose(fit, truth, 1e-9 * Math.max(1, Math.abs(params.tx), Math.abs(params.ty)));
      expect(similarityScale(fit)).toBeCloseTo(params.scale, 12);
      expect(angleGap(similarityRotationDeg(fit), params.rotationDeg)).toBeLessThan(1e-9);
      expect(isSimilarity(fit, 1e-9)).toBe(true);
      expectPointClose(applyAffine(fit, from[0]), to[0]);
      expectPointClose(applyAffine(fit, from[1]), to[1]);
    });
  }

  it('reads the rotation in (−180, 180]', () => {
    expect(similarityRotationDeg(similarityFrom({ scale: 1, rotationDeg: 180, tx: 0, ty: 0 }))).toBe(180);
    expect(similarityRotationDeg(similarityFrom({ scale: 1, rotationDeg: -180, tx: 0, ty: 0 }))).toBe(180);
    expect(similarityRotationDeg(similarityFrom({ scale: 1, rotationDeg: 270, tx: 0, ty: 0 }))).toBe(-90);
    expect(similarityRotationDeg(similarityFrom({ scale: 2, rotationDeg: -37.5, tx: 0, ty: 0 }))).toBeCloseTo(-37.5, 12);
  });

  it('maps the two landmark pairs exactly for arbitrary input', () => {
    const to: [P, P] = [
      { x: 100.25, y: 3000.5 },
      { x: 97, y: 10 },
    ];
    const fit = fitSimilarity(from, to);
    expectPointClose(applyAffine(fit, from[0]), to[0]);
    expectPointClose(applyAffine(fit, from[1]), to[1]);
  });

  it('inverting a fit gives the fit of the swapped pairs', () => {
    const to: [P, P] = [
      { x: 50, y: 700 },
      { x: 1400, y: 1210.75 },
    ];
    expectAffineClose(invertAffine(fitSimilarity(from, to)), fitSimilarity(to, from));
  });

  it('composes: image A → B then B → C equals the direct fit A → C', () => {
    const ab = similarityFrom({ scale: 0.5, rotationDeg: 30, tx: 100, ty: 200 });
    const bc = similarityFrom({ scale: 3, rotationDeg: -75, tx: -40, ty: 15 });
    const ac = composeAffine(bc, ab);
    expect(isSimilarity(ac)).toBe(true);
    expect(similarityScale(ac)).toBeCloseTo(1.5, 12);
    expect(similarityRotationDeg(ac)).toBeCloseTo(-45, 10);
    const direct = fitSimilarity(from, [applyAffine(bc, applyAffine(ab, from[0])), applyAffine(bc, applyAffine(ab, from[1]))]);
    expectAffineClose(direct, ac, 1e-9);
    const probe = { x: 1234, y: 567 };
    expectPointClose(applyAffine(direct, probe), applyAffine(bc, applyAffine(ab, probe)), 1e-8);
  });

  it('refuses landmarks closer than 1 px with a readable message', () => {
    const good: [P, P] = [
      { x: 0, y: 0 },
      { x: 100, y: 0 },
    ];
    expect(() => fitSimilarity([{ x: 5, y: 5 }, { x: 5, y: 5 }], good)).toThrow(RangeError);
    expect(() => fitSimilarity([{ x: 5, y: 5 }, { x: 5.5, y: 5.5 }], good)).toThrow(/first image are less than 1 pixel apart/);
    expect(() => fitSimilarity(good, [{ x: 9, y: 9 }, { x: 9, y: 9.9 }])).toThrow(/second image are less than 1 pixel apart/);
    expect(() => fitSimilarity(good, [{ x: Number.NaN, y: 0 }, { x: 9, y: 9 }])).toThrow(RangeError);
    // Exactly 1 px is enough.
    expect(() => fitSimilarity([{ x: 0, y: 0 }, { x: 1, y: 0 }], good)).not.toThrow();
  });
});

describe('isSimilarity', () => {
  it('rejects shear, mirror, non-uniform scale, a collapsed plane and non-finite entries', () => {
    expect(isSimilarity({ a: 1, b: 0, c: 0, d: 1, e: 5, f: 5 })).toBe(true);
    expect(isSimilarity({ a: 1, b: 0, c: 0.3, d: 1, e: 0, f: 0 })).toBe(false);
    expect(isSimilarity({ a: -1, b: 0, c: 0, d: 1, e: 0, f: 0 })).toBe(false);
    expect(isSimilarity({ a: 2, b: 0, c: 0, d: 1, e: 0, f: 0 })).toBe(false);
    expect(isSimilarity({ a: 0, b: 0, c: 0, d: 0, e: 0, f: 0 })).toBe(false);
    expect(isSimilarity({ a: 1, b: 0, c: 0, d: 1, e: Number.NaN, f: 0 })).toBe(false);
  });

  it('scales its tolerance with the matrix', () => {
    const wobble = { a: 100, b: 0, c: 0, d: 100 + 1e-8, e: 0, f: 0 };
    expect(isSimilarity(wobble, 1e-9)).toBe(true);
    expect(isSimilarity({ a: 1, b: 0, c: 0, d: 1 + 1e-6, e: 0, f: 0 }, 1e-9)).toBe(false);
    expect(isSimilarity({ a: 1, b: 0, c: 0, d: 1 + 1e-6, e: 0, f: 0 }, 1e-5)).toBe(true);
  });
});

describe('fitSimilarity on 200 seeded random transforms', () => {
  it('recovers each one and maps its landmarks', () => {
    const random = mulberry32(20240917);
    const range = (lo: number, hi: number) => lo + (hi - lo) * random();
    for (let i = 0; i < 200; i++) {
      const params = { scale: Math.exp(range(Math.log(0.05), Math.log(20))), rotationDeg: range(-180, 180), tx: range(-5000, 5000), ty: range(-5000, 5000) };
      const truth = similarityFrom(params);
      let p0: P;
      let p1: P;
      do {
        p0 = { x: range(0, 8000), y: range(0, 6000) };
        p1 = { x: range(0, 8000), y: range(0, 6000) };
        // Keep the fit well conditioned: landmarks at least 50 px apart in both images.
      } while (Math.hypot(p1.x - p0.x, p1.y - p0.y) * Math.min(1, params.scale) < 50);
      const to: [P, P] = [applyAffine(truth, p0), applyAffine(truth, p1)];
      const fit = fitSimilarity([p0, p1], to);
      const context = `case ${i}: ${JSON.stringify(params)}`;
      expect(isSimilarity(fit, 1e-12), context).toBe(true);
      expect(Math.abs(similarityScale(fit) - params.scale) / params.scale, context).toBeLessThan(1e-9);
      expect(angleGap(similarityRotationDeg(fit), params.rotationDeg), context).toBeLessThan(1e-8);
      expect(Math.abs(fit.e - params.tx), context).toBeLessThan(1e-6);
      expect(Math.abs(fit.f - params.ty), context).toBeLessThan(1e-6);
      expectPointClose(applyAffine(fit, p0), to[0], 1e-7);
      expectPointClose(applyAffine(fit, p1), to[1], 1e-7);
      expectAffineClose(invertAffine(fit), fitSimilarity(to, [p0, p1]), 1e-6);
    }
  });
});
