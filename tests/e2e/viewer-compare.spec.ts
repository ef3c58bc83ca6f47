/**
 * Must-show (issue #5), comparison over time on the demo data: a lesion photographed a year
 * ago, six months ago and now. The timeline lists all three dates; two panes stay in step in
 * image coordinates (centres within 1 px) both before and after a two-point alignment, which
 * adds scale and rotation; overlay and swipe show the two images as they should.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import sharp from 'sharp';
import type { ImageRecord, Referral } from '../../shared/contract';
import { applyAffine, invertAffine, type Affine } from '../../shared/viewer/affine';
import { normaliseDegrees, proportionalMap, type ViewPose } from '../../shared/viewer/pose';
import { fitSimilarity, similarityRotationDeg, similarityScale } from '../../shared/viewer/similarity';
import { E2E_URL } from '../../playwright.config';
import { allChanges, apiSignIn, DEMO_PASSWORD } from './support/service-instance';
import { dragBy, pageToImage, settled, wheelAt } from './support/viewer-ui';
import { goToHash, signInAt } from './support/workstation-ui';

interface Series {
  referrals: Referral[];
  images: ImageRecord[];
}

/** The Whitcombe series: one patient, lesion L1, three referrals a year, six months and days apart. */
async function whitcombeSeries(): Promise<Series> {
  const changes = await allChanges(E2E_URL, await apiSignIn(E2E_URL, 'consultant'));
  const referrals = new Map<string, Referral>();
  const images = new Map<string, ImageRecord>();
  for (const c of changes) {
    if (c.deleted) continue;
    if (c.type === 'referral') referrals.set(c.id, c.data);
    if (c.type === 'image') images.set(c.id, c.data);
  }
  const mine = [...referrals.values()].filter((r) => r.patient.name.family === 'Whitcombe').sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  const ids = new Set(mine.map((r) => r.id));
  return {
    referrals: mine,
    images: [...images.values()].filter((i) => ids.has(i.referralId) && i.lesion === 'L1').sort((a, b) => a.capturedAt.localeCompare(b.capturedAt)),
  };
}

function distance(a: { x: number; y: number }, b: { x: number; y: number }): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/** Both panes' poses once they have stopped moving. */
async function poses(p1: Locator, p2: Locator): Promise<[ViewPose, ViewPose]> {
  return [await settled(p1), await settled(p2)];
}

/** The follower's centre is the leader's through the map, to within 1 image pixel; so are scale and rotation. */
function expectInStep(leader: ViewPose, follower: ViewPose, map: Affine): void {
  const expected = applyAffine(map, leader.center);
  expect(distance(follower.center, expected), `centre ${JSON.stringify(follower.center)} vs ${JSON.stringify(expected)}`).toBeLessThan(1);
  expect(follower.scale / (leader.scale / similarityScale(map))).toBeCloseTo(1, 3);
  const rot = normaliseDegrees(leader.rotation - similarityRotationDeg(map));
  const diff = Math.abs(normaliseDegrees(follower.rotation - rot + 180) - 180);
  expect(diff).toBeLessThan(0.05);
  expect(follower.flip).toBe(leader.flip);
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

async function shot(page: Page, box: Box): Promise<{ data: Buffer; width: number; height: number }> {
  const png = await page.screenshot({ clip: box });
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Mean absolute difference per channel of two same-size screenshots over columns [from, to). */
function meanDiff(a: { data: Buffer; width: number; height: number }, b: { data: Buffer; width: number; height: number }, fromCol: number, toCol: number): number {
  expect([b.width, b.height]).toEqual([a.width, a.height]);
  let sum = 0;
  let n = 0;
  for (let y = 0; y < a.height; y++) {
    for (let x = fromCol; x < toCol; x++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * a.width + x) * 3 + c;
        sum += Math.abs(a.data[i]! - b.data[i]!);
        n++;
      }
    }
  }
  return sum / n;
}

async function setSlider(page: Page, slider: Locator, steps: number): Promise<void> {
  await slider.focus();
  await page.keyboard.press('Home');
  for (let i = 0; i < steps; i++) await page.keyboard.press('ArrowRight');
}

test('compare over time: three dates on the timeline, panes in step within 1 px before and after alignment, overlay and swipe', async ({ page }) => {
  test.setTimeout(240_000);
  const series = await whitcombeSeries();
  expect(series.referrals).toHaveLength(3);
  const current = series.referrals[2]!;

  await signInAt(page, E2E_URL, 'consultant', DEMO_PASSWORD);
  await goToHash(page, `#/referrals/${current.id}`);
  const viewer = page.getByRole('region', { name: 'Image viewer' });
  await expect(viewer).toHaveAttribute('data-fully-loaded', 'true');

  // C opens the comparison for the lesion of the image on screen.
  await page.keyboard.press('c');
  const compare = page.getByRole('region', { name: 'Compare over time' });
  await expect(compare).toBeVisible();
  const timeline = compare.getByRole('navigation', { name: 'Lesion timeline' });
  const dates = [...new Set(series.images.map((i) => i.capturedAt.slice(0, 10)))];
  expect(dates).toHaveLength(3);
  await expect(timeline.getByRole('heading')).toHaveCount(3);
  await expect(timeline).toContainText(`3 dates, ${series.images.length} images`);
  // Every image of the lesion across the three referrals can be chosen.
  await expect(timeline.getByRole('checkbox')).toHaveCount(series.images.length);

  // The default pair: the image asked about and the same kind of image from the last referral.
  const pane1 = compare.getByRole('region', { name: /^Pane 1/ });
  const pane2 = compare.getByRole('region', { name: /^Pane 2/ });
  const p1 = pane1.locator('.pane');
  const p2 = pane2.locator('.pane');
  await expect(p1).toHaveAttribute('data-fully-loaded', 'true');
  await expect(p2).toHaveAttribute('data-fully-loaded', 'true');
  const id1 = (await p1.getAttribute('data-image-id'))!;
  const id2 = (await p2.getAttribute('data-image-id'))!;
  const img1 = series.images.find((i) => i.id === id1)!;
  const img2 = series.images.find((i) => i.id === id2)!;
  expect(img1.capturedAt < img2.capturedAt).toBe(true);
  expect(img2.referralId).toBe(current.id);
  // The interval between the two dates is shown.
  await expect(compare.getByRole('heading', { level: 2 })).toContainText('6 months between');

  // 1. Unaligned: the map is proportional (same framing, maybe another resolution).
  const unaligned = proportionalMap(img1, img2);
  await dragBy(page, pane1, 140, -90);
  await wheelAt(page, pane1, 0.3, 0.6, -200, 3);
  let [a, b] = await poses(p1, p2);
  expect(a.scale).toBeGreaterThan(0); // it moved and zoomed: the check below is not at "fit"
  expectInStep(a, b, unaligned);
  // The other pane can lead too.
  await dragBy(page, pane2, -60, 110);
  [a, b] = await poses(p1, p2);
  expectInStep(b, a, invertAffine(unaligned));

  // 2. Align with two landmarks picked in each image: a map with its own scale and rotation.
  await page.keyboard.press('0'); // fit the leader (pane 2) and with it pane 1
  await settled(p2);
  await compare.getByRole('button', { name: 'Align with two points' }).click();
  const at = async (pane: Locator, fx: number, fy: number) => {
    const box = (await pane.locator('.pane-osd').boundingBox())!;
    const pagePoint = { x: box.x + box.width * fx, y: box.y + box.height * fy };
    const image = await pageToImage(pane.locator('.pane'), pagePoint);
    await page.mouse.click(pagePoint.x, pagePoint.y);
    return image;
  };
  await expect(compare.getByRole('status')).toContainText('landmark 1 of 2 on the earlier image');
  const r1 = await at(pane1, 0.35, 0.4);
  const r2 = await at(pane1, 0.62, 0.58);
  await expect(compare.getByRole('status')).toContainText('landmark 1 of 2 on the later image');
  const o1 = await at(pane2, 0.3, 0.45);
  const o2 = await at(pane2, 0.6, 0.7);
  await expect(compare.getByRole('button', { name: 'Clear alignment' })).toBeVisible();
  const aligned = fitSimilarity([r1, r2], [o1, o2]);
  expect(Math.abs(similarityRotationDeg(aligned))).toBeGreaterThan(5); // a real rotation, not the identity

  // Drive pane 2 (pan, zoom, rotate by key) and pane 1 follows through the alignment.
  await dragBy(page, pane2, 80, 40);
  await wheelAt(page, pane2, 0.55, 0.45, -200, 2);
  await page.keyboard.press('r');
  [a, b] = await poses(p1, p2);
  expect(b.rotation).toBeCloseTo(90, 1);
  expectInStep(b, a, invertAffine(aligned));
  // And the other way round: pane 1 leads, pane 2 follows through the alignment.
  await dragBy(page, pane1, -50, -70);
  await wheelAt(page, pane1, 0.4, 0.4, 200, 1);
  [a, b] = await poses(p1, p2);
  expectInStep(a, b, aligned);

  // 3. Overlay: the later image over the earlier one, its opacity from the slider.
  await compare.getByRole('radio', { name: 'Overlay' }).check();
  const stage = compare.locator('.compare-panes');
  await expect(stage).toHaveClass(/stacked/);
  await expect(p1).toHaveAttribute('data-fully-loaded', 'true');
  await expect(p2).toHaveAttribute('data-fully-loaded', 'true');
  [a, b] = await poses(p1, p2);
  expectInStep(a, b, aligned);
  const opacity = compare.getByRole('slider', { name: 'Opacity of the later image' });
  // One clip for every screenshot: the stacked panes' common box, whole pixels.
  const raw = (await p1.locator('.pane-osd').boundingBox())!;
  const area: Box = { x: Math.ceil(raw.x), y: Math.ceil(raw.y), width: Math.floor(raw.width) - 2, height: Math.floor(raw.height) - 2 };
  await setSlider(page, opacity, 0);
  await expect(pane2).toHaveCSS('opacity', '0');
  const earlier = await shot(page, area);
  await setSlider(page, opacity, 100);
  await expect(pane2).toHaveCSS('opacity', '1');
  const later = await shot(page, area);
  await setSlider(page, opacity, 50);
  await expect(pane2).toHaveCSS('opacity', '0.5');
  const half = await shot(page, area);
  const w = earlier.width;
  const apart = meanDiff(earlier, later, 0, w);
  expect(apart, 'the two dates look different').toBeGreaterThan(2);
  // Half opacity lies between the two: closer to each than they are to each other.
  expect(meanDiff(half, earlier, 0, w)).toBeLessThan(apart * 0.8);
  expect(meanDiff(half, later, 0, w)).toBeLessThan(apart * 0.8);

  // 4. Swipe: left of the line the earlier image, right of it the later one.
  await compare.getByRole('radio', { name: 'Swipe' }).check();
  await expect(p1).toHaveAttribute('data-fully-loaded', 'true');
  await expect(p2).toHaveAttribute('data-fully-loaded', 'true');
  await settled(p1);
  await settled(p2);
  // Within swipe mode (its controls, hence its pane size, differ from overlay's): the split at
  // the far left shows only the later image, at the far right only the earlier one.
  const split = compare.getByRole('slider', { name: 'Split position' });
  await setSlider(page, split, 0);
  const onlyLater = await shot(page, area);
  await setSlider(page, split, 100);
  const onlyEarlier = await shot(page, area);
  expect(meanDiff(onlyLater, onlyEarlier, 0, w), 'the two dates look different').toBeGreaterThan(2);
  await setSlider(page, split, 50);
  await expect(split).toHaveValue('0.5');
  const swiped = await shot(page, area);
  const mid = Math.round(w / 2);
  const margin = 6; // the split line itself
  const leftVsEarlier = meanDiff(swiped, onlyEarlier, 0, mid - margin);
  const rightVsLater = meanDiff(swiped, onlyLater, mid + margin, w);
  expect(leftVsEarlier).toBeLessThan(meanDiff(swiped, onlyLater, 0, mid - margin));
  expect(rightVsLater).toBeLessThan(meanDiff(swiped, onlyEarlier, mid + margin, w));
  expect(leftVsEarlier).toBeLessThan(1);
  expect(rightVsLater).toBeLessThan(1);

  // Esc leaves the comparison; the saved alignment comes back with the same images.
  await page.keyboard.press('Escape');
  await expect(compare).toBeHidden();
  await expect(viewer).toBeVisible();
  await page.keyboard.press('c');
  await expect(compare.getByRole('button', { name: 'Clear alignment' })).toBeVisible();
  await expect(compare.getByRole('radio', { name: 'Swipe' })).toBeChecked();
});
