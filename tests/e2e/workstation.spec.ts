import sharp from 'sharp';
import { expect, test, type Page } from '@playwright/test';
import { ChangesPage, SessionResponse } from '../../shared/contract';
import { E2E_URL } from '../../playwright.config';
import { referralsIn } from './support/feed-views';
import { allChanges, apiSignIn } from './support/service-instance';

const DEMO_PASSWORD = 'loupe-demo';

async function signIn(page: Page, username = 'consultant') {
  await page.goto('/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Collects what the browser reports as errors, CSP violations included. */
function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return problems;
}

test('a wrong password is refused with a message', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Username').fill('consultant');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText(/username or password/i);
});

test('consultant reviews a case: worklist, zoomable image, outcome that survives a reload and reaches the feed', async ({ page, request }) => {
  const problems = watchConsole(page);
  const tileResponses: number[] = [];
  page.on('response', (r) => {
    if (r.url().includes('/image_files/')) tileResponses.push(r.status());
  });

  // Every referral the service holds for the consultant: the demo's 44, plus any that specs
  // run before this one sent to the same service.
  const held = referralsIn(await allChanges(E2E_URL, await apiSignIn(E2E_URL, 'consultant', DEMO_PASSWORD))).length;
  expect(held).toBeGreaterThanOrEqual(44);
  await signIn(page);
  const worklist = page.getByRole('table', { name: /worklist/i });
  await expect(page.getByText(`${held} referrals`, { exact: true })).toBeVisible();
  await expect(worklist.getByRole('row')).toHaveCount(held + 1); // header + every referral
  // The demo has one referral awaiting a consultant's sign-off and one waiting for the GP.
  await expect(worklist.getByRole('row').filter({ hasText: 'Awaiting sign-off' })).toHaveCount(1);
  await expect(worklist.getByRole('row').filter({ hasText: 'Waiting for information' })).toHaveCount(1);

  // Open the first advice referral.
  const row = worklist.getByRole('row').filter({ hasText: 'Advice' }).first();
  const patient = (await row.getByRole('rowheader').innerText()).trim();
  await row.click();
  await expect(page).toHaveURL(/#\/referrals\/[0-9a-f-]{36}$/);
  const referralId = page.url().split('/').pop()!;
  await expect(page.getByRole('heading', { name: patient })).toBeVisible();

  // The viewer has drawn tiles: OpenSeadragon reports fully loaded, tiles came from the
  // service, and what is on screen is a photograph, not an empty canvas.
  const viewer = page.getByRole('region', { name: /image viewer/i });
  await expect(viewer).toHaveAttribute('data-fully-loaded', 'true');
  expect(tileResponses.filter((s) => s === 200).length).toBeGreaterThan(0);
  // The centre of the stage: at "fit" the photograph always covers it.
  const shot = await viewer.locator('.viewer-osd').screenshot();
  const { width = 0, height = 0 } = await sharp(shot).metadata();
  const centre = await sharp(shot).extract({ left: Math.round(width * 0.3), top: Math.round(height * 0.3), width: Math.round(width * 0.4), height: Math.round(height * 0.4) }).toBuffer();
  const stats = await sharp(centre).stats();
  const [r, g, b] = stats.channels;
  expect(r!.mean).toBeGreaterThan(80); // skin tones, not the dark empty canvas
  expect(r!.mean).toBeGreaterThan(b!.mean);
  expect(Math.max(r!.stdev, g!.stdev, b!.stdev)).toBeGreaterThan(3); // texture and lesion, not a flat fill

  // Zoom in: more tiles, from a deeper level.
  const before = tileResponses.length;
  await viewer.getByRole('button', { name: /zoom in/i }).click();
  await viewer.getByRole('button', { name: /zoom in/i }).click();
  await expect.poll(() => tileResponses.length).toBeGreaterThan(before);

  // Record an outcome.
  const diagnosis = `Seborrhoeic keratosis (e2e ${Date.now()})`;
  await page.getByLabel('Decision').selectOption('advice');
  await page.getByLabel('Diagnosis').fill(diagnosis);
  await page.getByLabel('Advice to GP').fill('Benign appearance. No treatment needed; reassure. Re-refer if it bleeds or changes.');
  await page.getByRole('button', { name: 'Submit outcome' }).click();
  // Opened from the worklist: the next case of the same queue opens, saying the outcome was
  // recorded (#6). The decided case shows its outcome when opened again.
  await expect(page.getByRole('status').filter({ hasText: `Outcome recorded for ${patient}.` })).toBeVisible();
  await expect(page.locator('article.case')).not.toHaveAttribute('data-referral-id', referralId);
  await page.evaluate((h) => {
    (globalThis as unknown as { location: { hash: string } }).location.hash = h;
  }, `#/referrals/${referralId}`);
  const outcome = page.getByRole('region', { name: 'Outcome' });
  await expect(outcome).toContainText('Submitted');
  await expect(outcome).toContainText(diagnosis);

  // Still there after a reload. The cache's key lives only in memory, so the browser asks
  // for the password again (the last user is prefilled) and reopens the encrypted copy.
  await page.reload();
  await expect(page.getByLabel('Username')).toHaveValue('consultant');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('region', { name: 'Outcome' })).toContainText('Submitted');
  await expect(page.getByRole('region', { name: 'Outcome' })).toContainText(diagnosis);
  await expect(page.getByRole('button', { name: 'Submit outcome' })).toHaveCount(0);

  // The service's change feed has it, final, on this referral.
  const session = SessionResponse.parse(await (await request.post('/api/v1/sessions', { data: { username: 'consultant', password: DEMO_PASSWORD } })).json());
  const headers = { authorization: `Bearer ${session.token}` };
  const outcomes = [];
  let cursor: string | undefined;
  for (;;) {
    const page_ = ChangesPage.parse(await (await request.get(`/api/v1/changes${cursor ? `?after=${cursor}` : ''}`, { headers })).json());
    outcomes.push(...page_.changes.filter((c) => c.type === 'outcome'));
    cursor = page_.cursor;
    if (!page_.hasMore) break;
  }
  const mine = outcomes.filter((c) => c.type === 'outcome' && c.data?.referralId === referralId && c.data.diagnosis.text === diagnosis);
  expect(mine.length).toBeGreaterThan(0);
  expect(mine.at(-1)?.data).toMatchObject({ status: 'final', decision: 'advice', author: { role: 'consultant' } });

  expect(problems, problems.join('\n')).toEqual([]);
});
