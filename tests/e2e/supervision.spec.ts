/**
 * Must-show (issue #6): a registrar triages a USC referral with a coded diagnosis picked by
 * type-ahead; it awaits a consultant's sign-off; the consultant amends it (shown as a
 * difference before confirming) and signs off with a comment; the registrar then sees the final
 * outcome with the amendments and the comment; the service holds it with both identities.
 */
import { expect, test } from '@playwright/test';
import type { Change, Outcome } from '../../shared/contract';
import { addUser, allChanges, apiSignIn, startServiceInstance, type ServiceInstance } from './support/service-instance';
import { expectPending, goToHash, signInAt } from './support/workstation-ui';
import { pickDiagnosis, postReferral, recordForm, syncNow, type PostedReferral } from './support/outcome-ui';

const PASSWORD = 'supervision-e2e-password';
const CONSULTANT = 'Dr Clara Consultant';
const REGISTRAR = 'Dr Ravi Registrar';

let svc: ServiceInstance;
let referral: PostedReferral;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  svc = await startServiceInstance({ demo: false });
  await addUser(svc, { username: 'consultant', name: CONSULTANT, role: 'consultant', password: PASSWORD });
  await addUser(svc, { username: 'registrar', name: REGISTRAR, role: 'registrar', password: PASSWORD });
  await addUser(svc, { username: 'gp', name: 'Dr Gita GP', role: 'referrer', password: PASSWORD });
  referral = await postReferral(svc.url, await apiSignIn(svc.url, 'gp', PASSWORD), 'usc');
});

test.afterAll(async () => {
  await svc?.stop();
});

const outcomesOf = (changes: Change[], referralId: string) =>
  changes.filter((c): c is Extract<Change, { type: 'outcome'; data: Outcome }> => c.type === 'outcome' && !c.deleted && c.data.referralId === referralId).map((c) => c.data);

test('registrar triages a USC referral; the consultant amends and signs off with a comment; the registrar sees the difference', async ({ browser }) => {
  test.setTimeout(180_000);
  const r = await browser.newContext();
  const c = await browser.newContext();
  try {
    // 1. The registrar picks a coded diagnosis by keyboard and submits.
    const rPage = await r.newPage();
    await signInAt(rPage, svc.url, 'registrar', PASSWORD);
    await goToHash(rPage, `#/referrals/${referral.id}`);
    const form = recordForm(rPage);
    await expect(form.region).toBeVisible({ timeout: 30_000 });
    await form.decision.selectOption('usc-appointment');
    await pickDiagnosis(form.diagnosis, 'squam', 'Squamous cell carcinoma of skin');
    await expect(form.region.getByText('SNOMED CT 254651007')).toBeVisible();
    await form.priority.selectOption('usc');
    await form.advice.fill('Suspicious keratotic nodule; seen in the USC clinic this week for excision.');
    await form.submit.click();
    await expectPending(rPage, 0);
    await goToHash(rPage, `#/referrals/${referral.id}`);
    const rOutcome = rPage.getByRole('region', { name: 'Outcome', exact: true });
    await expect(rOutcome).toContainText('Awaiting sign-off');
    await expect(rOutcome).toContainText(`Written by${REGISTRAR}`);

    // 2. The consultant sees it awaiting their sign-off and amends it.
    const cPage = await c.newPage();
    await signInAt(cPage, svc.url, 'consultant', PASSWORD);
    await goToHash(cPage, `#/referrals/${referral.id}`);
    const signOff = cPage.getByRole('region', { name: 'Sign-off', exact: true });
    await expect(signOff).toBeVisible({ timeout: 30_000 });
    await expect(cPage.getByRole('region', { name: 'Outcome', exact: true })).toContainText('Awaiting sign-off');
    await expect(signOff).toContainText(`Written by ${REGISTRAR} (registrar)`);
    await signOff.getByRole('button', { name: 'Amend and approve…' }).click();

    const amend = cPage.getByRole('region', { name: 'Amend outcome', exact: true });
    const diagnosis = amend.getByRole('combobox', { name: 'Diagnosis' });
    await expect(diagnosis).toHaveValue('Squamous cell carcinoma of skin');
    await pickDiagnosis(diagnosis, 'merkel', 'Merkel cell carcinoma');
    await amend.getByLabel('Confidence').selectOption('high');
    await amend.getByRole('button', { name: 'Review amendments' }).click();

    // The difference, field by field, before confirming.
    const confirm = cPage.getByRole('region', { name: 'Confirm amendments', exact: true });
    const diff = confirm.getByRole('table');
    await expect(diff.getByRole('row')).toHaveCount(3); // header, diagnosis, confidence
    const diagRow = diff.getByRole('row', { name: /^Diagnosis/ });
    await expect(diagRow).toContainText('Squamous cell carcinoma of skin (SNOMED CT 254651007)');
    await expect(diagRow).toContainText('Merkel cell carcinoma (SNOMED CT 253001006)');
    await expect(diff.getByRole('row', { name: /^Confidence/ })).toContainText('High');
    const comment = 'Violaceous dome-shaped nodule: Merkel cell carcinoma is more likely. Well triaged.';
    await confirm.getByLabel('Comment for the registrar (optional)').fill(comment);
    await confirm.getByRole('button', { name: 'Confirm and sign off' }).click();
    await expectPending(cPage, 0);

    // 3. The service holds the final outcome with both identities, the amendment and the comment.
    const final = outcomesOf(await allChanges(svc.url, await apiSignIn(svc.url, 'consultant', PASSWORD)), referral.id).filter((o) => o.status === 'final').at(-1);
    expect(final).toMatchObject({
      status: 'final',
      decision: 'usc-appointment',
      priority: 'usc',
      confidence: 'high',
      diagnosis: { text: 'Merkel cell carcinoma', code: '253001006', system: 'http://snomed.info/sct' },
      author: { name: REGISTRAR, role: 'registrar' },
      signedOff: {
        by: { name: CONSULTANT, role: 'consultant' },
        amended: true,
        comment,
        before: { diagnosis: { text: 'Squamous cell carcinoma of skin', code: '254651007', system: 'http://snomed.info/sct' } },
      },
    });
    // The referring GP sees the final outcome too.
    const gpView = outcomesOf(await allChanges(svc.url, await apiSignIn(svc.url, 'gp', PASSWORD)), referral.id).at(-1);
    expect(gpView).toMatchObject({ status: 'final', diagnosis: { code: '253001006' } });

    // 4. The registrar sees the final outcome, who signed it, the difference and the comment.
    await syncNow(rPage);
    await goToHash(rPage, `#/referrals/${referral.id}`);
    await expect(rOutcome).toContainText(`Signed off by ${CONSULTANT}`, { timeout: 30_000 });
    await expect(rOutcome).toContainText('Submitted');
    const seen = rOutcome.getByRole('table');
    await expect(seen.getByRole('row', { name: /^Diagnosis/ })).toContainText('Squamous cell carcinoma of skin (SNOMED CT 254651007)');
    await expect(seen.getByRole('row', { name: /^Diagnosis/ })).toContainText('Merkel cell carcinoma (SNOMED CT 253001006)');
    await expect(seen.getByRole('row', { name: /^Confidence/ })).toContainText('High');
    await expect(rOutcome.getByRole('note', { name: 'Consultant’s comment' })).toContainText(comment);
    await expect(rOutcome).toContainText(`Written by${REGISTRAR}`);
  } finally {
    await r.close();
    await c.close();
  }
});

test('a consultant returns an outcome with a required comment; it reopens in the registrar’s form with the comment', async ({ browser }) => {
  test.setTimeout(180_000);
  const returned = await postReferral(svc.url, await apiSignIn(svc.url, 'gp', PASSWORD), 'usc');
  const r = await browser.newContext();
  const c = await browser.newContext();
  try {
    const rPage = await r.newPage();
    await signInAt(rPage, svc.url, 'registrar', PASSWORD);
    await goToHash(rPage, `#/referrals/${returned.id}`);
    const form = recordForm(rPage);
    await expect(form.region).toBeVisible({ timeout: 30_000 });
    await form.decision.selectOption('usc-appointment');
    await form.diagnosis.fill('Pigmented lesion, uncertain');
    await form.advice.fill('Seen in the USC clinic.');
    await form.submit.click();
    await expectPending(rPage, 0);

    const cPage = await c.newPage();
    await signInAt(cPage, svc.url, 'consultant', PASSWORD);
    await goToHash(cPage, `#/referrals/${returned.id}`);
    const signOff = cPage.getByRole('region', { name: 'Sign-off', exact: true });
    await expect(signOff).toBeVisible({ timeout: 30_000 });
    await signOff.getByRole('button', { name: 'Return to registrar…' }).click();
    const commentBox = signOff.getByLabel('Comment for the registrar (required)');
    await signOff.getByRole('button', { name: 'Return to registrar', exact: true }).click();
    await expect(commentBox).toHaveAttribute('aria-invalid', 'true');
    await expect(commentBox).toBeFocused();
    await expect(signOff.locator('.field-error')).toContainText('needs a comment');
    const comment = 'Please code the diagnosis and add the dermoscopy findings.';
    await commentBox.fill(comment);
    await signOff.getByRole('button', { name: 'Return to registrar', exact: true }).click();
    await expectPending(cPage, 0);

    await syncNow(rPage);
    await goToHash(rPage, `#/referrals/${returned.id}`);
    await expect(rPage.getByRole('note', { name: 'Returned for changes' })).toContainText(comment, { timeout: 30_000 });
    await expect(recordForm(rPage).diagnosis).toHaveValue('Pigmented lesion, uncertain');
  } finally {
    await r.close();
    await c.close();
  }
});
