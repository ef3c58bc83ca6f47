import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceKeyStore, type SafeStorageLike } from '../../electron/main/device-key-store';
import { DeviceSecret } from '../../shared/bridge';

const ALICE = '0192f0a0-0000-7000-8000-0000000000c1';
const BOB = '0192f0a0-0000-7000-8000-0000000000c2';

/** A stand-in for `safeStorage` (sync API): XOR with a per-"OS" byte behind a marker, so a foreign or damaged value fails. */
function fakeSafeStorage(overrides: Partial<SafeStorageLike> & { osKey?: number } = {}): SafeStorageLike & { calls: number } {
  const osKey = overrides.osKey ?? 0x5a;
  const fake = {
    calls: 0,
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => 'gnome_libsecret',
    encryptString: (plainText: string) => {
      fake.calls++;
      return Buffer.concat([Buffer.from([0xee, osKey]), Buffer.from(plainText, 'utf8').map((b) => b ^ osKey)]);
    },
    decryptString: (encrypted: Buffer) => {
      if (encrypted[0] !== 0xee || encrypted[1] !== osKey) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from(encrypted.subarray(2).map((b) => b ^ osKey)).toString('utf8');
    },
    ...overrides,
  };
  return fake;
}

let dir: string;
let filePath: string;
let warnings: string[];
const store = (storage: SafeStorageLike, platform: NodeJS.Platform = 'linux') =>
  new DeviceKeyStore({ storage, filePath, platform, warn: (message) => warnings.push(message) });
const fileText = () => readFile(filePath, 'utf8');

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'loupe-device-keys-'));
  filePath = path.join(dir, 'device-keys.json');
  warnings = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('device key store', () => {
  it('creates a 32-byte secret on the first ask and gives the same one again', async () => {
    const keys = store(fakeSafeStorage());
    const first = await keys.secretFor(ALICE);
    expect(DeviceSecret.safeParse(first).success).toBe(true);
    expect(Buffer.from(first ?? '', 'base64')).toHaveLength(32);
    expect(await keys.secretFor(ALICE)).toBe(first);
    expect(warnings).toEqual([]);
  });

  it('gives each user their own secret', async () => {
    const keys = store(fakeSafeStorage());
    const [alice, bob] = [await keys.secretFor(ALICE), await keys.secretFor(BOB)];
    expect(alice).not.toBe(bob);
    expect(await keys.secretFor(ALICE)).toBe(alice);
  });

  it('creates one secret when the first asks arrive together', async () => {
    const keys = store(fakeSafeStorage());
    const answers = await Promise.all([keys.secretFor(ALICE), keys.secretFor(ALICE), keys.secretFor(BOB), keys.secretFor(ALICE)]);
    expect(new Set([answers[0], answers[1], answers[3]]).size).toBe(1);
    expect(await store(fakeSafeStorage()).secretFor(ALICE)).toBe(answers[0]);
    expect(await store(fakeSafeStorage()).secretFor(BOB)).toBe(answers[2]);
  });

  it('keeps the secrets across instances (a restart), in a private file written atomically', async () => {
    const alice = await store(fakeSafeStorage()).secretFor(ALICE);
    const bob = await store(fakeSafeStorage()).secretFor(BOB);
    const later = store(fakeSafeStorage());
    expect(await later.secretFor(ALICE)).toBe(alice);
    expect(await later.secretFor(BOB)).toBe(bob);
    expect(await readdir(dir)).toEqual(['device-keys.json']); // no temporary file left
    if (process.platform !== 'win32') expect((await stat(filePath)).mode & 0o777).toBe(0o600);
  });

  it('never writes a secret in plain text', async () => {
    const secrets = [await store(fakeSafeStorage()).secretFor(ALICE), await store(fakeSafeStorage()).secretFor(BOB)];
    const text = await fileText();
    for (const secret of secrets) {
      const raw = Buffer.from(secret ?? '', 'base64');
      for (const form of [secret ?? '', raw.toString('hex'), raw.toString('base64url'), raw.toString('latin1')]) expect(text).not.toContain(form);
    }
    expect(Object.keys((JSON.parse(text) as { secrets: object }).secrets).sort()).toEqual([ALICE, BOB]);
  });

  it.each([
    ['encryption is unavailable', fakeSafeStorage({ isEncryptionAvailable: () => false }), 'darwin'],
    ['the Linux backend is basic_text (a hard-coded key)', fakeSafeStorage({ getSelectedStorageBackend: () => 'basic_text' }), 'linux'],
    ['the Linux backend cannot be determined', fakeSafeStorage({ getSelectedStorageBackend: undefined }), 'linux'],
    [
      'the async API says it is unavailable',
      fakeSafeStorage({
        isAsyncEncryptionAvailable: async () => false,
        encryptStringAsync: async () => Buffer.alloc(0),
        decryptStringAsync: async () => ({ result: '', shouldReEncrypt: false }),
      }),
      'win32',
    ],
  ] as const)('answers null and writes nothing when %s', async (_label, storage, platform) => {
    const keys = store(storage, platform);
    expect(await keys.secretFor(ALICE)).toBeNull();
    expect(await keys.secretFor(ALICE)).toBeNull();
    expect(storage.calls).toBe(0);
    expect(await readdir(dir)).toEqual([]);
    expect(warnings).toHaveLength(1); // once per store, not per ask
  });

  it('does not treat basic_text as unprotected off Linux (the backend is a Linux notion)', async () => {
    expect(await store(fakeSafeStorage({ getSelectedStorageBackend: () => 'basic_text' }), 'darwin').secretFor(ALICE)).not.toBeNull();
  });

  it('starts afresh from a file that is not JSON, without crashing', async () => {
    await writeFile(filePath, '{"v":1,"secrets":{"trunc');
    const secret = await store(fakeSafeStorage()).secretFor(ALICE);
    expect(secret).not.toBeNull();
    expect(await store(fakeSafeStorage()).secretFor(ALICE)).toBe(secret);
    expect(warnings).toHaveLength(1);
  });

  it('replaces only the entry that does not open, leaving the other users untouched', async () => {
    const bob = await store(fakeSafeStorage()).secretFor(BOB);
    const before = JSON.parse(await fileText()) as { v: 1; secrets: Record<string, unknown> };
    const bobEntry = before.secrets[BOB];
    for (const damaged of ['not base64!', 42, Buffer.from('garbage').toString('base64'), fakeSafeStorage({ osKey: 0x11 }).encryptString('x'.repeat(44)).toString('base64')]) {
      await writeFile(filePath, JSON.stringify({ v: 1, secrets: { [ALICE]: damaged, [BOB]: bobEntry } }));
      const alice = await store(fakeSafeStorage()).secretFor(ALICE);
      expect(DeviceSecret.safeParse(alice).success).toBe(true);
      const after = JSON.parse(await fileText()) as typeof before;
      expect(after.secrets[BOB]).toBe(bobEntry);
      expect(after.secrets[ALICE]).not.toEqual(damaged);
    }
    expect(await store(fakeSafeStorage()).secretFor(BOB)).toBe(bob);
    expect(warnings).toHaveLength(4);
    expect(warnings.join('\n')).not.toContain(ALICE);
  });

  it('answers null for a file it cannot read, and leaves it alone', async () => {
    // A directory in the file's place: a read error other than "missing" (works as root too).
    await mkdir(path.join(filePath, 'inside'), { recursive: true });
    expect(await store(fakeSafeStorage()).secretFor(ALICE)).toBeNull();
    expect(await readdir(filePath)).toEqual(['inside']);
    expect(warnings).toHaveLength(1);
  });

  it('answers null, not a secret it could not save', async () => {
    const keys = store(fakeSafeStorage(), 'linux');
    await rm(dir, { recursive: true });
    expect(await keys.secretFor(ALICE)).toBeNull();
    expect(warnings).toHaveLength(1);
  });

  it('prefers the async API and rewrites an entry the OS asks to re-encrypt', async () => {
    const sync = fakeSafeStorage();
    const secret = await store(sync).secretFor(ALICE);
    const before = await fileText();
    let asyncCalls = 0;
    const rotated = fakeSafeStorage({
      encryptString: () => {
        throw new Error('the sync API must not be used');
      },
      decryptString: () => {
        throw new Error('the sync API must not be used');
      },
      isAsyncEncryptionAvailable: async () => true,
      encryptStringAsync: async (plainText) => {
        asyncCalls++;
        return Buffer.concat([Buffer.from([0xee, 0x5a]), Buffer.from(plainText).map((b) => b ^ 0x5a)]).reverse();
      },
      decryptStringAsync: async (encrypted) => {
        asyncCalls++;
        const rewritten = encrypted[encrypted.length - 1] === 0xee;
        return { result: sync.decryptString(rewritten ? Buffer.from(encrypted).reverse() : encrypted), shouldReEncrypt: !rewritten };
      },
    });
    expect(await store(rotated).secretFor(ALICE)).toBe(secret);
    expect(await fileText()).not.toBe(before);
    expect(await store(rotated).secretFor(ALICE)).toBe(secret);
    expect(asyncCalls).toBe(3); // decrypt + re-encrypt, then a decrypt that needs nothing more
  });
});
