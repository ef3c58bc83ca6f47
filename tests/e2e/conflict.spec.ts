/**
 * Must-show 4 (issue #4): a conflict is shown with both versions side by side and resolved by
 * the clinician, and neither version is lost. A registrar and a consultant work on the same
 * draft outcome in two browsers against a real service; the registrar edits while offline on
 * top of a version the consultant has since replaced.
 */
import { expect, test } from '@playwright/test';
import type { Change, Outcome } from '../../shared/contract';
import { addUser, allChanges, apiSignIn, startServiceInstance, submitReferrals, type ServiceInstance } from './support/service-instance';
import { connection, expectPending, fillOutcome, goToHash, outcomeForm, signInAt, syncStatus } from './support/workstation-ui';

const PASSWORD = 'conflict-e2e-password';

let svc: ServiceInstance;
let referralId: string;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  svc = await startServiceInstance({ demo: false });
  await addUser(svc, { username: 'consultant', name: 'Dr Clara Consultant', role: 'consultant', password: PASSWORD });
  await addUser(svc, { username: 'registrar', name: 'Dr Ravi Registrar', role: 'registrar', password: PASSWORD });
  await addUser(svc, { username: 'gp', name: 'Dr Gita GP', role: 'referrer', password: PASSWORD });
  referralId = (await submitReferrals(svc.url, await apiSignIn(svc.url, 'gp', PASSWORD), 1))[0]!.id;
});

test.afterAll(async () => {
  await svc?.stop();
});

const outcomeVersions = (changes: Change[], id: string) =>
  changes.filter((c): c is Extract<Change, { type: 'outcome'; data: Outcome }> => c.type === 'outcome' && c.id === id && !c.deleted);

test('a registrar’s stale offline edit conflicts with the consultant’s; both versions are shown, “Apply mine on top” keeps both in the history', async ({ browser }) => {
  test.setTimeout(180_000);
  const adviceR1 = 'Registrar draft 1: likely actinic keratosis; 5-FU cream twice daily for 3 weeks.';
  const adviceC = 'Consultant edit: start with emollient and sun protection; treat with 5-FU if it persists.';
  const adviceR2 = 'Registrar draft 2 (offline): 5-FU cream once daily for 4 weeks, review at 8 weeks.';

  const r = await browser.newContext();
  const c = await browser.newContext();
  try {
    const rPage = await r.newPage();
    const cPage = await c.newPage();

    // 1. The registrar saves a draft online; it reaches the service.
    await signInAt(rPage, svc.url, 'registrar', PASSWORD);
    await goToHash(rPage, `#/referrals/${referralId}`);
    await fillOutcome(rPage, { decision: 'advice', diagnosis: 'Actinic keratosis', advice: adviceR1 });
    await outcomeForm(rPage).saveDraft.click();
    await expect(outcomeForm(rPage).notice).toContainText('Draft saved.');
    await expectPending(rPage, 0);
    const outcomeId = await rPage.locator('.outcome-form').getAttribute('data-outcome-id');
    expect(outcomeId).toMatch(/^[0-9a-f-]{36}$/);
    // The registrar's copy has the version the service gave (the pull after the push).
    await expect(syncStatus(rPage)).toContainText('Online');

    // 2. The registrar's workstation loses its connection: from now on its copy is stale.
    await r.setOffline(true);
    await expect(connection(rPage)).toHaveAttribute('data-state', 'offline');

    // 3. The consultant opens the referral, sees the registrar's draft in the form, edits it.
    await signInAt(cPage, svc.url, 'consultant', PASSWORD);
    await goToHash(cPage, `#/referrals/${referralId}`);
    const cForm = outcomeForm(cPage);
    await expect(cForm.advice).toHaveValue(adviceR1);
    await expect(cPage.locator('.outcome-form')).toHaveAttribute('data-outcome-id', outcomeId!);
    await expect(cPage.locator('.outcome-form')).toContainText('Draft by Dr Ravi Registrar');
    await cForm.advice.fill(adviceC);
    await cForm.saveDraft.click();
    await expect(cForm.notice).toContainText('Draft saved.');
    await expectPending(cPage, 0);

    // 4. The registrar, still offline, edits the version they have (1) and saves: queued.
    const rForm = outcomeForm(rPage);
    await expect(rForm.advice).toHaveValue(adviceR1);
    await rForm.advice.fill(adviceR2);
    await rForm.saveDraft.click();
    await expect(rForm.notice).toContainText('It will be sent when the service can be reached.');
    await expectPending(rPage, 1);

    // 5. Back online: the service answers "conflict", and the header says it needs them.
    await r.setOffline(false);
    await expectPending(rPage, 0);
    const attention = syncStatus(rPage).getByRole('link', { name: /1 needs you/ });
    await expect(attention).toBeVisible();
    await attention.click();
    await expect(rPage).toHaveURL(/#\/changes$/);

    // 6. Both versions, side by side: the registrar's under "Your version", the consultant's
    // (pulled after the refusal) under "Current version".
    const conflict = rPage.getByRole('article', { name: 'Conflict: Draft outcome' });
    await expect(conflict).toHaveCount(1);
    await expect(conflict.getByRole('region', { name: 'Your version' })).toContainText(adviceR2);
    await expect(conflict.getByRole('region', { name: 'Current version' })).toContainText(adviceC);
    await expect(conflict.getByRole('region', { name: 'Your version' })).not.toContainText(adviceC);
    await expect(conflict.getByRole('region', { name: 'Current version' })).not.toContainText(adviceR2);

    // 7. "Apply mine on top": sent again on top of the consultant's version, and accepted.
    await conflict.getByRole('button', { name: 'Apply mine on top' }).click();
    await expect(conflict).toHaveCount(0);
    await expectPending(rPage, 0);
    await expect(syncStatus(rPage).getByRole('link', { name: /needs? you/ })).toHaveCount(0);

    // 8. On the service: the latest version is the registrar's, the consultant's is still in
    // the history (the feed keeps every version), and so is the registrar's first draft.
    const token = await apiSignIn(svc.url, 'consultant', PASSWORD);
    await expect
      .poll(async () => outcomeVersions(await allChanges(svc.url, token), outcomeId!).at(-1)?.data.adviceToGp)
      .toBe(adviceR2);
    const history = outcomeVersions(await allChanges(svc.url, token), outcomeId!);
    expect(history.map((h) => [h.version, h.data.adviceToGp])).toEqual([
      [1, adviceR1],
      [2, adviceC],
      [3, adviceR2],
    ]);
    const latest = history.at(-1)!.data;
    expect(latest).toMatchObject({ status: 'draft', referralId, author: { role: 'registrar' } });

    // 9. The consultant, after a pull ("Sync now"), sees the registrar's text in the form.
    await cPage.getByRole('button', { name: 'Sync details' }).click();
    await cPage.getByRole('region', { name: 'Sync details' }).getByRole('button', { name: 'Sync now' }).click();
    await expect(cForm.advice).toHaveValue(adviceR2);
  } finally {
    await r.close();
    await c.close();
  }
});
