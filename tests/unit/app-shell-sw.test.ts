import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { build } from 'vite';
import { WEB_CSP } from '../../service/server';
import { appShellServiceWorker, serviceWorkerSource, shellManifest, type ShellAsset } from '../../scripts/vite-app-shell-sw';

const ORIGIN = 'https://loupe.example.nhs.uk';
const SCOPE = `${ORIGIN}/`;

const assets: ShellAsset[] = [
  { path: 'index.html', bytes: '<!doctype html><script src="./assets/index-a1.js"></script>' },
  { path: 'assets/index-a1.js', bytes: 'console.log(1)' },
  { path: 'assets/index-a1.js.map', bytes: '{}' },
  { path: 'assets/index-b2.css', bytes: 'body{}' },
  { path: 'assets/inter-c3.woff2', bytes: new Uint8Array([1, 2, 3]) },
  { path: 'favicon.svg', bytes: '<svg/>' },
];

describe('shell manifest', () => {
  it('lists every emitted file but source maps and the worker, sorted', () => {
    const m = shellManifest([...assets, { path: 'sw.js', bytes: 'old' }]);
    expect(m.files).toEqual(['assets/index-a1.js', 'assets/index-b2.css', 'assets/inter-c3.woff2', 'favicon.svg', 'index.html']);
    expect(m.cacheName).toMatch(/^loupe-shell-[0-9a-f]{16}$/);
  });

  it('names the cache after the files and their bytes, not their order', () => {
    const base = shellManifest(assets).cacheName;
    expect(shellManifest([...assets].reverse()).cacheName).toBe(base);
    expect(shellManifest([...assets, { path: 'assets/chunk-d4.js', bytes: '' }]).cacheName).not.toBe(base);
    expect(shellManifest(assets.map((a) => (a.path === 'assets/index-a1.js' ? { ...a, path: 'assets/index-a2.js' } : a))).cacheName).not.toBe(base);
    // An edit to a file whose name carries no hash (index.html, favicon) is a new shell too.
    expect(shellManifest(assets.map((a) => (a.path === 'favicon.svg' ? { ...a, bytes: '<svg></svg>' } : a))).cacheName).not.toBe(base);
  });

  it('refuses a build without index.html', () => {
    expect(() => shellManifest(assets.filter((a) => a.path !== 'index.html'))).toThrow(/index\.html/);
  });
});

interface FakeRequest {
  url: string;
  method: string;
  mode: string;
}
type Listener = (event: Record<string, unknown>) => void;

/** Runs the generated worker in a bare VM context with just enough of a worker's globals. */
function loadWorker(cacheNames: string[] = []) {
  const listeners = new Map<string, Listener>();
  const stores = new Map<string, Map<string, string>>(cacheNames.map((n) => [n, new Map()]));
  const fetched: string[] = [];
  const keyOf = (k: string | FakeRequest) => (typeof k === 'string' ? k : k.url);
  const caches = {
    open: (name: string) => {
      if (!stores.has(name)) stores.set(name, new Map());
      const store = stores.get(name)!;
      return Promise.resolve({
        addAll: (urls: string[]) => Promise.resolve(void urls.forEach((u) => store.set(u, `cached ${u}`))),
        // Like the real service: every shell response carries `Vary: Origin`, and the page's
        // module-script requests send an Origin the precache requests did not.
        match: (k: string | FakeRequest, opts?: { ignoreVary?: boolean }) =>
          Promise.resolve(typeof k !== 'string' && !opts?.ignoreVary ? undefined : store.get(keyOf(k))),
      });
    },
    keys: () => Promise.resolve([...stores.keys()]),
    delete: (name: string) => Promise.resolve(stores.delete(name)),
  };
  let claimed = false;
  let skipped = false;
  const self = {
    location: new URL(`${SCOPE}sw.js`),
    registration: { scope: SCOPE },
    clients: { claim: () => Promise.resolve(void (claimed = true)) },
    skipWaiting: () => Promise.resolve(void (skipped = true)),
    addEventListener: (type: string, fn: Listener) => listeners.set(type, fn),
  };
  const fetch = (r: FakeRequest) => {
    fetched.push(r.url);
    return Promise.resolve(`network ${r.url}`);
  };
  const source = serviceWorkerSource(shellManifest(assets));
  vm.runInNewContext(source, { self, caches, fetch, URL, Promise });

  /** Dispatches an event with waitUntil/respondWith and resolves to what the worker gave. */
  async function dispatch(type: string, fields: Record<string, unknown> = {}) {
    let waited: Promise<unknown> | undefined;
    let responded: Promise<unknown> | undefined;
    listeners.get(type)!({ ...fields, waitUntil: (p: Promise<unknown>) => (waited = p), respondWith: (p: Promise<unknown>) => (responded = p) });
    await waited;
    return { responded: responded !== undefined, response: await responded };
  }
  const request = (pathOrUrl: string, method = 'GET', mode = 'cors'): FakeRequest => ({ url: new URL(pathOrUrl, SCOPE).href, method, mode });
  return { dispatch, request, stores, fetched, state: () => ({ claimed, skipped }) };
}

describe('generated service worker', () => {
  it('precaches the shell at install and, on activate, deletes only older shells', async () => {
    const w = loadWorker(['loupe-shell-0000000000000000', 'someone-elses-cache']);
    await w.dispatch('install');
    const current = shellManifest(assets).cacheName;
    expect([...w.stores.get(current)!.keys()].sort()).toEqual(shellManifest(assets).files.map((f) => `${SCOPE}${f}`).sort());
    await w.dispatch('activate');
    expect([...w.stores.keys()].sort()).toEqual([current, 'someone-elses-cache']);
    expect(w.state()).toEqual({ claimed: true, skipped: true });
  });

  it('answers navigations with the cached index.html and assets cache first', async () => {
    const w = loadWorker();
    await w.dispatch('install');
    const nav = await w.dispatch('fetch', { request: w.request('/#/referrals/abc', 'GET', 'navigate') });
    expect(nav).toEqual({ responded: true, response: `cached ${SCOPE}index.html` });
    const js = await w.dispatch('fetch', { request: w.request('/assets/index-a1.js') });
    expect(js).toEqual({ responded: true, response: `cached ${SCOPE}assets/index-a1.js` });
    const other = await w.dispatch('fetch', { request: w.request('/not-in-the-shell.txt') });
    expect(other.responded).toBe(true);
    expect(w.fetched).toEqual([`${SCOPE}not-in-the-shell.txt`]);
  });

  it('never answers API requests, other methods or other origins', async () => {
    const w = loadWorker();
    await w.dispatch('install');
    const untouched = [
      w.request('/api/v1/changes?after=abc'),
      w.request('/api/v1/images/x/image_files/0/0_0.jpeg'),
      w.request('/api/v1/health', 'GET', 'navigate'),
      w.request('/api'),
      w.request('/api/v1/mutations', 'POST'),
      w.request('/index.html', 'POST'),
      w.request('https://elsewhere.example/assets/index-a1.js'),
    ];
    for (const request of untouched) expect((await w.dispatch('fetch', { request })).responded, request.url).toBe(false);
    expect(w.fetched).toEqual([]);
  });
});

describe('vite plugin', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'loupe-sw-plugin-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('emits sw.js listing index.html, the bundle and the public folder', async () => {
    mkdirSync(path.join(root, 'public'));
    writeFileSync(path.join(root, 'public', 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><link rel="stylesheet" href="./style.css"><script type="module" src="./main.js"></script>');
    writeFileSync(path.join(root, 'main.js'), 'document.title = "x";');
    writeFileSync(path.join(root, 'style.css'), 'body { color: red; }');
    const outDir = path.join(root, 'out');
    await build({ root, base: './', logLevel: 'silent', configFile: false, plugins: [appShellServiceWorker()], build: { outDir, emptyOutDir: true } });

    const sw = readFileSync(path.join(outDir, 'sw.js'), 'utf8');
    const listed = JSON.parse(/const SHELL = (\[.*\]);/.exec(sw)![1]!) as string[];
    const onDisk = readdirSync(outDir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(outDir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
      .filter((f) => f !== 'sw.js')
      .sort();
    expect(listed).toEqual(onDisk);
    expect(listed).toEqual(expect.arrayContaining(['index.html', 'favicon.svg']));
    expect(listed.some((f) => f.endsWith('.js'))).toBe(true);
    expect(listed.some((f) => f.endsWith('.css'))).toBe(true);
  });
});

describe('web host policy', () => {
  it('lets the page start its same-origin service worker', () => {
    expect(WEB_CSP.split('; ')).toContain("worker-src 'self'");
  });
});
