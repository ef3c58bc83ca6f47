import { composeAffine, invertAffine, type Affine } from '../../../../shared/viewer/affine';
import { followerPose, type ViewPose } from '../../../../shared/viewer/pose';

/** What the sync needs of a pane (a DeepZoomPane handle satisfies it). */
export interface SyncablePane {
  pose(): ViewPose | null;
  setPose(pose: ViewPose, immediately: boolean): void;
}

/**
 * Keeps up to four panes in step in image coordinates. `maps[i]` takes the reference image's
 * pixels (pane 0's) to pane i's image pixels: identity for the reference, a proportional scaling
 * for an unaligned image, a fitted similarity once aligned. The pane the clinician is driving
 * leads; the others are set, immediately, to the pose that puts the same image points under the
 * same screen pixels. Only the leader's changes are propagated, so followers never echo back.
 */
export class PaneSync {
  private leader = 0;
  private maps: readonly Affine[] = [];
  private panes: readonly (SyncablePane | null)[] = [];

  setPanes(panes: readonly (SyncablePane | null)[], maps: readonly Affine[]): void {
    this.panes = panes;
    this.maps = maps;
    if (this.leader >= panes.length) this.leader = 0;
  }

  lead(index: number): void {
    this.leader = index;
  }

  leaderIndex(): number {
    return this.leader;
  }

  /** A pane reported a new pose: pass it on if that pane leads. */
  moved(index: number, pose: ViewPose): void {
    if (index !== this.leader) return;
    this.propagate(index, pose);
  }

  /** Bring every pane into step with the leader (after a pane opened or an alignment changed). */
  resync(): void {
    const pose = this.panes[this.leader]?.pose();
    if (pose) this.propagate(this.leader, pose);
  }

  /** The map from pane `from`'s image pixels to pane `to`'s. */
  mapBetween(from: number, to: number): Affine | null {
    const a = this.maps[from];
    const b = this.maps[to];
    if (!a || !b) return null;
    return composeAffine(b, invertAffine(a));
  }

  private propagate(from: number, pose: ViewPose): void {
    this.panes.forEach((pane, i) => {
      if (i === from || !pane) return;
      const map = this.mapBetween(from, i);
      if (map) pane.setPose(followerPose(pose, map), true);
    });
  }
}
