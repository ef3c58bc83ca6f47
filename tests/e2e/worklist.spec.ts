import { expect, test, type Locator, type Page } from '@playwright/test';
import { addUser, apiSignIn, DEMO_PASSWORD, startServiceInstance } from './support/service-instance';
import { postReferral, recordForm } from './support/outcome-ui';
import { goToHash, signInAt, syncStatus } from './support/workstation-ui';

/*
 * The worklist (#6) against the real service with demo data, found by role and label as a
 * clinician would: queues with counts, filters, search, sort, take and release from the row,
 * J/K/Enter and N, the clock's states in words, the view surviving a trip into a case, and the
 * next case of the same queue opening after a submitted outcome.
 */

const PASSWORD = 'worklist-e2e-password';

const table = (page: Page) => page.getByRole('table', { name: 'Worklist' });
const rows = (page: Page) => table(page).locator('tbody tr[data-referral-id]');
const queue = (page: Page, name: string) => page.getByRole('navigation', { name: 'Queues' }).getByRole('link', { name: new RegExp(`^${name}\\b`) });

/** Waits until the table shows this view (its query string), so rows read next belong to it. */
async function showing(page: Page, view: string | RegExp): Promise<void> {
  await expect(table(page)).toHaveAttribute('data-view', view);
}

async function signIn(page: Page, username = 'consultant'): Promise<void> {
  await signInAt(page, '', username, DEMO_PASSWORD);
  await expect(table(page)).toHaveAttribute('data-ready', 'true');
}

/** The number in a queue's link ("Unassigned 12"). */
async function queueCount(link: Locator): Promise<number> {
  return Number((await link.locator('.queue-count').innerText()).replace(/\D/g, ''));
}

async function ids(page: Page): Promise<string[]> {
  return rows(page).evaluateAll((trs) => trs.map((tr) => (tr as unknown as { getAttribute(name: string): string | null }).getAttribute('data-referral-id') ?? ''));
}

test('queues with counts, filters, search and sort; the view is in the address', async ({ page }) => {
  await signIn(page);
  const nav = page.getByRole('navigation', { name: 'Queues' });
  for (const name of ['My work', 'Unassigned', 'Awaiting my sign-off', 'Waiting for information', 'Done today', 'All referrals']) await expect(queue(page, name)).toBeVisible();
  // A consultant has no "Returned to me" queue.
  await expect(nav.getByRole('link', { name: /Returned to me/ })).toHaveCount(0);

  // Each queue shows as many rows as its count says, and only rows that belong.
  await queue(page, 'Awaiting my sign-off').click();
  await expect(queue(page, 'Awaiting my sign-off')).toHaveAttribute('aria-current', 'page');
  await expect(page).toHaveURL(/#\/\?queue=signoff$/);
  await showing(page, 'queue=signoff');
  // The demo's registrar outcome, unless a spec before this one signed it off (shared data).
  const signoff = await queueCount(queue(page, 'Awaiting my sign-off'));
  await expect(rows(page)).toHaveCount(signoff);
  for (const row of await rows(page).all()) await expect(row).toContainText('Awaiting sign-off');

  await queue(page, 'Waiting for information').click();
  await showing(page, 'queue=waiting');
  await expect(rows(page)).toHaveCount(await queueCount(queue(page, 'Waiting for information')));
  for (const row of await rows(page).all()) await expect(row).toContainText('Waiting for information');

  await queue(page, 'Unassigned').click();
  await showing(page, 'queue=unassigned');
  const unassigned = await queueCount(queue(page, 'Unassigned'));
  expect(unassigned).toBeGreaterThan(2);
  await expect(rows(page)).toHaveCount(unassigned);
  for (const row of await rows(page).all()) {
    await expect(row).toContainText('New');
    await expect(row.locator('td.assigned')).toHaveText('—');
  }

  // Filters: pathway (USC rows stand out with a badge, in words), and the count says "of N".
  await page.getByLabel('Pathway').selectOption('usc');
  await expect(page).toHaveURL(/queue=unassigned&pathway=usc/);
  await showing(page, 'queue=unassigned&pathway=usc');
  const usc = await rows(page).count();
  expect(usc).toBeGreaterThan(0);
  for (const row of await rows(page).all()) {
    await expect(row).toHaveAttribute('data-pathway', 'usc');
    await expect(row.locator('.pathway-usc')).toHaveText(/USC/);
    await expect(row).toHaveClass(/worklist-row-usc/);
  }
  await expect(page.locator('.count')).toContainText(`of ${unassigned} in Unassigned`);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(rows(page)).toHaveCount(unassigned);

  // Sort by patient name, both ways.
  await page.getByLabel('Sort by').selectOption({ label: 'Patient name' });
  await showing(page, 'queue=unassigned&sort=name');
  const names = await rows(page).getByRole('rowheader').allInnerTexts();
  expect(names).toEqual([...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
  await expect(table(page).getByRole('columnheader', { name: 'Patient' })).toHaveAttribute('aria-sort', 'ascending');
  await page.getByLabel('Order').selectOption({ label: 'Z to A' });
  await expect(rows(page).getByRole('rowheader')).toHaveText([...names].reverse());

  // Search: a family name, then an NHS number typed with spaces.
  const first = rows(page).first();
  const family = (await first.getByRole('rowheader').innerText()).split(',')[0]!.trim();
  const nhs = (await first.locator('td.nhs').innerText()).trim(); // "999 000 0018"
  await page.getByLabel('Search by patient name or NHS number').fill(family.toLowerCase());
  await showing(page, /&q=/);
  for (const row of await rows(page).all()) await expect(row.getByRole('rowheader')).toContainText(family);
  await page.getByLabel('Search by patient name or NHS number').fill(nhs);
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first().locator('td.nhs')).toHaveText(nhs);
  await page.getByLabel('Search by patient name or NHS number').fill(nhs.replace(/\s/g, ''));
  await expect(rows(page)).toHaveCount(1);

  // Due state: every overdue row says so in words.
  await page.getByLabel('Search by patient name or NHS number').fill('');
  await page.getByLabel('Due state').selectOption('overdue');
  await showing(page, 'queue=unassigned&due=overdue&sort=name&dir=desc');
  for (const row of await rows(page).all()) await expect(row.locator('.due-label')).toHaveText(/^▲ Overdue by /);
  await page.getByLabel('Due state').selectOption('on-track');
  await showing(page, 'queue=unassigned&due=on-track&sort=name&dir=desc');
  for (const row of await rows(page).all()) await expect(row.locator('.due-label')).toHaveText(/^\d.* left$/);

  // The whole view survives a reload (it is in the address), after unlocking again.
  const url = page.url();
  await page.reload();
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(syncStatus(page)).toBeVisible();
  expect(page.url()).toBe(url);
  await expect(queue(page, 'Unassigned')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByLabel('Due state')).toHaveValue('on-track');
  await expect(page.getByLabel('Order')).toHaveValue('desc');
});

test('keyboard: J/K move, Enter opens, N walks the same queue, Escape returns to it; T takes and releases', async ({ page }) => {
  await signIn(page);
  await queue(page, 'Unassigned').click();
  await page.getByLabel('Sort by').selectOption({ label: 'Age (received)' });
  await showing(page, 'queue=unassigned&sort=received');
  await expect.poll(async () => (await ids(page)).length).toBeGreaterThan(3);
  const order = await ids(page);
  await expect(page.getByText(/J.*K.*move.*Enter.*opens.*T.*takes or releases/)).toBeVisible();

  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('j');
  await expect(rows(page).nth(0)).toBeFocused();
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await expect(rows(page).nth(2)).toBeFocused();
  await page.keyboard.press('k');
  await expect(rows(page).nth(1)).toBeFocused();

  // Take with T: the row says "You", leaves Unassigned and joins My work (counts follow).
  const mine = await queueCount(queue(page, 'My work'));
  const taken = order[1]!;
  const name = (await rows(page).nth(1).getByRole('rowheader').innerText()).trim();
  await page.keyboard.press('t');
  await expect(page.getByRole('status').filter({ hasText: `Taken: ${name}.` })).toBeVisible();
  await expect(table(page).locator(`tr[data-referral-id="${taken}"]`)).toHaveCount(0);
  await expect(queue(page, 'My work').locator('.queue-count')).toHaveText(String(mine + 1));
  await queue(page, 'My work').click();
  const row = table(page).locator(`tr[data-referral-id="${taken}"]`);
  await expect(row.locator('td.assigned')).toHaveText('You');
  await expect(row).toContainText('In review');
  // Release from the row's button, by mouse this time.
  await row.getByRole('button', { name: 'Release' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Released: ${name}.` })).toBeVisible();
  await expect(row).toHaveCount(0);
  await queue(page, 'Unassigned').click();
  await expect.poll(() => ids(page)).toEqual(order);

  // Enter opens the focused case; N goes to the next one of this queue, in this order.
  await page.keyboard.press('j');
  await page.keyboard.press('Home');
  await expect(rows(page).nth(0)).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`#/referrals/${order[0]}$`));
  await expect(page.locator('article.case')).toHaveAttribute('data-referral-id', order[0]!);
  await page.locator('article.case').click({ position: { x: 2, y: 2 } });
  await page.keyboard.press('n');
  await expect(page.locator('article.case')).toHaveAttribute('data-referral-id', order[1]!);
  await page.getByRole('link', { name: /Next case/ }).click();
  await expect(page.locator('article.case')).toHaveAttribute('data-referral-id', order[2]!);

  // Escape: back to the same queue, filters and sort, the opened row focused.
  await page.locator('article.case').click({ position: { x: 2, y: 2 } });
  await page.keyboard.press('Escape');
  await expect(queue(page, 'Unassigned')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByLabel('Sort by')).toHaveValue('received');
  await expect(page).toHaveURL(/queue=unassigned&sort=received/);
  await expect(table(page).locator(`tr[data-referral-id="${order[0]}"]`)).toBeFocused();
});

test('the clock: time left, due soon and overdue in words, moving with the time', async ({ page }) => {
  await signIn(page);
  await queue(page, 'Unassigned').click();
  await page.getByLabel('Due state').selectOption('on-track');
  await showing(page, 'queue=unassigned&due=on-track');
  const clock = rows(page).first().locator('.due');
  const id = await rows(page).first().getAttribute('data-referral-id');
  const dueAt = Date.parse((await clock.getAttribute('data-due-at'))!);
  const receivedAt = Date.parse((await clock.getAttribute('data-received-at'))!);
  await expect(clock.locator('.due-label')).toHaveText(/^\d.* left$/);

  // Late in its target (the last quarter): due soon, with the time left.
  await page.clock.setFixedTime(dueAt - (dueAt - receivedAt) * 0.1);
  await page.reload();
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Due state').selectOption('due-soon');
  const row = table(page).locator(`tr[data-referral-id="${id}"]`);
  await expect(row).toHaveAttribute('data-due-state', 'due-soon');
  await expect(row.locator('.due-label')).toHaveText(/^◆ Due soon: .+ left$/);

  // Past it: overdue by how long.
  await page.clock.setFixedTime(dueAt + 3 * 3_600_000);
  await page.reload();
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByLabel('Due state')).toHaveValue('due-soon');
  await page.getByLabel('Due state').selectOption('overdue');
  await expect(row).toHaveAttribute('data-due-state', 'overdue');
  await expect(row.locator('.due-label')).toHaveText('▲ Overdue by 3 h');
  await expect(page.locator('.count-overdue')).toBeVisible();
});

test('after a submitted outcome the next case of the same queue opens; a case opened from a link stays', async ({ page }) => {
  test.setTimeout(240_000);
  // Its own service: the referrals it posts and decides must not change the demo's counts.
  const svc = await startServiceInstance({ demo: false });
  try {
    await addUser(svc, { username: 'consultant', name: 'Dr Queue Consultant', role: 'consultant', password: PASSWORD });
    await addUser(svc, { username: 'gp', name: 'Dr Queue GP', role: 'referrer', password: PASSWORD });
    const gp = await apiSignIn(svc.url, 'gp', PASSWORD);
    const posted = [await postReferral(svc.url, gp, 'advice'), await postReferral(svc.url, gp, 'advice'), await postReferral(svc.url, gp, 'advice')];
    await signInAt(page, svc.url, 'consultant', PASSWORD);
    await expect(table(page)).toHaveAttribute('data-ready', 'true');
    await queue(page, 'Unassigned').click();
    // The search narrows the queue (to these three); the order is by name.
    await page.getByLabel('Search by patient name or NHS number').fill('testa');
    await page.getByLabel('Sort by').selectOption({ label: 'Patient name' });
    await showing(page, 'queue=unassigned&q=testa&sort=name');
    await expect(rows(page)).toHaveCount(3);
    const order = await ids(page);
    expect([...order].sort()).toEqual(posted.map((p) => p.id).sort());

    await table(page).locator(`tr[data-referral-id="${order[0]}"]`).click();
    const form = recordForm(page);
    await expect(form.region).toBeVisible();
    const decide = async () => {
      await form.decision.selectOption('advice');
      await form.diagnosis.fill('Seborrhoeic keratosis');
      await form.advice.fill('Benign appearance; reassure. Re-refer if it bleeds, grows or changes colour.');
      await form.submit.click();
    };
    await decide();
    // The next case of the same queue (the same search and sort) opens, saying what happened.
    await expect(page.locator('article.case')).toHaveAttribute('data-referral-id', order[1]!);
    await expect(page.getByRole('status').filter({ hasText: /^Outcome recorded for .+\. Next in Unassigned\.$/ })).toBeVisible();

    // The decided case has left the queue and is done today; back in the worklist the search
    // (kept in memory, never in the address) and the sort are kept.
    await page.getByRole('link', { name: /Back to worklist/ }).click();
    await expect(page.getByLabel('Search by patient name or NHS number')).toHaveValue('testa');
    expect(page.url()).not.toContain('testa');
    await expect(table(page).locator(`tr[data-referral-id="${order[0]}"]`)).toHaveCount(0);
    await expect(queue(page, 'Done today').locator('.queue-count')).toHaveText('1');

    // A case opened from a link (not from a queue) stays put after its submit.
    const other = order[2]!;
    await goToHash(page, `#/referrals/${other}`);
    await expect(form.region).toBeVisible();
    await decide();
    await expect(page.locator('.notice-slot')).toContainText('Outcome submitted.');
    await expect(page.locator('article.case')).toHaveAttribute('data-referral-id', other);
    await expect(page).toHaveURL(new RegExp(`#/referrals/${other}$`));
  } finally {
    await svc.stop();
  }
});
