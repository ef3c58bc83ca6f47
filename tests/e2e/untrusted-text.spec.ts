/**
 * Must-show (issue #6): what a GP typed is shown as text and never run. A referral whose
 * question is an HTML payload, with markup in the history and in the answer to a request for
 * information, is posted through the API as the demo GP; the consultant's case view shows the
 * literal characters, opens no dialog, creates no element from them and fetches nothing.
 */
import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { MutationResults } from '../../shared/contract';
import { E2E_URL } from '../../playwright.config';
import { apiSignIn, DEMO_PASSWORD } from './support/service-instance';
import { goToHash, signInAt } from './support/workstation-ui';
import { postReferral } from './support/outcome-ui';

const QUESTION = '<img src=x onerror=alert(1)>';
const NOTES = '<script>window.__gpScriptRan = true</script><b>bold?</b>';
const ANSWER = '<svg onload=alert(2)><img src=y onerror=alert(3)>';

test('a GP’s question, history and answer containing markup show as text and run nothing', async ({ page }) => {
  test.setTimeout(120_000);
  const gp = await apiSignIn(E2E_URL, 'gp', DEMO_PASSWORD);
  const referral = await postReferral(E2E_URL, gp, 'advice', { question: QUESTION, notes: NOTES });

  // Ask the GP for more (as the consultant, through the API), and answer with more markup.
  const consultant = await apiSignIn(E2E_URL, 'consultant', DEMO_PASSWORD);
  const asked = await fetch(`${E2E_URL}/api/v1/mutations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${consultant}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      mutations: [{ id: randomUUID(), type: 'referral.request-info', entityId: referral.id, baseVersion: 1, clientTime: new Date().toISOString(), payload: { kind: 'more-information', message: 'How long has it been there?' } }],
    }),
  });
  expect(MutationResults.parse(await asked.json()).results[0]?.status).toBe('applied');
  const followUp = new FormData();
  followUp.set('referral', JSON.stringify({ followUpTo: referral.id, response: ANSWER, images: [] }));
  const answered = await fetch(`${E2E_URL}/api/v1/referrals`, { method: 'POST', headers: { authorization: `Bearer ${gp}` }, body: followUp });
  expect(answered.status, await answered.clone().text()).toBeLessThan(300);

  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const strayRequests: string[] = [];
  page.on('request', (r) => {
    if (/\/(x|y)$/.test(new URL(r.url()).pathname)) strayRequests.push(r.url());
  });

  await signInAt(page, E2E_URL, 'consultant', DEMO_PASSWORD);
  await goToHash(page, `#/referrals/${referral.id}`);
  const details = page.getByRole('region', { name: 'GP’s question' });
  await expect(details).toBeVisible({ timeout: 30_000 });
  await expect(details.locator('.question')).toHaveText(QUESTION);
  await expect(details.getByText(NOTES, { exact: true })).toBeVisible();
  await expect(details.getByText(ANSWER, { exact: true })).toBeVisible();

  // Nothing was made from the text: no img or svg or script or b element in the details, no
  // script ran, no dialog opened, and the broken image URLs were never fetched.
  await expect(details.locator('img, svg, script, b')).toHaveCount(0);
  await expect(page.locator('img[src="x"], img[src="y"]')).toHaveCount(0);
  expect(await page.evaluate(() => (globalThis as unknown as { __gpScriptRan?: boolean }).__gpScriptRan ?? false)).toBe(false);
  await page.waitForTimeout(500); // an onerror handler would have fired by now
  expect(dialogs).toEqual([]);
  expect(strayRequests).toEqual([]);
});
