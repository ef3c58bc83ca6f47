/**
 * The #6 outcome form, sign-off panel and a quick way to post referrals of a chosen pathway,
 * for the supervision, validation and untrusted-text tests.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import type { Pathway } from '../../../shared/contract';
import { syntheticNhsNumber } from '../../../shared/domain/nhs-number';
import { postOneImageReferral, smallJpeg } from './service-instance';

export interface PostedReferral {
  id: string;
  family: string;
}

let counter = 0;
/** One referral of the pathway, with a distinctive family name; `question` defaults to a plain one. */
export async function postReferral(url: string, gpToken: string, pathway: Pathway, opts: { question?: string; notes?: string } = {}): Promise<PostedReferral> {
  counter += 1;
  const n = Math.floor(Math.random() * 300_000) + 100_000 + counter;
  // Letters only, unique per call: a search over names must not match digits.
  let family = 'Outcome';
  for (let k = n * 31 + counter; family.length < 12; k = Math.floor(k / 26)) family += 'abcdefghijklmnopqrstuvwxyz'[k % 26];
  const referral = {
    patient: { nhsNumber: syntheticNhsNumber(n), name: { given: 'Testa', family }, birthDate: '1958-03-09', sex: 'male' },
    pathway,
    referrer: { name: 'Dr Outcome Referrer', practiceCode: 'B81234' },
    question: opts.question ?? 'Changing pigmented lesion on the back. Please advise.',
    history: { duration: '3 months', changed: true, ...(opts.notes ? { notes: opts.notes } : {}) },
    images: [{ part: 'img1', kind: 'close-up', lesion: 'L1', bodySite: 'upper back', capturedAt: '2026-11-20T10:00:00Z' }],
  };
  const id = await postOneImageReferral(url, gpToken, referral, await smallJpeg(), `${pathway} referral`);
  return { id, family };
}

export function recordForm(page: Page) {
  const region = page.getByRole('region', { name: 'Record outcome', exact: true });
  return {
    region,
    decision: region.getByLabel('Decision'),
    diagnosis: region.getByRole('combobox', { name: 'Diagnosis' }),
    priority: region.getByLabel('Priority'),
    confidence: region.getByLabel('Confidence'),
    advice: region.getByLabel('Advice to GP'),
    safetyNetting: region.getByLabel('Safety-netting advice'),
    submit: region.getByRole('button', { name: /^(Submit outcome|Send request to GP)$/ }),
    saveDraft: region.getByRole('button', { name: 'Save draft' }),
  };
}

/** Types into a diagnosis combobox, moves to the first suggestion with ↓ and picks it with Enter. */
export async function pickDiagnosis(combobox: Locator, typed: string, expected: string): Promise<void> {
  await combobox.fill('');
  await combobox.pressSequentially(typed);
  await expect(combobox).toHaveAttribute('aria-expanded', 'true');
  await combobox.press('ArrowDown');
  const listId = await combobox.getAttribute('aria-controls');
  const active = await combobox.getAttribute('aria-activedescendant');
  expect(active).toBe(`${listId}-0`);
  await expect(combobox.page().locator(`[id="${active}"]`)).toContainText(expected);
  await combobox.press('Enter');
  await expect(combobox).toHaveValue(expected);
  await expect(combobox).toHaveAttribute('aria-expanded', 'false');
}

/**
 * The field shows its own error: marked invalid, described by a visible message with the text,
 * and the message sits in the same field (or fieldset) as the control.
 */
export async function expectErrorBeside(control: Locator, text: RegExp | string): Promise<void> {
  await expect(control).toHaveAttribute('aria-invalid', 'true');
  // The description and the message may land a render after the invalid mark: read them together
  // until the control names a visible error message with the text.
  const messagesOf = (ids: string) => control.page().locator(ids.split(' ').filter(Boolean).map((id) => `[id="${id}"].field-error`).join(', ') || 'none');
  let describedBy = '';
  await expect
    .poll(async () => {
      describedBy = (await control.getAttribute('aria-describedby')) ?? '';
      const messages = messagesOf(describedBy);
      return (await messages.count()) > 0 && (await messages.first().isVisible()) ? await messages.first().innerText() : '';
    })
    .toMatch(text);
  // Typed by hand: the test project has no DOM library.
  type El = { closest(s: string): El | null; contains(n: unknown): boolean; classList: { contains(c: string): boolean }; ownerDocument: { getElementById(id: string): El | null } };
  const beside = await control.evaluate((node, ids) => {
    const el = node as unknown as El;
    const box = el.closest('.field, fieldset');
    return ids.some((id) => {
      const msg = el.ownerDocument.getElementById(id);
      return msg !== null && msg.classList.contains('field-error') && box !== null && box.contains(msg);
    });
  }, describedBy.split(' '));
  expect(beside, 'the message is in the same field as the control').toBe(true);
}

export async function expectNoError(control: Locator): Promise<void> {
  await expect(control).not.toHaveAttribute('aria-invalid', 'true');
}

/** Asks the sync to pull now (the header's "Sync now"), instead of waiting for the next poll. */
export async function syncNow(page: Page): Promise<void> {
  const details = page.getByRole('button', { name: 'Sync details' });
  if ((await details.getAttribute('aria-expanded')) !== 'true') await details.click();
  await page.getByRole('region', { name: 'Sync details' }).getByRole('button', { name: 'Sync now' }).click();
}
