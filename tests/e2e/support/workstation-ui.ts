/**
 * The few screens the offline-first must-show tests drive, found by role and label as a
 * clinician would: sign-in, the header's sync status, and a case's outcome form.
 */
import { expect, type Locator, type Page } from '@playwright/test';

/** Opens the app at `url` and signs in (the username may be prefilled: it is filled anyway). */
export async function signInAt(page: Page, url: string, username: string, password: string, timeout?: number): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(syncStatus(page)).toBeVisible(timeout === undefined ? undefined : { timeout });
}

/** The header's "Online · 3 pending · …" line. */
export function syncStatus(page: Page): Locator {
  return page.getByRole('status', { name: 'Sync status' });
}

/** The header's sync control, which carries data-pending, data-state and the prefetch counters. */
export function connection(page: Page): Locator {
  return page.locator('.connection');
}

/** Waits until the outbox holds exactly `n` entries waiting to be sent. */
export async function expectPending(page: Page, n: number, timeout = 30_000): Promise<void> {
  await expect(connection(page)).toHaveAttribute('data-pending', String(n), { timeout });
}

/** Navigates inside the running app (a hash change, as a link does: no reload, no new sign-in). */
export async function goToHash(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => {
    (globalThis as unknown as { location: { hash: string } }).location.hash = h;
  }, hash);
}

export interface OutcomeFields {
  decision: string;
  diagnosis: string;
  advice: string;
}

export function outcomeForm(page: Page) {
  return {
    decision: page.getByLabel('Decision'),
    diagnosis: page.getByLabel('Diagnosis'),
    advice: page.getByLabel('Advice to GP'),
    saveDraft: page.getByRole('button', { name: 'Save draft' }),
    submit: page.getByRole('button', { name: 'Submit outcome' }),
    notice: page.locator('.notice-slot'),
  };
}

export async function fillOutcome(page: Page, fields: OutcomeFields): Promise<void> {
  const form = outcomeForm(page);
  await form.decision.selectOption(fields.decision);
  await form.diagnosis.fill(fields.diagnosis);
  await form.advice.fill(fields.advice);
}
