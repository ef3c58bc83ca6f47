/**
 * Reading and driving the deep-zoom panes from a test. Each pane writes where it is looking
 * (image pixel at its centre, CSS pixels per image pixel, rotation, mirror) on its element every
 * frame; with the pane's box that gives the exact screen position of any image point, so a test
 * can click on a landmark of the photograph as a clinician would.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import type { Point } from '../../../shared/contract';
import { applyAffine, invertAffine } from '../../../shared/viewer/affine';
import { poseToAffine, type ViewPose } from '../../../shared/viewer/pose';

export async function panePose(pane: Locator): Promise<ViewPose> {
  const d = await pane.evaluate((el) => ({ ...(el as unknown as { dataset: Record<string, string | undefined> }).dataset }));
  const n = (v: string | undefined, what: string) => {
    const x = Number(v);
    if (v === undefined || !Number.isFinite(x)) throw new Error(`The pane has no ${what} yet.`);
    return x;
  };
  return {
    center: { x: n(d.centerX, 'centre'), y: n(d.centerY, 'centre') },
    scale: n(d.scale, 'scale'),
    rotation: n(d.rotation, 'rotation'),
    flip: d.flip === 'true',
  };
}

/** Waits until the pane's view has stopped moving (OpenSeadragon animates zoom, pan and rotation). */
export async function settled(pane: Locator): Promise<ViewPose> {
  let last = '';
  let pose: ViewPose | null = null;
  await expect
    .poll(
      async () => {
        pose = await panePose(pane);
        const now = JSON.stringify(pose);
        const same = now === last;
        last = now;
        return same;
      },
      { intervals: [250], timeout: 20_000 },
    )
    .toBe(true);
  return pose!;
}

/** The page position (for page.mouse) of an image point in a pane at its current view. */
export async function imageToPage(pane: Locator, p: Point): Promise<{ x: number; y: number }> {
  const osd = pane.locator('.pane-osd');
  const box = await osd.boundingBox();
  if (!box) throw new Error('The pane is not on screen.');
  const pose = await panePose(pane);
  const s = applyAffine(poseToAffine(pose, { width: box.width, height: box.height }), p);
  return { x: box.x + s.x, y: box.y + s.y };
}

/** The image point under a page position in a pane (the inverse of imageToPage). */
export async function pageToImage(pane: Locator, page: { x: number; y: number }): Promise<Point> {
  const osd = pane.locator('.pane-osd');
  const box = await osd.boundingBox();
  if (!box) throw new Error('The pane is not on screen.');
  const pose = await panePose(pane);
  return applyAffine(invertAffine(poseToAffine(pose, { width: box.width, height: box.height })), { x: page.x - box.x, y: page.y - box.y });
}

/** A mouse drag inside a pane, in steps so OpenSeadragon sees a pan. */
export async function dragBy(page: Page, pane: Locator, dx: number, dy: number): Promise<void> {
  const box = await pane.locator('.pane-osd').boundingBox();
  if (!box) throw new Error('The pane is not on screen.');
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 1; i <= 8; i++) await page.mouse.move(x + (dx * i) / 8, y + (dy * i) / 8);
  await page.mouse.up();
}

/** Mouse-wheel zoom at a point of a pane (negative deltaY zooms in). */
export async function wheelAt(page: Page, pane: Locator, fx: number, fy: number, deltaY: number, times = 1): Promise<void> {
  const box = await pane.locator('.pane-osd').boundingBox();
  if (!box) throw new Error('The pane is not on screen.');
  await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy);
  for (let i = 0; i < times; i++) await page.mouse.wheel(0, deltaY);
}
