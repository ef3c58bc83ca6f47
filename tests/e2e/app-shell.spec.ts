import { expect, test, type Page } from '@playwright/test';

/** The page globals used here: the Node tsconfig has no DOM types (cast inside each evaluate). */
interface PageGlobals {
  navigator: { onLine: boolean; serviceWorker: { ready: Promise<unknown>; controller: object | null } };
  caches: { keys(): Promise<string[]>; open(name: string): Promise<{ keys(): Promise<ReadonlyArray<{ url: string }>> }> };
}

const controlled = (page: Page) => page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.serviceWorker.controller !== null);

test('after one online visit the app reloads offline, and no API response enters Cache Storage', async ({ page, context }) => {
  await page.goto('/');
  await expect(page.getByLabel('Username')).toBeVisible();
  await page.evaluate(async () => {
    await (globalThis as unknown as PageGlobals).navigator.serviceWorker.ready;
  });
  // The worker claims the page on activation; a reload covers a claim that lost the race.
  if (!(await controlled(page))) await page.reload();
  await expect.poll(() => controlled(page)).toBe(true);

  // API traffic from the controlled page: sign-in, the feed, a mutation-shaped POST. Made
  // with fetch so the token never reaches sessionStorage (the reload below must show sign-in).
  const statuses = await page.evaluate(async () => {
    const signIn = await fetch('/api/v1/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'consultant', password: 'loupe-demo' }),
    });
    const { token } = (await signIn.json()) as { token: string };
    const auth = { authorization: `Bearer ${token}` };
    const changes = await fetch('/api/v1/changes?limit=50', { headers: auth });
    const health = await fetch('/api/v1/health');
    const signOut = await fetch('/api/v1/sessions/current', { method: 'DELETE', headers: auth });
    return [signIn.status, changes.status, health.status, signOut.status];
  });
  expect(statuses).toEqual([201, 200, 200, 204]);

  await context.setOffline(true);
  const offline = await page.reload();
  expect(offline?.fromServiceWorker()).toBe(true);
  // The cached shell keeps the service's CSP (headers are stored with the response).
  expect(offline?.headers()['content-security-policy']).toContain("script-src 'self'");
  await expect(page.getByLabel('Username')).toBeVisible();
  expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.onLine)).toBe(false);

  const cached = await page.evaluate(async () => {
    const { caches } = globalThis as unknown as PageGlobals;
    const urls: string[] = [];
    for (const name of await caches.keys()) for (const req of await (await caches.open(name)).keys()) urls.push(`${name} ${req.url}`);
    return urls;
  });
  expect(cached.length).toBeGreaterThan(0);
  expect(cached.filter((u) => u.includes('/api/'))).toEqual([]);
  expect(cached.every((u) => u.startsWith('loupe-shell-'))).toBe(true);
  await context.setOffline(false);
});
