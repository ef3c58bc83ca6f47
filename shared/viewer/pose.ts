import type { Point } from '../contract/annotation';
import { composeAffine, type Affine } from './affine';

/**
 * Where a pane is looking, in its image's own pixels, so two panes showing images of different
 * resolutions can be compared: the image point at the pane's centre, how many CSS pixels one
 * image pixel covers, the rotation (degrees, clockwise on screen) and a horizontal mirror.
 */
export interface ViewPose {
  readonly center: Point;
  readonly scale: number;
  readonly rotation: number;
  readonly flip: boolean;
}

export interface PaneSize {
  readonly width: number;
  readonly height: number;
}

/** Degrees folded into [0, 360). */
export function normaliseDegrees(deg: number): number {
  const r = deg % 360;
  return r < 0 ? r + 360 : r;
}

/**
 * Image pixels → pane CSS pixels for a pose. OpenSeadragon rotates about the view centre and
 * mirrors the rendered frame last (its drawers flip the whole output about the vertical centre
 * line), so the map is: move the centre to the origin, scale, rotate, mirror, move to the
 * pane's centre.
 */
export function poseToAffine(pose: ViewPose, pane: PaneSize): Affine {
  const rad = (pose.rotation * Math.PI) / 180;
  const cos = Math.cos(rad) * pose.scale;
  const sin = Math.sin(rad) * pose.scale;
  const m = pose.flip ? -1 : 1;
  const rotateScale: Affine = { a: m * cos, b: sin, c: -m * sin, d: cos, e: 0, f: 0 };
  const toOrigin: Affine = { a: 1, b: 0, c: 0, d: 1, e: -pose.center.x, f: -pose.center.y };
  const toPaneCentre: Affine = { a: 1, b: 0, c: 0, d: 1, e: pane.width / 2, f: pane.height / 2 };
  return composeAffine(toPaneCentre, composeAffine(rotateScale, toOrigin));
}

/**
 * The pose a follower pane must take so every image point under the leader's pixels is, through
 * `leaderToFollower` (a similarity from the leader's image pixels to the follower's; identity
 * for images of the same framing, a scaling for different resolutions, or a fitted alignment),
 * under the same pixels of the follower. With q = s·R(φ)·p + t, for the screen maps to agree:
 * the centre goes through the map, the scale divides by s, the rotation loses φ, the mirror is
 * shared.
 */
export function followerPose(leader: ViewPose, leaderToFollower: Affine): ViewPose {
  const t = leaderToFollower;
  const s = Math.hypot(t.a, t.b);
  const phi = (Math.atan2(t.b, t.a) * 180) / Math.PI;
  return {
    center: { x: t.a * leader.center.x + t.c * leader.center.y + t.e, y: t.b * leader.center.x + t.d * leader.center.y + t.f },
    scale: leader.scale / s,
    rotation: normaliseDegrees(leader.rotation - phi),
    flip: leader.flip,
  };
}

/**
 * The default map between two images shown side by side with no alignment: the same relative
 * position, scaled by the widths, so a half-resolution copy of a photograph stays in step.
 */
export function proportionalMap(from: PaneSize, to: PaneSize): Affine {
  const s = to.width / from.width;
  return { a: s, b: 0, c: 0, d: s, e: 0, f: (to.height - from.height * s) / 2 };
}
