/**
 * Must-show (issue #5): an annotation saved by one clinician appears for another after sync,
 * and survives a reload for both. A consultant draws a rectangle with a label and a note; it
 * goes through the outbox as `annotation.save`; a registrar's workstation pulls it and draws it
 * on the same image; a delete travels the same way.
 */
import { expect, test, type Page } from '@playwright/test';
import type { Annotation, Referral } from '../../shared/contract';
import { E2E_URL } from '../../playwright.config';
import { allChanges, apiSignIn, DEMO_PASSWORD } from './support/service-instance';
import { imageToPage } from './support/viewer-ui';
import { expectPending, goToHash, signInAt } from './support/workstation-ui';

const LABEL = 'Notched edge';
const NOTE = 'Look at the notch at 2 o’clock against last year.';

async function demoReferral(family: string): Promise<Referral> {
  const changes = await allChanges(E2E_URL, await apiSignIn(E2E_URL, 'consultant'));
  const found = changes.find((c): c is Extract<typeof c, { type: 'referral'; deleted?: false }> => c.type === 'referral' && !c.deleted && c.data.patient.name.family === family);
  if (!found) throw new Error(`no demo referral for ${family}`);
  return found.data;
}

async function annotationsOnService(): Promise<Annotation[]> {
  const changes = await allChanges(E2E_URL, await apiSignIn(E2E_URL, 'consultant'));
  const latest = new Map<string, Annotation | null>();
  for (const c of changes) {
    if (c.type !== 'annotation') continue;
    latest.set(c.id, c.deleted ? null : (c.data as Annotation));
  }
  return [...latest.values()].filter((a): a is Annotation => a !== null);
}

async function openCase(page: Page, referralId: string) {
  await goToHash(page, `#/referrals/${referralId}`);
  const viewer = page.getByRole('region', { name: 'Image viewer' });
  await expect(viewer).toHaveAttribute('data-fully-loaded', 'true');
  return viewer;
}

async function unlock(page: Page): Promise<void> {
  await page.reload();
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('an annotation saved by a consultant appears for a registrar after sync and survives reloads; a delete follows', async ({ browser }) => {
  test.setTimeout(180_000);
  const referral = await demoReferral('Lisowski');
  const consultant = await browser.newContext();
  const registrar = await browser.newContext();
  try {
    const cPage = await consultant.newPage();
    await signInAt(cPage, E2E_URL, 'consultant', DEMO_PASSWORD);
    const viewer = await openCase(cPage, referral.id);
    const imageId = (await viewer.getAttribute('data-image-id'))!;

    // Draw a rectangle around the middle of the image, then label it and save.
    await viewer.getByRole('toolbar', { name: 'Annotation tools' }).getByRole('button', { name: 'Rectangle' }).click();
    const pane = viewer.locator('.pane');
    const box = (await pane.locator('.pane-osd').boundingBox())!;
    const from = { x: box.x + box.width * 0.4, y: box.y + box.height * 0.4 };
    const to = { x: box.x + box.width * 0.6, y: box.y + box.height * 0.55 };
    await cPage.mouse.move(from.x, from.y);
    await cPage.mouse.down();
    await cPage.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2);
    await cPage.mouse.move(to.x, to.y);
    await cPage.mouse.up();
    const form = viewer.getByRole('form', { name: 'New annotation' });
    await form.getByLabel('Label').fill(LABEL);
    await form.getByLabel('Note').fill(NOTE);
    await form.getByRole('button', { name: 'Save' }).click();
    const list = viewer.getByRole('list', { name: 'Annotations on this image' });
    await expect(list.getByRole('listitem')).toHaveCount(1);
    await expect(list).toContainText(LABEL);
    await expect(viewer.getByRole('img', { name: '1 annotation' })).toBeVisible();

    // It reaches the service once, as drawn, in the full-resolution image's pixels.
    await expectPending(cPage, 0);
    const onService = (await annotationsOnService()).filter((a) => a.label === LABEL);
    expect(onService).toHaveLength(1);
    const saved = onService[0]!;
    expect(saved).toMatchObject({ imageId, referralId: referral.id, note: NOTE, version: 1, shape: { kind: 'rect' } });
    // The rectangle drawn on screen is where the service says it is.
    if (saved.shape.kind !== 'rect') throw new Error('not a rectangle');
    const topLeft = await imageToPage(pane, { x: saved.shape.x, y: saved.shape.y });
    expect(Math.abs(topLeft.x - from.x)).toBeLessThan(2);
    expect(Math.abs(topLeft.y - from.y)).toBeLessThan(2);

    // The registrar's workstation pulls it and shows it on the same image.
    const rPage = await registrar.newPage();
    await signInAt(rPage, E2E_URL, 'registrar', DEMO_PASSWORD);
    const rViewer = await openCase(rPage, referral.id);
    await expect(rViewer).toHaveAttribute('data-image-id', imageId);
    const rList = rViewer.getByRole('list', { name: 'Annotations on this image' });
    await expect(rList).toContainText(LABEL, { timeout: 30_000 });
    await expect(rList).toContainText(NOTE);
    await expect(rList).toContainText('Dr Helen Carter');
    await expect(rViewer.getByRole('img', { name: '1 annotation' })).toBeVisible();

    // Both survive a reload (read from each workstation's encrypted copy).
    await unlock(rPage);
    await expect((await openCase(rPage, referral.id)).getByRole('list', { name: 'Annotations on this image' })).toContainText(LABEL);
    await unlock(cPage);
    const cViewer = await openCase(cPage, referral.id);
    await expect(cViewer.getByRole('list', { name: 'Annotations on this image' })).toContainText(LABEL);

    // The author deletes it (with a confirmation); the registrar's copy follows after sync.
    await cViewer.getByRole('button', { name: `Delete annotation ${LABEL}` }).click();
    await cViewer.getByRole('button', { name: 'Confirm delete' }).click();
    await expect(cViewer.getByRole('list', { name: 'Annotations on this image' })).toHaveCount(0);
    await expectPending(cPage, 0);
    expect((await annotationsOnService()).filter((a) => a.label === LABEL)).toHaveLength(0);
    await expect(rPage.getByRole('region', { name: 'Image viewer' }).getByRole('list', { name: 'Annotations on this image' })).toHaveCount(0, { timeout: 30_000 });
  } finally {
    await consultant.close();
    await registrar.close();
  }
});
