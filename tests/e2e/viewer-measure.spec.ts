/**
 * Must-show (issue #5), measurement: on a generated photograph with a millimetre ruler, the
 * clinician calibrates the scale by marking 30 mm along the ruler, then measures a bar drawn
 * 10 mm long in the photograph: it reads 10 mm ± 2%. A second photograph whose metadata gives
 * the scale is measured without calibrating (a line and an ellipse's diameters and area).
 */
import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import type { Point } from '../../shared/contract';
import { syntheticNhsNumber } from '../../shared/domain/nhs-number';
import { addUser, apiSignIn, postOneImageReferral, startServiceInstance, type ServiceInstance } from './support/service-instance';
import { imageToPage, settled } from './support/viewer-ui';
import { goToHash, signInAt } from './support/workstation-ui';

const PASSWORD = 'measure-e2e-password';
const W = 2400;
const H = 1600;
/** The photograph's true scale: 20 pixels to the millimetre. */
const PX_PER_MM = 20;
const RULER_ZERO = { x: 900, y: 870 };
const BAR = { from: { x: 1100, y: 700 }, to: { x: 1100 + 10 * PX_PER_MM, y: 700 } };

/** Skin-toned, lightly textured, with a ruler (mm ticks, longer every 5 and 10) and a 10 mm dark bar. */
async function rulerPhotograph(): Promise<Buffer> {
  const ticks: string[] = [];
  for (let mm = 0; mm <= 35; mm++) {
    const x = RULER_ZERO.x + mm * PX_PER_MM;
    const len = mm % 10 === 0 ? 60 : mm % 5 === 0 ? 45 : 30;
    ticks.push(`<line x1="${x}" y1="${RULER_ZERO.y - 20}" x2="${x}" y2="${RULER_ZERO.y - 20 + len}" stroke="#222" stroke-width="3"/>`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
    <rect width="100%" height="100%" fill="#d8a98a"/>
    <circle cx="1500" cy="500" r="60" fill="#6b4430"/>
    <rect x="${RULER_ZERO.x - 60}" y="${RULER_ZERO.y - 20}" width="${37 * PX_PER_MM + 60}" height="130" fill="#f4f1e8"/>
    ${ticks.join('')}
    <line x1="${BAR.from.x}" y1="${BAR.from.y}" x2="${BAR.to.x}" y2="${BAR.to.y}" stroke="#1d1410" stroke-width="8"/>
  </svg>`;
  const noise = await sharp({ create: { width: W, height: H, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 18 } } }).png().toBuffer();
  return sharp(Buffer.from(svg))
    .composite([{ input: noise, blend: 'soft-light' }])
    .jpeg({ quality: 90 })
    .toBuffer();
}

function referral(nhsNumber: string, family: string, mmPerPixel?: number) {
  return {
    patient: { nhsNumber, name: { given: 'Ruler', family }, birthDate: '1970-01-01', sex: 'female' },
    pathway: 'advice',
    referrer: { name: 'Dr Measure', practiceCode: 'A12345' },
    question: 'Please measure the lesion.',
    history: {},
    images: [{ part: 'img1', kind: 'close-up', lesion: 'L1', bodySite: 'left forearm', capturedAt: '2026-11-20T10:00:00Z', ...(mmPerPixel ? { mmPerPixel } : {}) }],
  };
}

let svc: ServiceInstance;
let uncalibrated: string;
let withScale: string;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  svc = await startServiceInstance({ demo: false });
  await addUser(svc, { username: 'consultant', name: 'Dr Mia Measure', role: 'consultant', password: PASSWORD });
  await addUser(svc, { username: 'gp', name: 'Dr Gil GP', role: 'referrer', password: PASSWORD });
  const gp = await apiSignIn(svc.url, 'gp', PASSWORD);
  const jpeg = await rulerPhotograph();
  uncalibrated = await postOneImageReferral(svc.url, gp, referral(syntheticNhsNumber(910_001), 'Noscale'), jpeg, 'ruler photograph without scale');
  withScale = await postOneImageReferral(svc.url, gp, referral(syntheticNhsNumber(910_002), 'Withscale', 1 / PX_PER_MM), jpeg, 'ruler photograph with scale');
});

test.afterAll(async () => {
  await svc?.stop();
});

/** Presses and drags in the viewer from one image point to another (as a clinician draws). */
async function drawBetween(page: Page, from: Point, to: Point): Promise<void> {
  const pane = page.getByRole('region', { name: 'Image viewer' }).locator('.pane');
  const a = await imageToPage(pane, from);
  const b = await imageToPage(pane, to);
  const box = (await pane.locator('.pane-osd').boundingBox())!;
  for (const p of [a, b]) {
    expect(p.x > box.x && p.x < box.x + box.width && p.y > box.y && p.y < box.y + box.height, 'the point is on screen').toBe(true);
  }
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(a.x + ((b.x - a.x) * i) / 10, a.y + ((b.y - a.y) * i) / 10);
  await page.mouse.up();
}

async function openAtActualPixels(page: Page, referralId: string) {
  await goToHash(page, `#/referrals/${referralId}`);
  const viewer = page.getByRole('region', { name: 'Image viewer' });
  await expect(viewer).toHaveAttribute('data-fully-loaded', 'true');
  // 1:1 keeps a screen pixel's rounding to one image pixel (0.05 mm here).
  await page.keyboard.press('1');
  const pose = await settled(viewer.locator('.pane'));
  expect(pose.scale).toBeCloseTo(1, 3);
  return viewer;
}

function millimetres(text: string, label: string): number {
  const m = new RegExp(`${label}\\s+([0-9.,]+)\\s*mm`).exec(text);
  if (!m) throw new Error(`no "${label} … mm" in: ${text}`);
  return Number(m[1]!.replace(/,/g, ''));
}

test('calibrating on a ruler, then measuring a bar drawn 10 mm long, reads 10 mm ± 2%', async ({ page }) => {
  test.setTimeout(120_000);
  await signInAt(page, svc.url, 'consultant', PASSWORD);
  const viewer = await openAtActualPixels(page, uncalibrated);
  await expect(viewer).toContainText('No scale: calibrate on a ruler to measure in mm');

  // Calibrate: mark 0 to 30 mm along the ruler's ticks, and say it is 30 mm.
  const tools = viewer.getByRole('toolbar', { name: 'Annotation tools' });
  await tools.getByRole('button', { name: 'Calibrate scale' }).click();
  await drawBetween(page, RULER_ZERO, { x: RULER_ZERO.x + 30 * PX_PER_MM, y: RULER_ZERO.y });
  const calibrate = viewer.getByRole('form', { name: 'Calibrate scale' });
  // A nonsense length is refused in place, and nothing is stored.
  await calibrate.getByLabel('Known length (mm)').fill('0');
  await calibrate.getByRole('button', { name: 'Set scale' }).click();
  await expect(calibrate.locator('.field-error')).toBeVisible();
  await calibrate.getByLabel('Known length (mm)').fill('30');
  await calibrate.getByRole('button', { name: 'Set scale' }).click();
  await expect(viewer).toContainText(/Scale: 0\.05\d* mm\/px from calibration/);

  // Measure the bar.
  await tools.getByRole('button', { name: 'Line (measure)' }).click();
  await drawBetween(page, BAR.from, BAR.to);
  const form = viewer.getByRole('form', { name: 'New annotation' });
  const measured = millimetres(await form.getByRole('list', { name: 'Measurements' }).innerText(), 'Length');
  expect(Math.abs(measured - 10) / 10, `measured ${measured} mm`).toBeLessThanOrEqual(0.02);
  await form.getByLabel('Label').fill('Bar');
  await form.getByRole('button', { name: 'Save' }).click();
  const list = viewer.getByRole('list', { name: 'Annotations on this image' });
  await expect(list.getByRole('listitem')).toHaveCount(1);
  expect(Math.abs(millimetres(await list.innerText(), 'Length') - 10) / 10).toBeLessThanOrEqual(0.02);

  // The calibration is kept for this image (on this workstation) after a reload.
  await page.reload();
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const again = await openAtActualPixels(page, uncalibrated);
  await expect(again).toContainText(/Scale: 0\.05\d* mm\/px from calibration/);
});

test('the scale in the image metadata measures without calibrating: line, ellipse diameters and area', async ({ page }) => {
  test.setTimeout(120_000);
  await signInAt(page, svc.url, 'consultant', PASSWORD);
  const viewer = await openAtActualPixels(page, withScale);
  await expect(viewer).toContainText(/from the image.s metadata/);
  const tools = viewer.getByRole('toolbar', { name: 'Annotation tools' });

  await tools.getByRole('button', { name: 'Line (measure)' }).click();
  await drawBetween(page, BAR.from, BAR.to);
  const form = viewer.getByRole('form', { name: 'New annotation' });
  expect(Math.abs(millimetres(await form.innerText(), 'Length') - 10)).toBeLessThanOrEqual(0.2);
  await form.getByRole('button', { name: 'Cancel' }).click();

  // An ellipse in a 200 × 100 px box: diameters 10 and 5 mm, area π·5·2.5 ≈ 39.3 mm².
  await tools.getByRole('button', { name: 'Ellipse' }).click();
  await drawBetween(page, { x: 1050, y: 950 }, { x: 1250, y: 1050 });
  const ellipse = viewer.getByRole('form', { name: 'New annotation' });
  const text = await ellipse.innerText();
  expect(Math.abs(millimetres(text, 'Major diameter') - 10)).toBeLessThanOrEqual(0.2);
  expect(Math.abs(millimetres(text, 'Minor diameter') - 5)).toBeLessThanOrEqual(0.2);
  const area = Number(/Area\s+([0-9.]+)\s*mm²/.exec(text)?.[1]);
  expect(Math.abs(area - Math.PI * 5 * 2.5)).toBeLessThanOrEqual(1.2);
});
