/**
 * Views of the service's change feed for the offline-first tests: the latest version of each
 * entity (the feed may carry several versions of one), the referrals prefetch picks, and the
 * outcomes present. Plus small page helpers shared by the offline and crash specs.
 */
import { expect, type Page } from '@playwright/test';
import type { Change, ImageRecord, Outcome, Referral } from '../../../shared/contract';
import { DEMO_PASSWORD } from './service-instance';

type Live<T extends Change['type']> = Extract<Change, { type: T; deleted?: false }>;

/** The newest version of every live entity of one type, by id. */
export function latest<T extends 'referral' | 'outcome' | 'image'>(changes: readonly Change[], type: T): Map<string, Live<T>['data']> {
  const byId = new Map<string, { version: number; data: Live<T>['data'] | null }>();
  for (const c of changes) {
    if (c.type !== type) continue;
    const prev = byId.get(c.id);
    if (prev && prev.version > c.version) continue;
    byId.set(c.id, { version: c.version, data: c.deleted ? null : (c.data as Live<T>['data']) });
  }
  const out = new Map<string, Live<T>['data']>();
  for (const [id, v] of byId) if (v.data) out.set(id, v.data);
  return out;
}

export const referralsIn = (changes: readonly Change[]): Referral[] => [...latest(changes, 'referral').values()] as Referral[];
export const outcomesIn = (changes: readonly Change[]): Outcome[] => [...latest(changes, 'outcome').values()] as Outcome[];
export const imagesIn = (changes: readonly Change[]): ImageRecord[] => [...latest(changes, 'image').values()] as ImageRecord[];

/**
 * What the app prefetches (renderer/src/data/worklist-scope.ts, nextReferrals): actionable
 * statuses for the role, soonest due first (id breaks ties), the first `count`. Written out
 * again here rather than imported, so a change to the app's rule shows up as a failure.
 */
export function prefetchedReferrals(referrals: readonly Referral[], role: 'consultant' | 'registrar', count = 50): Referral[] {
  return referrals
    .filter((r) => r.status === 'new' || r.status === 'in-review' || (r.status === 'awaiting-signoff' && role === 'consultant'))
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.id.localeCompare(b.id))
    .slice(0, count);
}

/** The seeded generator (mulberry32): a failing run can be repeated with its seed. */
export { mulberry32 as seeded } from '../../../shared/seeded-random';

/** The seed from E2E_SEED, else a fresh one; logged by the caller so a run can be repeated. */
export function testSeed(): number {
  const fromEnv = Number(process.env.E2E_SEED);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : Math.floor(Math.random() * 2 ** 31) + 1;
}

/** Fills the sign-in (or unlock) form and waits for the signed-in shell. */
export async function signInThroughUi(page: Page, username: string, password = DEMO_PASSWORD): Promise<void> {
  const user = page.getByLabel('Username');
  await expect(user).toBeVisible();
  await user.fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('status', { name: 'Sync status' })).toBeVisible();
}

/** Records an outcome through the form of the case on screen. */
export async function submitOutcome(page: Page, diagnosis: string): Promise<void> {
  await page.getByLabel('Decision').selectOption('advice');
  await page.getByLabel('Diagnosis').fill(diagnosis);
  await page.getByLabel('Advice to GP').fill('Benign appearance; reassure. Re-refer if it bleeds, grows or changes colour.');
  await page.getByRole('button', { name: 'Submit outcome' }).click();
}

/** The page globals used in evaluate (the Node tsconfig has no DOM types). */
interface IdbGlobals {
  indexedDB: {
    databases(): Promise<Array<{ name?: string }>>;
    open(name: string): { onsuccess: (() => void) | null; onerror: (() => void) | null; result: IdbDatabase; error: unknown };
  };
}
interface IdbDatabase {
  objectStoreNames: { contains(name: string): boolean };
  transaction(store: string, mode: 'readonly'): { objectStore(name: string): { count(): { onsuccess: (() => void) | null; onerror: (() => void) | null; result: number } } };
  close(): void;
}

/**
 * Rows in the outbox of the user's record database, read straight from IndexedDB (the state
 * index is plaintext; the mutations themselves are sealed). Null when there is no such database.
 */
export async function outboxRows(page: Page): Promise<number | null> {
  return page.evaluate(async () => {
    const { indexedDB } = globalThis as unknown as IdbGlobals;
    const names = (await indexedDB.databases()).map((d) => d.name ?? '').filter((n) => n.startsWith('loupe-records-'));
    if (names.length === 0) return null;
    let total = 0;
    for (const name of names) {
      total += await new Promise<number>((resolve, reject) => {
        const req = indexedDB.open(name);
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains('outbox')) {
            db.close();
            resolve(0);
            return;
          }
          const count = db.transaction('outbox', 'readonly').objectStore('outbox').count();
          count.onerror = () => reject(new Error('count failed'));
          count.onsuccess = () => {
            db.close();
            resolve(count.result);
          };
        };
      });
    }
    return total;
  });
}

/**
 * The referrals prefetch adds for comparison over time (renderer/src/data/tiles/lesion-history.ts):
 * the same patients' other referrals with images of a lesion the prefetched ones show. Written
 * out again here, like `prefetchedReferrals`, so a change to the rule shows up as a failure.
 */
export function lesionHistoryReferrals(prefetched: readonly Referral[], referrals: readonly Referral[], images: readonly ImageRecord[]): Referral[] {
  const planned = new Set(prefetched.map((r) => r.id));
  const wanted = new Set(images.filter((i) => planned.has(i.referralId)).map((i) => `${i.patientNhsNumber}|${i.lesion}`));
  const withHistory = new Set(images.filter((i) => !planned.has(i.referralId) && wanted.has(`${i.patientNhsNumber}|${i.lesion}`)).map((i) => i.referralId));
  return referrals.filter((r) => withHistory.has(r.id));
}
