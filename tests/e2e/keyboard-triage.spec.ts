/**
 * Must-show (issue #6): keyboard only, a consultant triages 10 advice referrals to a final
 * outcome without the mouse. Everything after `page.goto` is `page.keyboard`: sign in, pick the
 * Unassigned queue, open the first row, go to the outcome form, choose the decision, pick a
 * coded diagnosis from the type-ahead, write the advice, submit with Ctrl+Enter, and the next
 * case of the queue opens by itself. No pointer event reaches the page (counted), and the
 * service ends with exactly the ten outcomes typed, final, coded, once each.
 */
import { expect, test, type Page } from '@playwright/test';
import type { Outcome } from '../../shared/contract';
import { outcomesIn } from './support/feed-views';
import { addUser, allChanges, apiSignIn, startServiceInstance, submitReferrals, type ServiceInstance, type SubmittedReferral } from './support/service-instance';
import { expectPending, syncStatus } from './support/workstation-ui';

const PASSWORD = 'keyboard-e2e-password';
const CASES = 10;

/** Diagnoses typed by their first letters and picked from the coded list, in turn. */
const DIAGNOSES = [
  { typed: 'actin', term: 'Actinic keratosis', code: '201101007' },
  { typed: 'psori', term: 'Psoriasis', code: '9014002' },
  { typed: 'rosac', term: 'Rosacea', code: '398909004' },
] as const;

let svc: ServiceInstance;
let referrals: SubmittedReferral[];

test.beforeAll(async () => {
  test.setTimeout(180_000);
  svc = await startServiceInstance({ demo: false });
  await addUser(svc, { username: 'consultant', name: 'Dr Kim Keys', role: 'consultant', password: PASSWORD });
  await addUser(svc, { username: 'gp', name: 'Dr Gale GP', role: 'referrer', password: PASSWORD });
  referrals = await submitReferrals(svc.url, await apiSignIn(svc.url, 'gp', PASSWORD), CASES);
});

test.afterAll(async () => {
  await svc?.stop();
});

/** The accessible name of the focused element, read from the accessibility tree (as a screen reader announces it). */
async function focusedName(page: Page): Promise<string> {
  const focused = page.locator(':focus');
  if ((await focused.count()) === 0) return '';
  const first = (await focused.first().ariaSnapshot()).split('\n')[0] ?? '';
  return /^- [\w-]+ "((?:[^"\\]|\\.)*)"/.exec(first)?.[1] ?? '';
}

/** Presses Tab until the focused control's name is `name` (as a keyboard user moves through a form). */
async function tabTo(page: Page, name: string | RegExp, max = 60): Promise<void> {
  const matches = (s: string) => (typeof name === 'string' ? s === name : name.test(s));
  for (let i = 0; i < max; i++) {
    if (matches(await focusedName(page))) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${String(name)} (last: "${await focusedName(page)}")`);
}

test('keyboard only: 10 advice referrals triaged to a final outcome without the mouse', async ({ page }) => {
  test.setTimeout(360_000);
  // Every pointer event the page receives is counted, across reloads of the document (the
  // script is a string: the tests' type check has no DOM library).
  await page.addInitScript(`
    for (const type of ['pointerdown', 'mousedown', 'pointerup', 'wheel']) {
      window.addEventListener(type, () => sessionStorage.setItem('pointerEvents', String(Number(sessionStorage.getItem('pointerEvents') ?? '0') + 1)), true);
    }
  `);
  await page.goto(`${svc.url}/`);

  // Sign in: the username field has focus on a first visit.
  await expect(page.getByLabel('Username')).toBeFocused();
  await page.keyboard.type('consultant');
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(syncStatus(page)).toBeVisible({ timeout: 30_000 });

  // The Unassigned queue holds the ten new referrals.
  const unassigned = page.getByRole('navigation', { name: 'Queues' }).getByRole('link', { name: /^Unassigned/ });
  await expect(unassigned).toContainText(String(CASES), { timeout: 60_000 });
  await tabTo(page, /^Unassigned/);
  await page.keyboard.press('Enter');
  await expect(unassigned).toHaveAttribute('aria-current', 'page');
  const table = page.getByRole('table', { name: 'Worklist' });
  await expect(table.getByRole('row')).toHaveCount(CASES + 1); // header + rows

  // J focuses the first row, Enter opens it.
  await page.keyboard.press('j');
  await page.keyboard.press('Enter');

  const typed = new Map<string, { code: string; advice: string }>();
  for (let i = 0; i < CASES; i++) {
    const caseView = page.getByRole('article', { name: 'Referral' });
    await expect(caseView).toBeVisible();
    const referralId = await caseView.getAttribute('data-referral-id');
    expect(referralId, `case ${i + 1} opened`).toBeTruthy();
    expect(typed.has(referralId!), `case ${i + 1} is a new referral`).toBe(false);

    // O goes to the outcome form's first field.
    const decision = page.getByRole('region', { name: 'Record outcome', exact: true }).getByLabel('Decision');
    await expect(decision).toBeVisible();
    await page.keyboard.press('o');
    await expect(decision).toBeFocused();
    // The first option after "Choose a decision…" is advice to the GP.
    await page.keyboard.press('ArrowDown');
    await expect(decision).toHaveValue('advice');

    const dx = DIAGNOSES[i % DIAGNOSES.length]!;
    await tabTo(page, 'Diagnosis');
    await page.keyboard.type(dx.typed);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('combobox', { name: 'Diagnosis' })).toHaveValue(dx.term);

    const advice = `Keyboard case ${i + 1}: treat as ${dx.term.toLowerCase()}; review in primary care in 6 weeks.`;
    await tabTo(page, 'Advice to GP');
    await page.keyboard.type(advice);
    typed.set(referralId!, { code: dx.code, advice });

    // Ctrl+Enter submits; the next case of the queue opens (after the last, the worklist).
    await page.keyboard.press('Control+Enter');
    if (i < CASES - 1) {
      await expect(caseView).not.toHaveAttribute('data-referral-id', referralId!, { timeout: 20_000 });
    } else {
      await expect(page.getByRole('heading', { name: 'Worklist' })).toBeVisible({ timeout: 20_000 });
    }
  }

  await expectPending(page, 0, 60_000);
  const pointerEvents = await page.evaluate<string | null>("sessionStorage.getItem('pointerEvents')");
  expect(Number(pointerEvents ?? '0'), 'pointer events on the page').toBe(0);

  // The service holds exactly the ten outcomes typed: final, coded, by the consultant, once each.
  const outcomes = outcomesIn(await allChanges(svc.url, await apiSignIn(svc.url, 'consultant', PASSWORD)));
  expect(outcomes).toHaveLength(CASES);
  expect(new Set(outcomes.map((o: Outcome) => o.referralId))).toEqual(new Set(referrals.map((r) => r.id)));
  for (const o of outcomes) {
    const want = typed.get(o.referralId);
    expect(want, `outcome for ${o.referralId} was typed`).toBeDefined();
    expect(o.status).toBe('final');
    expect(o.version).toBe(1);
    expect(o.decision).toBe('advice');
    expect(o.diagnosis.code).toBe(want!.code);
    expect(o.diagnosis.system).toBe('http://snomed.info/sct');
    expect(o.adviceToGp).toBe(want!.advice);
    expect(o.author.name).toBe('Dr Kim Keys');
  }
});
