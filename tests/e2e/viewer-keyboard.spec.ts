/**
 * Must-show (issue #5): every viewer control is reachable by keyboard and found by role and
 * label; the key map does what the on-screen help says. Also the body map's filter, display
 * adjustments, and marking an image unusable pre-filling "request better images".
 * Demo data: a psoriasis referral with plaques at two sites (right elbow, left knee).
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import type { Referral } from '../../shared/contract';
import { E2E_URL } from '../../playwright.config';
import { allChanges, apiSignIn, DEMO_PASSWORD } from './support/service-instance';
import { imageToPage, panePose, settled } from './support/viewer-ui';
import { goToHash, signInAt } from './support/workstation-ui';

async function lisowski(): Promise<Referral> {
  const changes = await allChanges(E2E_URL, await apiSignIn(E2E_URL, 'consultant'));
  const found = changes.find((c): c is Extract<typeof c, { type: 'referral'; deleted?: false }> => c.type === 'referral' && !c.deleted && c.data.patient.name.family === 'Lisowski');
  if (!found) throw new Error('no Lisowski referral in the demo data');
  return found.data;
}

/** What has focus, as "role: name" for buttons, inputs and the like. */
async function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const d = globalThis as unknown as { document: { activeElement: { tagName: string; getAttribute(n: string): string | null; textContent: string | null; id: string } | null } };
    const el = d.document.activeElement;
    if (!el) return '';
    return `${el.tagName.toLowerCase()}|${el.getAttribute('aria-label') ?? el.textContent?.trim() ?? ''}|${el.id}`;
  });
}

/** Tabs through the page (up to `max` presses) and answers every distinct stop. */
async function tabStops(page: Page, max: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (seen.includes(now) && seen.length > 5) break;
    seen.push(now);
  }
  return seen;
}

async function tabTo(page: Page, target: Locator, max = 120): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === (el.ownerDocument as unknown as { activeElement: unknown }).activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`not reached by Tab: ${await target.evaluate((el) => el.outerHTML.slice(0, 120))}`);
}

test('every viewer control is reachable by keyboard and named; keys zoom, fit, 1:1, pan, rotate, flip, change image, compare and show help', async ({ page }) => {
  test.setTimeout(180_000);
  const referral = await lisowski();
  expect(referral.imageIds.length).toBe(4);
  await signInAt(page, E2E_URL, 'consultant', DEMO_PASSWORD);
  await goToHash(page, `#/referrals/${referral.id}`);
  const viewer = page.getByRole('region', { name: 'Image viewer' });
  await expect(viewer).toHaveAttribute('data-fully-loaded', 'true');
  const pane = viewer.locator('.pane');

  // Every control of the viewer, by role and accessible name.
  const controls: Locator[] = [
    page.getByRole('region', { name: 'Body map' }).getByRole('button', { name: /elbow/i }).first(),
    page.getByRole('region', { name: 'Body map' }).getByRole('button', { name: /knee/i }).first(),
    page.getByRole('group', { name: 'Images' }).getByRole('button').first(),
    viewer.getByRole('button', { name: 'Previous image' }),
    viewer.getByRole('button', { name: 'Next image' }),
    viewer.getByRole('button', { name: 'Zoom in' }),
    viewer.getByRole('button', { name: 'Zoom out' }),
    viewer.getByRole('button', { name: 'Fit' }),
    viewer.getByRole('button', { name: 'Actual pixels' }),
    viewer.getByRole('button', { name: 'Rotate clockwise' }),
    viewer.getByRole('button', { name: 'Flip horizontally' }),
    viewer.getByRole('button', { name: 'Full screen' }),
    viewer.getByRole('button', { name: 'Adjust' }),
    viewer.getByRole('button', { name: 'Compare' }),
    viewer.getByRole('button', { name: 'Keyboard shortcuts' }),
    viewer.getByRole('img', { name: /Image 1: regional/ }),
    viewer.getByRole('button', { name: 'Mark image unusable…' }),
    ...['Point', 'Line (measure)', 'Rectangle', 'Ellipse', 'Polygon', 'Freehand', 'Calibrate scale'].map((name) =>
      viewer.getByRole('toolbar', { name: 'Annotation tools' }).getByRole('button', { name }),
    ),
  ];
  // The "Previous image" button is disabled on the first image (and so not a tab stop); the rest are.
  await viewer.getByRole('button', { name: 'Next image' }).focus();
  await page.keyboard.press('Shift+Tab');
  const stops = await tabStops(page, 150);
  expect(stops.length).toBeGreaterThan(20);
  for (const control of controls) {
    await expect(control).toBeVisible();
    if (await control.isDisabled().catch(() => false)) continue;
    await tabTo(page, control);
  }

  // The key map, acting on the pane (focus on the image itself).
  await viewer.getByRole('img', { name: /Image 1: regional/ }).focus();
  // 0 fits the whole image: the scale is the pane's size over the image's (centred, so the
  // image is twice the centre). Taken from 0 rather than the opening view, which is fitted
  // while the case view is still laying out and can be a pixel off.
  await page.keyboard.press('0');
  const fit = await settled(pane);
  const paneBox = (await pane.boundingBox())!;
  expect(fit.scale).toBeCloseTo(Math.min(paneBox.width / (2 * fit.center.x), paneBox.height / (2 * fit.center.y)), 3);
  await page.keyboard.press('+');
  expect((await settled(pane)).scale).toBeGreaterThan(fit.scale * 1.2);
  await page.keyboard.press('-');
  expect((await settled(pane)).scale).toBeCloseTo(fit.scale, 4);
  await page.keyboard.press('1');
  expect((await settled(pane)).scale).toBeCloseTo(1, 3);
  const before = await settled(pane);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  const panned = await settled(pane);
  expect(panned.center.x).toBeGreaterThan(before.center.x + 10);
  expect(panned.center.y).toBeGreaterThan(before.center.y + 10);
  await page.keyboard.press('0');
  expect((await settled(pane)).scale).toBeCloseTo(fit.scale, 4);
  await page.keyboard.press('r');
  expect((await settled(pane)).rotation).toBeCloseTo(90, 1);
  // Arrows pan in screen directions whatever the rotation and mirror: → brings in what is to
  // the right on screen, so the point that was at the centre moves left, and only left.
  const box = (await pane.locator('.pane-osd').boundingBox())!;
  for (const mirrored of [false, true]) {
    if (mirrored) {
      await page.keyboard.press('f');
      await settled(pane);
    }
    const centre = (await settled(pane)).center;
    await page.keyboard.press('ArrowRight');
    await settled(pane);
    const moved = await imageToPage(pane, centre);
    expect(moved.x, mirrored ? 'rotated and flipped' : 'rotated').toBeLessThan(box.x + box.width / 2 - 20);
    expect(Math.abs(moved.y - (box.y + box.height / 2))).toBeLessThan(3);
  }
  await page.keyboard.press('f');
  await page.keyboard.press('Shift+R');
  expect((await settled(pane)).rotation).toBeCloseTo(0, 1);
  await page.keyboard.press('f');
  await expect(viewer.getByRole('button', { name: 'Flip horizontally' })).toHaveAttribute('aria-pressed', 'true');
  expect((await panePose(pane)).flip).toBe(true);
  await page.keyboard.press('f');
  await expect(viewer.getByRole('button', { name: 'Flip horizontally' })).toHaveAttribute('aria-pressed', 'false');

  // Drawing without a mouse: L picks the line tool, Space fixes one end under the centre
  // cross, → moves the image a fifth of the pane under it, Space fixes the other end.
  await page.keyboard.press('+');
  await page.keyboard.press('+');
  const zoomed = await settled(pane);
  await page.keyboard.press('l');
  await expect(viewer.getByRole('toolbar', { name: 'Annotation tools' }).getByRole('button', { name: 'Line (measure)' })).toHaveAttribute('aria-pressed', 'true');
  await viewer.getByRole('img', { name: /Image 1: regional/ }).focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowRight');
  await settled(pane);
  await page.keyboard.press('Space');
  const drawn = viewer.getByRole('form', { name: 'New annotation' });
  await expect(drawn).toBeVisible();
  const paneWidth = (await pane.locator('.pane-osd').boundingBox())!.width;
  const length = Number(/Length\s+([\d,]+)\s*px/.exec(await drawn.getByRole('list', { name: 'Measurements' }).innerText())?.[1]?.replace(/,/g, ''));
  expect(Math.abs(length - (0.2 * paneWidth) / zoomed.scale), `keyboard line of ${length} px`).toBeLessThan(3);
  await drawn.getByRole('button', { name: 'Cancel' }).click();
  await page.keyboard.press('Escape'); // put the tool down
  await expect(viewer.getByRole('toolbar', { name: 'Annotation tools' }).getByRole('button', { name: 'Line (measure)' })).toHaveAttribute('aria-pressed', 'false');
  await page.keyboard.press('0');
  await settled(pane);

  // ] and [ walk the images; the strip follows.
  const first = await viewer.getAttribute('data-image-id');
  await page.keyboard.press(']');
  await expect(viewer).not.toHaveAttribute('data-image-id', first!);
  await expect(page.getByRole('group', { name: 'Images' }).getByRole('button', { pressed: true })).toHaveAttribute('data-image-id', (await viewer.getAttribute('data-image-id'))!);
  await page.keyboard.press('[');
  await expect(viewer).toHaveAttribute('data-image-id', first!);

  // ? shows the help, which lists the keys; Escape closes it and stays on the case.
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  for (const what of ['Zoom in / out', 'Fit the whole image', 'Actual pixels', 'Pan', 'Rotate 90°', 'Flip', 'Previous / next image', 'Compare', 'Leave the current mode']) {
    await expect(help).toContainText(what);
  }
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
  await expect(viewer).toBeVisible();

  // C opens the comparison; Escape leaves it; Escape again goes back to the worklist.
  await page.keyboard.press('c');
  const compare = page.getByRole('region', { name: 'Compare over time' });
  await expect(compare).toBeVisible();
  await expect(compare.getByRole('radiogroup', { name: 'Comparison mode' })).toBeVisible();
  // Alignment by keyboard: Space picks each landmark under the active pane's cross.
  await compare.getByRole('button', { name: 'Align with two points' }).click();
  const first1 = compare.getByRole('region', { name: /^Pane 1/ });
  await expect(first1.locator('.pane')).toHaveAttribute('data-fully-loaded', 'true');
  await first1.getByRole('img', { name: /^Pane 1/ }).focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowRight');
  await settled(first1.locator('.pane'));
  await page.keyboard.press('Space');
  await expect(compare.getByRole('status')).toContainText('landmark 1 of 2 on the later image');
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowDown');
  await settled(first1.locator('.pane'));
  await page.keyboard.press('Space');
  await expect(compare.getByRole('button', { name: 'Clear alignment' })).toBeVisible();
  await compare.getByRole('button', { name: 'Clear alignment' }).click();
  await first1.getByRole('img', { name: /^Pane 1/ }).focus();
  await page.keyboard.press('Escape');
  await expect(compare).toBeHidden();
  await expect(viewer).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('heading', { name: 'Worklist' })).toBeVisible();
});

test('body map filters the strip; adjustments change only the display; an unusable mark pre-fills “request better images”', async ({ page }) => {
  test.setTimeout(120_000);
  const referral = await lisowski();
  await signInAt(page, E2E_URL, 'consultant', DEMO_PASSWORD);
  await goToHash(page, `#/referrals/${referral.id}`);
  const viewer = page.getByRole('region', { name: 'Image viewer' });
  await expect(viewer).toHaveAttribute('data-fully-loaded', 'true');
  const strip = page.getByRole('group', { name: 'Images' });
  await expect(strip.getByRole('button')).toHaveCount(4);

  // The body map marks both sites; choosing the knee leaves only the knee's images.
  const bodyMap = page.getByRole('region', { name: 'Body map' });
  const knee = bodyMap.getByRole('button', { name: /Left .*knee, 2 images/i }).first();
  await knee.click();
  await expect(knee).toHaveAttribute('aria-pressed', 'true');
  await expect(strip.getByRole('button')).toHaveCount(2);
  for (const label of await strip.getByRole('button').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''))) expect(label).toMatch(/knee/i);
  await expect(viewer).toContainText(/knee/i);
  await bodyMap.getByRole('button', { name: 'Show all sites' }).click();
  await expect(strip.getByRole('button')).toHaveCount(4);

  // Adjustments: sliders by label, the canvas is filtered, Reset puts it back.
  await viewer.getByRole('button', { name: 'Adjust' }).click();
  const brightness = viewer.getByRole('slider', { name: 'Brightness' });
  await brightness.focus();
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
  await expect(brightness).toHaveValue('1.2');
  const canvas = viewer.locator('.pane-osd canvas').first();
  await expect(canvas).toHaveCSS('filter', /brightness\(1\.2\)/);
  await viewer.getByRole('slider', { name: 'Gamma' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(canvas).toHaveCSS('filter', /url\("?#gamma/);
  await viewer.getByRole('button', { name: 'Reset adjustments' }).click();
  await expect(canvas).toHaveCSS('filter', 'none');

  // Mark the image unusable: the outcome form is pre-filled with "request better images".
  await viewer.getByRole('button', { name: 'Mark image unusable…' }).click();
  const mark = viewer.getByRole('form', { name: 'Mark image unusable' });
  await mark.getByRole('button', { name: 'Mark unusable' }).click();
  await expect(mark.getByRole('alert')).toContainText('Choose why');
  await mark.getByLabel('Reason').selectOption({ label: 'Blurred' });
  await mark.getByRole('button', { name: 'Mark unusable' }).click();
  await expect(viewer.getByRole('region', { name: 'Image quality' })).toContainText('Marked unusable: Blurred');
  await expect(page.getByLabel('Decision')).toHaveValue('request-info');
  const advice = page.getByLabel('Advice to GP');
  await expect(advice).toHaveValue(/Image 1: regional.*: blurred/);
  await expect(advice).toHaveValue(/hold the camera steady/);
  // The mark is kept on this workstation and can be cleared.
  await viewer.getByRole('button', { name: 'Clear unusable mark' }).click();
  await expect(viewer.getByRole('button', { name: 'Mark image unusable…' })).toBeVisible();
});
