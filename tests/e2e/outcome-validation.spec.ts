/**
 * Must-show (issue #6): inline validation for each pathway rule. Each error is shown beside its
 * field (marked invalid, described by a visible message in the same field), the first invalid
 * field takes focus, and filling the field clears the error and lets the outcome through.
 */
import { expect, test, type Page } from '@playwright/test';
import { addUser, apiSignIn, startServiceInstance, type ServiceInstance } from './support/service-instance';
import { expectPending, goToHash, signInAt } from './support/workstation-ui';
import { expectErrorBeside, expectNoError, pickDiagnosis, postReferral, recordForm, type PostedReferral } from './support/outcome-ui';

const PASSWORD = 'validation-e2e-password';

let svc: ServiceInstance;
let usc: PostedReferral;
let ask: PostedReferral;
let discharge: PostedReferral;
let waiting: PostedReferral;
let typed: PostedReferral;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  svc = await startServiceInstance({ demo: false });
  await addUser(svc, { username: 'consultant', name: 'Dr Vera Validator', role: 'consultant', password: PASSWORD });
  await addUser(svc, { username: 'gp', name: 'Dr Gita GP', role: 'referrer', password: PASSWORD });
  const gp = await apiSignIn(svc.url, 'gp', PASSWORD);
  usc = await postReferral(svc.url, gp, 'usc');
  ask = await postReferral(svc.url, gp, 'advice');
  discharge = await postReferral(svc.url, gp, 'advice');
  waiting = await postReferral(svc.url, gp, 'waiting-list');
  typed = await postReferral(svc.url, gp, 'advice');
});

test.afterAll(async () => {
  await svc?.stop();
});

async function open(page: Page, id: string) {
  await goToHash(page, `#/referrals/${id}`);
  const form = recordForm(page);
  await expect(form.region).toBeVisible({ timeout: 30_000 });
  return form;
}

const outcome = (page: Page) => page.getByRole('region', { name: 'Outcome', exact: true });

test('each rule is explained beside its field and cleared by filling it', async ({ page }) => {
  test.setTimeout(180_000);
  await signInAt(page, svc.url, 'consultant', PASSWORD);

  // 1. USC: a non-urgent decision needs the referrer's agreement.
  let form = await open(page, usc.id);
  await form.decision.selectOption('routine-appointment');
  await form.diagnosis.fill('Seborrhoeic keratosis');
  await form.advice.fill('Benign-looking; routine review is enough.');
  const agreedBy = form.region.getByLabel('Agreed by (referrer)');
  await expect(form.region.getByRole('group', { name: 'Referrer’s agreement' })).toContainText('Only the referrer may agree');
  await form.submit.click();
  await expectErrorBeside(agreedBy, /Only the referrer may take a referral off the urgent suspected cancer pathway/);
  await expect(agreedBy).toBeFocused();
  await agreedBy.fill('Dr Outcome Referrer');
  const agreedOn = form.region.getByLabel('Agreed on');
  await form.submit.click();
  await expectNoError(agreedBy);
  await expectErrorBeside(agreedOn, 'Enter the date the referrer agreed.');
  await agreedOn.fill('2026-12-01');
  await expectNoError(agreedOn);
  await form.submit.click();
  await expect(outcome(page)).toContainText('Submitted');
  await expect(outcome(page)).toContainText('Dr Outcome Referrer, 2026-12-01');

  // 2. A request for information needs a reason (and then goes to the GP).
  form = await open(page, ask.id);
  await form.decision.selectOption('request-info');
  await form.diagnosis.fill('Not assessable');
  await form.advice.fill('Please send a close-up with a ruler beside the lesion.');
  await expect(form.submit).toHaveText('Send request to GP');
  await form.submit.click();
  const blurred = form.region.getByRole('checkbox', { name: 'Images blurred' });
  await expectErrorBeside(blurred, 'Choose at least one reason for asking for more information or better images.');
  await expect(blurred).toBeFocused();
  await form.region.getByRole('checkbox', { name: 'No scale or ruler' }).check();
  await expectNoError(blurred);
  await form.submit.click();
  await expect(page.locator('.notice-slot')).toContainText('Request sent to the GP');
  await expectPending(page, 0);

  // 3. A discharge needs safety-netting advice; a template fills it, from the keyboard.
  form = await open(page, discharge.id);
  await form.decision.selectOption('discharge');
  await form.diagnosis.fill('Seborrhoeic keratosis');
  await form.advice.fill('Benign. Reassure.');
  // A draft needs only the contract's minimum: saving is allowed without safety-netting.
  await form.saveDraft.click();
  await expect(page.locator('.notice-slot')).toContainText('Draft saved.');
  await form.submit.click();
  await expectErrorBeside(form.safetyNetting, /A discharge needs safety-netting advice/);
  await expect(form.safetyNetting).toBeFocused();
  const template = form.region.getByRole('group', { name: 'Safety-netting templates' });
  await template.getByLabel('Template').focus();
  await template.getByLabel('Template').selectOption({ label: 'Changing mole (ABCDE)' });
  await page.keyboard.press('Tab');
  await expect(template.getByRole('button', { name: 'Insert template' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(form.safetyNetting).toHaveValue(/asymmetry/);
  await expectNoError(form.safetyNetting);
  // Ctrl+Enter submits from any field.
  await form.advice.focus();
  await page.keyboard.press('Control+Enter');
  await expect(outcome(page)).toContainText('Submitted');
  await expect(outcome(page)).toContainText('asymmetry');

  // 4. Waiting list: a P-code and a review are required; only P-codes are offered.
  form = await open(page, waiting.id);
  await expect(form.priority.locator('option')).toHaveText(['Choose a P-code…', 'P1a — within 24 hours', 'P1b — within 72 hours', 'P2 — within 4 weeks', 'P3 — within 12 weeks', 'P4 — can wait longer than 12 weeks']);
  await form.decision.selectOption('routine-appointment');
  await form.diagnosis.fill('Basal cell carcinoma of skin');
  await form.advice.fill('Keep on the list for excision.');
  await form.submit.click();
  await expectErrorBeside(form.priority, 'Give every patient on a waiting list a clinical priority (P1a to P4).');
  await expect(form.priority).toBeFocused();
  const unchanged = form.region.getByRole('radio', { name: 'Unchanged' });
  const deteriorated = form.region.getByRole('radio', { name: /Deteriorated/ });
  await expectErrorBeside(deteriorated, 'Say whether the patient has deteriorated, is unchanged or has resolved.');
  await form.priority.selectOption('P3');
  await expectNoError(form.priority);
  await unchanged.check();
  await expectNoError(deteriorated);
  await form.submit.click();
  await expect(outcome(page)).toContainText('Submitted');
  await expect(outcome(page)).toContainText('P3 — within 12 weeks');
  await expectPending(page, 0);
});

test('a half-typed outcome is kept on the workstation as it is typed and restored when the case is reopened', async ({ page }) => {
  test.setTimeout(120_000);
  await signInAt(page, svc.url, 'consultant', PASSWORD);
  let form = await open(page, typed.id);
  await form.decision.selectOption('advice');
  await pickDiagnosis(form.diagnosis, 'atopic', 'Atopic dermatitis');
  const advice = 'Emollients twice daily and a moderate steroid for flares.';
  await form.advice.fill(advice);
  await page.waitForTimeout(1_000); // the local save follows a 500 ms pause in typing
  await expectPending(page, 0); // kept locally, not sent

  await page.reload();
  await signInAt(page, svc.url, 'consultant', PASSWORD);
  form = await open(page, typed.id);
  await expect(form.region.getByRole('note').filter({ hasText: 'Restored your unsaved draft from' })).toBeVisible();
  await expect(form.decision).toHaveValue('advice');
  await expect(form.diagnosis).toHaveValue('Atopic dermatitis');
  await expect(form.region.getByText('SNOMED CT 24079001')).toBeVisible();
  await expect(form.advice).toHaveValue(advice);

  await form.submit.click();
  await expect(outcome(page)).toContainText('Atopic dermatitis (SNOMED CT 24079001)');
  await expectPending(page, 0);
});
