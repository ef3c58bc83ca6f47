import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAppFile, mimeTypeFor } from '../../electron/main/app-files';
import { type BridgeImplementation, type InvokeEventLike, IpcRejected, ipcHandlers, makeIpcHandler } from '../../electron/main/ipc';
import {
  APP_SCHEME_PRIVILEGES,
  buildCsp,
  isAppUrl,
  isPermissionGranted,
  isTrustedSender,
  secureWebPreferences,
} from '../../electron/main/policy';
import { parseListeningLine, parseListeningMessage, serviceLaunchPlan, type ServiceLaunchPlan } from '../../electron/main/service-plan';
import { ServiceStartError, spawnNodeService, waitForService } from '../../electron/main/service-runner';
import { chooseTokenPersistence, type TokenCipher, type TokenFile, TokenStore, tokenFileAt } from '../../electron/main/token-store';
import { IPC } from '../../shared/bridge';

const TOKEN = 'tok_0123456789abcdefghijklmnopqrstuvwxyz';
const USER_ID = '0192f0a0-0000-7000-8000-0000000000c1';
const DEVICE_SECRET = Buffer.alloc(32, 7).toString('base64');

describe('window security policy', () => {
  it('uses the hardened webPreferences, with the given preload', () => {
    const prefs = secureWebPreferences('/app/out/preload/index.cjs');
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
    });
  });

  it('registers the app scheme as standard, secure and fetchable, never CSP-bypassing', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({
      standard: true,
      secure: true,
      supportFetchAPI: true,
      corsEnabled: true,
      stream: true,
      bypassCSP: false,
    });
  });

  it('denies every permission except loopback access for the app itself', () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'unknown']) {
      expect(isPermissionGranted(permission, 'loupe://app/')).toBe(false);
    }
    expect(isPermissionGranted('local-network-access', 'loupe://app')).toBe(true);
    expect(isPermissionGranted('local-network-access', 'https://evil.example')).toBe(false);
    expect(isPermissionGranted('loopback-network', null)).toBe(false);
  });
});

describe('Content-Security-Policy', () => {
  const directives = (csp: string): Map<string, string> =>
    new Map(csp.split(';').map((d) => d.trim()).map((d) => [d.split(' ')[0] ?? '', d.slice(d.indexOf(' ') + 1)]));

  it('allows the app itself and the embedded service only', () => {
    const csp = directives(buildCsp('http://127.0.0.1:43123'));
    expect(Object.fromEntries(csp)).toEqual({
      'default-src': "'self'",
      'script-src': "'self'",
      'style-src': "'self'",
      'img-src': "'self' blob: data:",
      'connect-src': "'self' http://127.0.0.1:43123",
      'object-src': "'none'",
      'base-uri': "'none'",
      'frame-ancestors': "'none'",
      'form-action': "'none'",
    });
  });

  it('never allows inline or eval script', () => {
    const csp = buildCsp('http://127.0.0.1:1');
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('falls back to self only before the service is known, and refuses a non-loopback service', () => {
    expect(directives(buildCsp(null)).get('connect-src')).toBe("'self'");
    expect(() => buildCsp('http://evil.example:80')).toThrow();
    expect(() => buildCsp('https://127.0.0.1:443')).toThrow();
  });
});

describe('navigation lock and IPC sender check', () => {
  const accepted = ['loupe://app/', 'loupe://app/index.html', 'loupe://app/referrals/42?tab=images#top', 'loupe://app'];
  const rejected = [
    'loupe://app.evil/',
    'loupe://app.evil.com/index.html',
    'loupe://evil/',
    'loupe://user@app/',
    'loupe://app:8080/',
    'http://127.0.0.1:8270/',
    'https://app/',
    'file:///',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:text/html,<script>1</script>',
    'about:blank',
    'devtools://devtools/',
    '',
    'not a url',
  ];

  it.each(accepted)('accepts %s', (url) => {
    expect(isAppUrl(url)).toBe(true);
    expect(isTrustedSender(url)).toBe(true);
  });

  it.each(rejected)('rejects %s', (url) => {
    expect(isAppUrl(url)).toBe(false);
    expect(isTrustedSender(url)).toBe(false);
  });

  it('never trusts a destroyed frame', () => {
    expect(isTrustedSender(null)).toBe(false);
    expect(isTrustedSender(undefined)).toBe(false);
  });
});

describe('app file resolver', () => {
  const root = path.resolve('/srv/loupe/out/renderer');

  it.each([
    ['loupe://app/', 'index.html', 'text/html; charset=utf-8'],
    ['loupe://app', 'index.html', 'text/html; charset=utf-8'],
    ['loupe://app/index.html?x=1#y', 'index.html', 'text/html; charset=utf-8'],
    ['loupe://app/assets/index-abc123.js', 'assets/index-abc123.js', 'text/javascript; charset=utf-8'],
    ['loupe://app/assets/index-abc123.css', 'assets/index-abc123.css', 'text/css; charset=utf-8'],
    ['loupe://app/assets/logo.svg', 'assets/logo.svg', 'image/svg+xml'],
    ['loupe://app/assets/inter.woff2', 'assets/inter.woff2', 'font/woff2'],
    ['loupe://app/icons/256x256.png', 'icons/256x256.png', 'image/png'],
    ['loupe://app/assets/my%20file.json', 'assets/my file.json', 'application/json; charset=utf-8'],
    ['loupe://app/docs/', 'docs/index.html', 'text/html; charset=utf-8'],
  ])('maps %s to %s', (url, relative, mimeType) => {
    expect(resolveAppFile(url, root)).toEqual({ ok: true, filePath: path.join(root, relative), mimeType });
  });

  it.each([
    'loupe://app/../etc/passwd',
    'loupe://app/assets/../../etc/passwd',
    'loupe://app/..%2f..%2fetc%2fpasswd',
    'loupe://app/..%2F..%2Fetc%2Fpasswd',
    'loupe://app/%2e%2e/%2e%2e/etc/passwd',
    'loupe://app/%2E%2E/secret',
    'loupe://app/.%2e/secret',
    'loupe://app/./index.html',
    'loupe://app/..%5c..%5cwindows%5cwin.ini',
    'loupe://app/assets\\..\\..\\secret',
    'loupe://app//etc/passwd',
    'loupe://app/%2Fetc%2Fpasswd',
    'loupe://app/C:/Windows/win.ini',
    'loupe://app/C%3A%5CWindows',
    'loupe://app/index.html%00.png',
    'loupe://app/%00',
    'loupe://app/%E0%A4%A',
  ])('refuses %s', (url) => {
    const result = resolveAppFile(url, root);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.status).toBe(400);
  });

  it('refuses anything that is not loupe://app', () => {
    for (const url of ['loupe://evil/index.html', 'loupe://app.evil/index.html', 'file:///etc/passwd', 'http://127.0.0.1/']) {
      expect(resolveAppFile(url, root).ok).toBe(false);
    }
  });

  it('knows the mime types of the bundle and defaults to octet-stream', () => {
    expect(mimeTypeFor('a.MJS')).toBe('text/javascript; charset=utf-8');
    expect(mimeTypeFor('a.wasm')).toBe('application/wasm');
    expect(mimeTypeFor('a.webp')).toBe('image/webp');
    expect(mimeTypeFor('a.map')).toBe('application/json; charset=utf-8');
    expect(mimeTypeFor('a.exe')).toBe('application/octet-stream');
    expect(mimeTypeFor('noextension')).toBe('application/octet-stream');
  });
});

describe('embedded service launch plan', () => {
  const base = {
    serviceEntry: '/app/out/service/main.js',
    userDataDir: '/home/u/.config/Loupe',
    env: { PATH: '/usr/bin', HOME: '/home/u', DATABASE_URL: 'postgres://x', NODE_OPTIONS: '--require evil.js', LOUPE_PORT: '80' },
  };

  it('runs the built service with the system node in development', () => {
    const plan = serviceLaunchPlan({ ...base, packaged: false });
    expect(plan.kind).toBe('node');
    expect(plan.command).toBe('node');
    expect(plan.args).toEqual([
      '/app/out/service/main.js',
      '--port',
      '0',
      '--data',
      path.join('/home/u/.config/Loupe', 'service'),
      '--demo',
    ]);
    expect(plan.dataDir).toBe(path.join('/home/u/.config/Loupe', 'service'));
    expect(plan.env).toMatchObject({ LOUPE_ALLOWED_ORIGINS: 'loupe://app', LOUPE_HOST: '127.0.0.1', PATH: '/usr/bin', HOME: '/home/u' });
  });

  it('honours LOUPE_NODE', () => {
    const plan = serviceLaunchPlan({ ...base, packaged: false, env: { ...base.env, LOUPE_NODE: '/opt/node22/bin/node' } });
    expect(plan.command).toBe('/opt/node22/bin/node');
  });

  it('forks the packaged service with utilityProcess', () => {
    const plan = serviceLaunchPlan({ ...base, packaged: true });
    expect(plan).toMatchObject({
      kind: 'utility',
      command: '/app/out/service/main.js',
      args: ['--port', '0', '--data', path.join('/home/u/.config/Loupe', 'service'), '--demo'],
    });
    expect(plan.env.NODE_ENV).toBe('production');
  });

  it('drops inherited settings that would redirect the service or inject code', () => {
    for (const packaged of [false, true]) {
      const { env } = serviceLaunchPlan({ ...base, packaged });
      expect(env.DATABASE_URL).toBeUndefined();
      expect(env.NODE_OPTIONS).toBeUndefined();
      expect(env.LOUPE_PORT).toBeUndefined();
    }
  });
});

describe('service "listening" announcement', () => {
  it('parses the stdout line', () => {
    expect(parseListeningLine('Loupe referral service listening on http://127.0.0.1:43123')).toBe('http://127.0.0.1:43123');
    expect(parseListeningLine('Loupe referral service listening on http://127.0.0.1:8270/\r')).toBe('http://127.0.0.1:8270');
  });

  it.each([
    '',
    'listening on http://127.0.0.1:43123',
    'Loupe referral service listening on http://0.0.0.0:43123',
    'Loupe referral service listening on http://evil.example:43123',
    'Loupe referral service listening on https://127.0.0.1:43123',
    'Loupe referral service listening on http://127.0.0.1:0',
    'Loupe referral service listening on http://127.0.0.1:70000',
    'Loupe referral service listening on http://127.0.0.1:0443',
    'Loupe referral service listening on http://127.0.0.1:43123/api',
    'x Loupe referral service listening on http://127.0.0.1:43123',
  ])('ignores %j', (line) => {
    expect(parseListeningLine(line)).toBeNull();
  });

  it('parses the IPC message', () => {
    expect(parseListeningMessage({ type: 'listening', url: 'http://127.0.0.1:5000' })).toBe('http://127.0.0.1:5000');
    expect(parseListeningMessage({ type: 'listening', url: 'http://10.0.0.1:5000' })).toBeNull();
    expect(parseListeningMessage({ type: 'ready', url: 'http://127.0.0.1:5000' })).toBeNull();
    expect(parseListeningMessage('listening')).toBeNull();
    expect(parseListeningMessage(null)).toBeNull();
  });
});

describe('waiting for the service', () => {
  const plan = (script: string): ServiceLaunchPlan & { kind: 'node' } => ({
    kind: 'node',
    command: process.execPath,
    args: ['-e', script],
    env: { PATH: process.env.PATH ?? '' },
    dataDir: tmpdir(),
  });

  it('resolves with the URL printed on stdout, and stops the child', async () => {
    const running = await waitForService(
      spawnNodeService(plan("console.log('starting');console.log('Loupe referral service listening on http://127.0.0.1:40001');setInterval(()=>{},1000)")),
      10_000,
    );
    expect(running.url).toBe('http://127.0.0.1:40001');
    await running.stop();
  });

  it('resolves with the URL sent over IPC', async () => {
    const running = await waitForService(
      spawnNodeService(plan("process.send({type:'listening',url:'http://127.0.0.1:40002'});setInterval(()=>{},1000)")),
      10_000,
    );
    expect(running.url).toBe('http://127.0.0.1:40002');
    await running.stop();
  });

  it('reports an early exit with the tail of stderr', async () => {
    const start = waitForService(spawnNodeService(plan("console.error('database is locked');process.exit(3)")), 10_000);
    await expect(start).rejects.toBeInstanceOf(ServiceStartError);
    await expect(start).rejects.toThrow(/exited before it was ready \(exit code 3\)[\s\S]*database is locked/);
  });

  it('times out with a clear error and kills the child', async () => {
    const child = spawnNodeService(plan('setInterval(()=>{},1000)'));
    const exited = new Promise<number | null>((resolve) => child.onExit(resolve));
    await expect(waitForService(child, 300)).rejects.toThrow(/did not report that it was listening within/);
    await exited;
  });

  it('reports a missing node binary', async () => {
    const missing = { ...plan(''), command: path.join(tmpdir(), 'no-such-node-binary') };
    await expect(waitForService(spawnNodeService(missing), 10_000)).rejects.toThrow(/could not be started|exited before/);
  });
});

describe('token storage policy', () => {
  it('persists only when the OS protects the key', () => {
    expect(chooseTokenPersistence({ platform: 'darwin', encryptionAvailable: true }).mode).toBe('encrypted-file');
    expect(chooseTokenPersistence({ platform: 'win32', encryptionAvailable: true }).mode).toBe('encrypted-file');
    expect(chooseTokenPersistence({ platform: 'linux', encryptionAvailable: true, linuxBackend: 'gnome_libsecret' }).mode).toBe('encrypted-file');
    expect(chooseTokenPersistence({ platform: 'linux', encryptionAvailable: true, linuxBackend: 'kwallet6' }).mode).toBe('encrypted-file');
    expect(chooseTokenPersistence({ platform: 'linux', encryptionAvailable: true, linuxBackend: 'basic_text' }).mode).toBe('memory');
    expect(chooseTokenPersistence({ platform: 'linux', encryptionAvailable: true, linuxBackend: 'unknown' }).mode).toBe('memory');
    expect(chooseTokenPersistence({ platform: 'darwin', encryptionAvailable: false }).mode).toBe('memory');
  });

  const fakeCipher: TokenCipher = {
    encrypt: async (s) => new TextEncoder().encode(`enc:${[...s].reverse().join('')}`),
    decrypt: async (data) => {
      const text = new TextDecoder().decode(data);
      if (!text.startsWith('enc:')) throw new Error('bad data');
      return { plainText: [...text.slice(4)].reverse().join(''), reEncrypt: false };
    },
  };
  const memoryFile = (): TokenFile & { data: Uint8Array | null; writes: number } => {
    const file = {
      data: null as Uint8Array | null,
      writes: 0,
      read: async () => file.data,
      write: async (d: Uint8Array) => {
        file.data = d;
        file.writes++;
      },
      remove: async () => {
        file.data = null;
      },
    };
    return file;
  };

  it('writes only ciphertext to the file and reads it back in a new session', async () => {
    const file = memoryFile();
    const warnings: string[] = [];
    const options = { persistence: { mode: 'encrypted-file' as const }, cipher: fakeCipher, file, warn: (m: string) => warnings.push(m) };
    await new TokenStore(options).save(TOKEN);
    expect(new TextDecoder().decode(file.data ?? new Uint8Array())).not.toContain(TOKEN);
    expect(await new TokenStore(options).load()).toBe(TOKEN);
    const store = new TokenStore(options);
    await store.clear();
    expect(file.data).toBeNull();
    expect(await store.load()).toBeNull();
    expect(warnings).toEqual([]);
  });

  it('keeps the token in memory only when the backend is basic_text, and never touches the file', async () => {
    const file = memoryFile();
    const persistence = chooseTokenPersistence({ platform: 'linux', encryptionAvailable: true, linuxBackend: 'basic_text' });
    const store = new TokenStore({ persistence, cipher: fakeCipher, file, warn: () => {} });
    await store.save(TOKEN);
    expect(await store.load()).toBe(TOKEN);
    expect(file.writes).toBe(0);
    expect(await new TokenStore({ persistence, cipher: fakeCipher, file, warn: () => {} }).load()).toBeNull();
  });

  it('discards an undecryptable file with a warning that does not contain it', async () => {
    const file = memoryFile();
    file.data = new TextEncoder().encode(TOKEN);
    const warnings: string[] = [];
    const store = new TokenStore({ persistence: { mode: 'encrypted-file' }, cipher: fakeCipher, file, warn: (m) => warnings.push(m) });
    expect(await store.load()).toBeNull();
    expect(file.data).toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings.join()).not.toContain(TOKEN);
  });

  describe('token file', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'loupe-token-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('is written atomically, private to the user, and removable', async () => {
      const filePath = path.join(dir, 'token.bin');
      const file = tokenFileAt(filePath);
      expect(await file.read()).toBeNull();
      await file.write(new Uint8Array([1, 2, 3]));
      expect([...(await readFile(filePath))]).toEqual([1, 2, 3]);
      if (process.platform !== 'win32') expect((await stat(filePath)).mode & 0o777).toBe(0o600);
      expect(await readdir(dir)).toEqual(['token.bin']);
      await file.remove();
      await file.remove();
      expect(await file.read()).toBeNull();
    });
  });
});

describe('IPC handlers', () => {
  const trusted: InvokeEventLike = { senderFrame: { url: 'loupe://app/index.html', parent: null } };
  let saved: string | null = null;
  const implementation: BridgeImplementation = {
    appVersion: async () => '0.1.0',
    serviceUrl: async () => 'http://127.0.0.1:40000',
    loadToken: async () => saved,
    saveToken: async (token) => {
      saved = token;
    },
    clearToken: async () => {
      saved = null;
    },
    deviceKey: async () => DEVICE_SECRET,
    saveLetterPdf: async () => ({ saved: false }),
  };

  it('registers one handler per bridge channel', () => {
    expect(ipcHandlers(implementation).map(([channel]) => channel).sort()).toEqual(
      Object.values(IPC).map((entry) => entry.channel).sort(),
    );
  });

  it('answers a trusted sender with valid arguments', async () => {
    await makeIpcHandler('saveToken', implementation.saveToken)(trusted, TOKEN);
    expect(await makeIpcHandler('loadToken', implementation.loadToken)(trusted)).toBe(TOKEN);
    expect(await makeIpcHandler('serviceUrl', implementation.serviceUrl)(trusted)).toBe('http://127.0.0.1:40000');
  });

  it.each([
    ['a destroyed frame', { senderFrame: null }],
    ['another origin', { senderFrame: { url: 'https://evil.example/', parent: null } }],
    ['a look-alike host', { senderFrame: { url: 'loupe://app.evil/', parent: null } }],
    ['a sub-frame', { senderFrame: { url: 'loupe://app/index.html', parent: {} } }],
  ])('rejects %s', async (_label, event: InvokeEventLike) => {
    await expect(makeIpcHandler('appVersion', implementation.appVersion)(event)).rejects.toBeInstanceOf(IpcRejected);
  });

  it('rejects invalid arguments without echoing them', async () => {
    const save = makeIpcHandler('saveToken', implementation.saveToken);
    for (const args of [[], ['short'], [`${TOKEN}!`], [TOKEN, 'extra'], [42]]) {
      const error: unknown = await save(trusted, ...args).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IpcRejected);
      expect(String(error)).not.toContain(TOKEN);
    }
    await expect(makeIpcHandler('appVersion', implementation.appVersion)(trusted, 'unexpected')).rejects.toBeInstanceOf(IpcRejected);
  });

  it('rejects a result that breaks the contract', async () => {
    await expect(makeIpcHandler('serviceUrl', async () => 'not a url')(trusted)).rejects.toThrow(/invalid result/);
  });

  it('hands out a device key only for a user id, and only as 32 bytes of base64 or null', async () => {
    const asked: string[] = [];
    const deviceKey = makeIpcHandler('deviceKey', async (userId) => {
      asked.push(userId);
      return DEVICE_SECRET;
    });
    expect(await deviceKey(trusted, USER_ID.toUpperCase())).toBe(DEVICE_SECRET);
    expect(asked).toEqual([USER_ID]); // lowered as parsed: one secret per user, whatever the case
    for (const args of [[], ['../../etc/passwd'], ['__proto__'], [USER_ID, 'extra'], [42]]) {
      await expect(deviceKey(trusted, ...args)).rejects.toBeInstanceOf(IpcRejected);
    }
    expect(await makeIpcHandler('deviceKey', async () => null)(trusted, USER_ID)).toBeNull();
    for (const result of [DEVICE_SECRET.slice(4), `${DEVICE_SECRET}=`, Buffer.alloc(31).toString('base64'), Buffer.alloc(33).toString('base64')]) {
      await expect(makeIpcHandler('deviceKey', async () => result)(trusted, USER_ID)).rejects.toThrow(/invalid result/);
    }
  });
});

describe('module boundaries', () => {
  it('keeps the decision modules free of electron imports', async () => {
    const dir = path.resolve('electron/main');
    for (const name of ['policy.ts', 'app-files.ts', 'service-plan.ts', 'service-runner.ts', 'token-store.ts', 'device-key-store.ts', 'ipc.ts']) {
      const source = await readFile(path.join(dir, name), 'utf8');
      expect(source, name).not.toMatch(/from ['"]electron['"]|require\(['"]electron['"]\)/);
    }
  });
});
