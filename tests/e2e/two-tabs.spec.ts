/**
 * Two tabs of one clinician share one outbox (one IndexedDB per user and origin). Only the tab
 * holding the Web Lock pushes it: each queued action is sent by exactly one tab, and when that
 * tab closes the other takes over.
 */
import { expect, test, type Page } from '@playwright/test';
import type { Outcome } from '../../shared/contract';
import { outcomesIn } from './support/feed-views';
import { addUser, allChanges, apiSignIn, startServiceInstance, submitReferrals, type ServiceInstance } from './support/service-instance';
import { expectPending, fillOutcome, goToHash, outcomeForm, signInAt } from './support/workstation-ui';

const PASSWORD = 'two-tabs-e2e-password';
let svc: ServiceInstance;
let referrals: string[];

test.beforeAll(async () => {
  test.setTimeout(120_000);
  svc = await startServiceInstance({ demo: false });
  await addUser(svc, { username: 'consultant', name: 'Dr Clara Consultant', role: 'consultant', password: PASSWORD });
  await addUser(svc, { username: 'gp', name: 'Dr Gita GP', role: 'referrer', password: PASSWORD });
  referrals = (await submitReferrals(svc.url, await apiSignIn(svc.url, 'gp', PASSWORD), 7)).map((r) => r.id);
});

test.afterAll(async () => {
  await svc?.stop();
});

async function record(page: Page, referralId: string, diagnosis: string): Promise<void> {
  await goToHash(page, `#/referrals/${referralId}`);
  await fillOutcome(page, { decision: 'advice', diagnosis, advice: 'Benign. Reassure; re-refer if it changes.' });
  await outcomeForm(page).submit.click();
  await expect(outcomeForm(page).notice).toContainText('Outcome submitted.');
}

test('two tabs never push the same outbox: one tab sends everything, the other takes over when it closes', async ({ browser }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext();
  try {
    const [a, b] = [await context.newPage(), await context.newPage()];
    // Each tab signs in (the key lives in each page's memory); both open the same database.
    await signInAt(a, svc.url, 'consultant', PASSWORD);
    await signInAt(b, svc.url, 'consultant', PASSWORD);
    const sentBy = new Map<Page, number>([[a, 0], [b, 0]]);
    for (const page of [a, b]) {
      page.on('request', (r) => {
        if (r.method() === 'POST' && r.url().endsWith('/api/v1/mutations')) sentBy.set(page, (sentBy.get(page) ?? 0) + 1);
      });
    }

    // Offline, each tab records three outcomes into the shared outbox.
    await context.setOffline(true);
    for (const [i, id] of referrals.slice(0, 3).entries()) await record(a, id, `Tab A outcome ${i}`);
    for (const [i, id] of referrals.slice(3, 6).entries()) await record(b, id, `Tab B outcome ${i}`);
    await expectPending(a, 6);
    await expectPending(b, 6);

    await context.setOffline(false);
    await expectPending(a, 0);
    await expectPending(b, 0);
    const senders = [...sentBy.entries()].filter(([, n]) => n > 0);
    expect(senders, `POST /mutations per tab: A ${sentBy.get(a)}, B ${sentBy.get(b)}`).toHaveLength(1);
    const leader = senders[0]![0];
    const other = leader === a ? b : a;

    // Exactly six outcomes, once each.
    const token = await apiSignIn(svc.url, 'consultant', PASSWORD);
    let outcomes: Outcome[] = outcomesIn(await allChanges(svc.url, token));
    expect(outcomes.map((o) => o.diagnosis.text).sort()).toEqual([0, 1, 2].flatMap((i) => [`Tab A outcome ${i}`, `Tab B outcome ${i}`]).sort());
    expect(outcomes.every((o) => o.version === 1 && o.status === 'final')).toBe(true);

    // The leader closes; the other tab is granted the lock and sends what is queued next.
    await leader.close();
    const before = sentBy.get(other) ?? 0;
    await record(other, referrals[6]!, 'After the leader closed');
    await expectPending(other, 0);
    expect(sentBy.get(other)).toBeGreaterThan(before);
    outcomes = outcomesIn(await allChanges(svc.url, token));
    expect(outcomes.filter((o) => o.diagnosis.text === 'After the leader closed')).toHaveLength(1);
    expect(outcomes).toHaveLength(7);
  } finally {
    await context.close();
  }
});
