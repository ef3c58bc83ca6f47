/**
 * Must-show: the letter PDF contains the diagnosis, the advice and both clinicians' names.
 * A registrar's outcome, amended and signed off by the consultant through the API, opened as
 * letters in the UI and printed to PDF the way Chromium's "Save as PDF" does (print media,
 * A4); `pdftotext` (poppler-utils) reads back what is on the page.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { formatNhsNumber } from '../../shared/domain/nhs-number';
import { decidedReferral } from './support/decided-referral';
import { DEMO_PASSWORD } from './support/service-instance';
import { goToHash, signInAt } from './support/workstation-ui';

const run = promisify(execFile);
const XSS = '<img src=x onerror=alert(1)>';
const DIAGNOSIS = 'Seborrhoeic keratosis';
const AMENDED_ADVICE = 'Benign seborrhoeic keratosis: no treatment or follow-up needed. Cryotherapy only if it catches on clothing.';
const SAFETY_NETTING = 'Seek review if it bleeds, grows quickly or changes colour.';

/** The page as Chromium prints it, and its text as pdftotext reads it (whitespace collapsed). */
async function printedText(page: Page, file: string): Promise<{ text: string; info: string }> {
  await page.emulateMedia({ media: 'print' });
  const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
  await page.emulateMedia({ media: 'screen' });
  await writeFile(file, pdf);
  const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', file, '-']);
  const { stdout: info } = await run('pdfinfo', [file]);
  return { text: stdout.replace(/\s+/g, ' '), info };
}

test('the letters of a signed-off registrar outcome print to PDF with the diagnosis, the advice and both clinicians', async ({ page }, testInfo) => {
  // Chart.js and the print styles must run under the strict CSP: a violation is logged as an error.
  const cspViolations: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const decided = await decidedReferral(testInfo.project.use.baseURL!, {
    question: `Rough brown plaque on the shin for 3 months. Seborrhoeic keratosis? ${XSS}`,
    outcome: {
      decision: 'discharge',
      diagnosis: { text: DIAGNOSIS, code: '254701007', system: 'http://snomed.info/sct' },
      adviceToGp: 'Benign. Review in 3 months.',
      safetyNetting: SAFETY_NETTING,
      patientInformation: 'This is a common, harmless skin growth.',
    },
    amend: { adviceToGp: AMENDED_ADVICE },
    comment: 'Good diagnosis; no review needed for this.',
  });

  await signInAt(page, '', 'consultant', DEMO_PASSWORD);
  await goToHash(page, `#/referrals/${decided.referralId}`);
  // The case offers its letters once the outcome is final (after the next sync brings it).
  const lettersLink = page.getByRole('link', { name: 'Letters' });
  await expect(lettersLink).toBeVisible({ timeout: 30_000 });
  await lettersLink.click();
  await expect(page).toHaveURL(new RegExp(`#/referrals/${decided.referralId}/letters$`));

  const gpTab = page.getByRole('tab', { name: 'Letter to GP' });
  const patientTab = page.getByRole('tab', { name: 'Letter to patient' });
  await expect(gpTab).toHaveAttribute('aria-selected', 'true');
  const gpLetter = page.getByRole('article', { name: 'Letter to the GP' });
  await expect(gpLetter).toContainText(AMENDED_ADVICE);
  // Typed markup is shown as the characters typed, not an element.
  await expect(gpLetter).toContainText(XSS);
  expect(await gpLetter.locator('img').count()).toBe(0);
  await expect(page.getByRole('button', { name: 'Save as PDF' })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Print' })).toBeEnabled();

  const gp = await printedText(page, testInfo.outputPath('gp-letter.pdf'));
  expect(gp.info).toMatch(/Page size:.*\(A4\)/);
  for (const expected of [
    `${DIAGNOSIS} (SNOMED CT 254701007)`,
    AMENDED_ADVICE,
    SAFETY_NETTING,
    'Dr Tom Okafor', // the registrar who wrote it
    'Reviewed and signed off by Dr Helen Carter', // the consultant who signed it off
    formatNhsNumber(decided.nhsNumber),
    `${decided.family.toUpperCase()}, Ada`,
    '1 Feb 1950',
    XSS,
  ]) {
    expect(gp.text, expected).toContain(expected);
  }
  // Amendments are folded in; the consultant's word to the registrar is not for the GP.
  expect(gp.text).not.toContain('Review in 3 months');
  expect(gp.text).not.toContain('Good diagnosis');
  // Only the letter: none of the app's chrome prints.
  for (const chrome of ['Sign out', 'Save as PDF', 'Letter to patient', 'Back to the case', 'Sync status', 'Settings']) {
    expect(gp.text, chrome).not.toContain(chrome);
  }

  await patientTab.click();
  await expect(patientTab).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('article', { name: 'Letter to the patient' })).toContainText(`Dear Ada ${decided.family},`);
  const patient = await printedText(page, testInfo.outputPath('patient-letter.pdf'));
  for (const expected of [DIAGNOSIS, SAFETY_NETTING, 'This is a common, harmless skin growth.', 'Dr Tom Okafor', 'Dr Helen Carter', 'What happens next']) {
    expect(patient.text, expected).toContain(expected);
  }
  expect(patient.text).not.toContain('SNOMED');
  expect(patient.text).not.toContain(AMENDED_ADVICE); // advice to the GP stays in the GP's letter

  // In a browser, "Save as PDF" hands over to Chromium's print dialog and says so.
  await page.getByRole('button', { name: 'Save as PDF' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Print dialog closed' })).toBeVisible();
  expect(dialogs).toEqual([]);
  expect(cspViolations).toEqual([]);
});
