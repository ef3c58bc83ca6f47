import { describe, expect, it } from 'vitest';
import { applyAffine, composeAffine, invertAffine, type Affine } from '../../shared/viewer/affine';
import { followerPose, normaliseDegrees, poseToAffine, proportionalMap, type ViewPose } from '../../shared/viewer/pose';
import { mulberry32 } from '../../shared/seeded-random';
import { PaneSync, type SyncablePane } from '../../renderer/src/viewer/compare/pane-sync';
import { formatInterval } from '../../renderer/src/format/interval';
import { commandFor } from '../../renderer/src/viewer/keymap';
import { cssFilter, clampAdjustment, NEUTRAL } from '../../renderer/src/viewer/adjustments';

const pane = { width: 800, height: 600 };

function similarity(scale: number, deg: number, tx: number, ty: number): Affine {
  const r = (deg * Math.PI) / 180;
  return { a: scale * Math.cos(r), b: scale * Math.sin(r), c: -scale * Math.sin(r), d: scale * Math.cos(r), e: tx, f: ty };
}

describe('poseToAffine', () => {
  it('puts the centre image point at the pane centre and scales by the pose', () => {
    const m = poseToAffine({ center: { x: 1000, y: 500 }, scale: 0.5, rotation: 0, flip: false }, pane);
    expect(applyAffine(m, { x: 1000, y: 500 })).toEqual({ x: 400, y: 300 });
    expect(applyAffine(m, { x: 1100, y: 500 })).toEqual({ x: 450, y: 300 });
  });

  it('rotates clockwise on screen for a positive angle (image y points down)', () => {
    const m = poseToAffine({ center: { x: 0, y: 0 }, scale: 1, rotation: 90, flip: false }, pane);
    const p = applyAffine(m, { x: 100, y: 0 }); // to the right of centre…
    expect(p.x).toBeCloseTo(400, 9); // …ends up below it
    expect(p.y).toBeCloseTo(400, 9);
  });

  it('mirrors about the pane centre line after rotating', () => {
    const plain = poseToAffine({ center: { x: 0, y: 0 }, scale: 1, rotation: 30, flip: false }, pane);
    const flipped = poseToAffine({ center: { x: 0, y: 0 }, scale: 1, rotation: 30, flip: true }, pane);
    const a = applyAffine(plain, { x: 70, y: -20 });
    const b = applyAffine(flipped, { x: 70, y: -20 });
    expect(b.x).toBeCloseTo(pane.width - a.x, 9);
    expect(b.y).toBeCloseTo(a.y, 9);
  });
});

describe('followerPose', () => {
  it('keeps every image point under the same screen pixel through the map (random poses and maps)', () => {
    const random = mulberry32(5);
    for (let i = 0; i < 300; i++) {
      const leader: ViewPose = {
        center: { x: random() * 5000, y: random() * 4000 },
        scale: 0.02 + random() * 3,
        rotation: random() * 360,
        flip: random() < 0.5,
      };
      const map = similarity(0.2 + random() * 4, random() * 360 - 180, random() * 900 - 450, random() * 900 - 450);
      const follower = followerPose(leader, map);
      const screenA = poseToAffine(leader, pane);
      const screenB = poseToAffine(follower, pane);
      for (let k = 0; k < 4; k++) {
        const p = { x: random() * 5000, y: random() * 4000 };
        const a = applyAffine(screenA, p);
        const b = applyAffine(screenB, applyAffine(map, p));
        expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeLessThan(1e-6);
      }
      expect(follower.rotation).toBeGreaterThanOrEqual(0);
      expect(follower.rotation).toBeLessThan(360);
    }
  });

  it('maps a half-resolution copy proportionally, centre to centre', () => {
    const map = proportionalMap({ width: 4000, height: 3000 }, { width: 2000, height: 1500 });
    expect(applyAffine(map, { x: 2000, y: 1500 })).toEqual({ x: 1000, y: 750 });
    const f = followerPose({ center: { x: 400, y: 300 }, scale: 1, rotation: 0, flip: false }, map);
    expect(f.center).toEqual({ x: 200, y: 150 });
    expect(f.scale).toBe(2);
  });

  it('centres images of different aspect ratios on each other', () => {
    const map = proportionalMap({ width: 4000, height: 3000 }, { width: 2000, height: 2000 });
    expect(applyAffine(map, { x: 2000, y: 1500 })).toEqual({ x: 1000, y: 1000 });
  });

  it('normalises angles into [0, 360)', () => {
    expect(normaliseDegrees(-90)).toBe(270);
    expect(normaliseDegrees(720)).toBe(0);
    expect(normaliseDegrees(359.5)).toBe(359.5);
  });
});

class FakePane implements SyncablePane {
  constructor(public current: ViewPose) {}
  sets = 0;
  pose(): ViewPose {
    return this.current;
  }
  setPose(pose: ViewPose): void {
    this.sets += 1;
    this.current = pose;
  }
}

describe('PaneSync', () => {
  const start: ViewPose = { center: { x: 0, y: 0 }, scale: 1, rotation: 0, flip: false };

  it('moves followers from the leader through the maps, and ignores followers’ own reports', () => {
    const toB = similarity(2, 15, 30, -40);
    const toC = similarity(0.5, -70, 5, 9);
    const panes = [new FakePane(start), new FakePane(start), new FakePane(start)];
    const sync = new PaneSync();
    sync.setPanes(panes, [{ a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 }, toB, toC]);
    const leaderPose: ViewPose = { center: { x: 120, y: 80 }, scale: 0.7, rotation: 10, flip: false };
    panes[0]!.current = leaderPose;
    sync.moved(0, leaderPose);
    expect(panes[1]!.current).toEqual(followerPose(leaderPose, toB));
    expect(panes[2]!.current).toEqual(followerPose(leaderPose, toC));
    // A follower echoing its new pose changes nothing.
    const setsBefore = panes[0]!.sets;
    sync.moved(1, panes[1]!.current);
    expect(panes[0]!.sets).toBe(setsBefore);
  });

  it('lets any pane lead: B leading sets A and C through B → reference → C', () => {
    const toB = similarity(2, 15, 30, -40);
    const toC = similarity(0.5, -70, 5, 9);
    const panes = [new FakePane(start), new FakePane(start), new FakePane(start)];
    const sync = new PaneSync();
    sync.setPanes(panes, [{ a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 }, toB, toC]);
    sync.lead(1);
    const bPose: ViewPose = { center: { x: 300, y: 200 }, scale: 1.3, rotation: 200, flip: true };
    panes[1]!.current = bPose;
    sync.moved(1, bPose);
    const screenB = poseToAffine(bPose, pane);
    const p = { x: 50, y: 60 }; // a point of the reference image
    const viaA = applyAffine(poseToAffine(panes[0]!.current, pane), p);
    const viaB = applyAffine(screenB, applyAffine(toB, p));
    const viaC = applyAffine(poseToAffine(panes[2]!.current, pane), applyAffine(toC, p));
    expect(Math.hypot(viaA.x - viaB.x, viaA.y - viaB.y)).toBeLessThan(1e-6);
    expect(Math.hypot(viaC.x - viaB.x, viaC.y - viaB.y)).toBeLessThan(1e-6);
    expect(sync.mapBetween(1, 2)).toEqual(composeAffine(toC, invertAffine(toB)));
  });
});

describe('formatInterval', () => {
  it('says calendar months and years as a clinician would', () => {
    expect(formatInterval('2026-05-03T10:00:00Z', '2026-11-03T09:00:00Z')).toBe('6 months');
    expect(formatInterval('2025-11-20T10:00:00Z', '2026-11-24T10:00:00Z')).toBe('1 year');
    expect(formatInterval('2025-09-01T10:00:00Z', '2026-11-24T10:00:00Z')).toBe('1 year 3 months'); // 14 months and 23 days
    expect(formatInterval('2026-11-01T10:00:00Z', '2026-11-12T10:00:00Z')).toBe('11 days');
    expect(formatInterval('2025-11-23T10:00:00Z', '2026-05-21T10:00:00Z')).toBe('6 months');
    expect(formatInterval('2025-11-23T10:00:00Z', '2026-05-07T10:00:00Z')).toBe('5 months');
    expect(formatInterval('2026-10-01T10:00:00Z', '2026-10-30T10:00:00Z')).toBe('1 month');
    expect(formatInterval('2025-11-23T10:00:00Z', '2026-11-22T10:00:00Z')).toBe('1 year');
    expect(formatInterval('2026-11-12T10:00:00Z', '2026-11-01T10:00:00Z')).toBe('11 days');
    expect(formatInterval('2026-11-12T08:00:00Z', '2026-11-12T18:00:00Z')).toBe('same day');
    expect(formatInterval('nonsense', '2026-11-12T18:00:00Z')).toBe('unknown interval');
  });
});

describe('viewer keys and adjustments', () => {
  const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) =>
    commandFor({ key: k, ctrlKey: false, metaKey: false, altKey: false, ...mods });

  it('maps the issue’s keys and leaves browser shortcuts alone', () => {
    expect(key('+')).toBe('zoom-in');
    expect(key('-')).toBe('zoom-out');
    expect(key('0')).toBe('fit');
    expect(key('1')).toBe('actual-pixels');
    expect(key('ArrowLeft')).toBe('pan-left');
    expect(key('r')).toBe('rotate-cw');
    expect(key('R')).toBe('rotate-ccw');
    expect(key('f')).toBe('flip');
    expect(key('[')).toBe('previous-image');
    expect(key(']')).toBe('next-image');
    expect(key('c')).toBe('compare');
    expect(key('Escape')).toBe('leave-mode');
    expect(key('?')).toBe('help');
    expect(key('r', { ctrlKey: true })).toBeNull();
    expect(key('x')).toBeNull();
  });

  it('builds no filter for a neutral view and clamps out-of-range values', () => {
    expect(cssFilter(NEUTRAL, 'g')).toBe('none');
    expect(cssFilter({ ...NEUTRAL, gamma: 1.5, contrast: 1.2 }, 'g')).toBe('url(#g) contrast(1.2)');
    expect(clampAdjustment('brightness', 9)).toBe(1.8);
    expect(clampAdjustment('saturation', Number.NaN)).toBe(1);
  });
});
