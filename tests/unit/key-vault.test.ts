import { afterEach, describe, expect, it, vi } from 'vitest';
import { openJson, sealJson } from '../../renderer/src/data/crypto/cipher';
import { fromBase64, KeyRecord, toBase64 } from '../../renderer/src/data/crypto/key-record';
import {
  addDeviceWrap,
  checkPassword,
  createKeyRecord,
  DEFAULT_ITERATIONS,
  KEK_INFO,
  VERIFIER_INFO,
  rewrapPassword,
  unlockWithDevice,
  wrapContext,
} from '../../renderer/src/data/crypto/key-vault';

// CryptoKey and BufferSource types for the node tsconfig: tests/support/webcrypto-globals.d.ts.

// Real WebCrypto (Node's globalThis.crypto). Few iterations keep the suite fast; one test
// checks the default without running it.
const ITERATIONS = 1_000;
const USER = '0192f0a0-0000-7000-8000-0000000000c1';
const OTHER_USER = '0192f0a0-0000-7000-8000-0000000000c2';
const PASSWORD = 'correct horse battery staple';
const AAD = 'referral:0192f0a0-0000-7000-8000-000000000001';
const PATIENT = { nhsNumber: '9990000018', name: 'Ada Example' };

const deviceSecret = (): Uint8Array => crypto.getRandomValues(new Uint8Array(32));
const create = (deviceSecretBytes: Uint8Array | null = null) =>
  createKeyRecord({ userId: USER, password: PASSWORD, deviceSecret: deviceSecretBytes, iterations: ITERATIONS });

/** Seals with one key and opens with the other: both are the same DK. */
async function sameKey(sealWith: CryptoKey, openWith: CryptoKey): Promise<boolean> {
  const sealed = await sealJson(sealWith, PATIENT, AAD);
  return openJson(openWith, sealed, AAD).then(
    (value) => JSON.stringify(value) === JSON.stringify(PATIENT),
    () => false,
  );
}

async function opened(record: KeyRecord, password: string): Promise<CryptoKey> {
  const check = await checkPassword(record, password);
  if (!check.ok) throw new Error(`expected the password to open the record (${check.reason})`);
  return check.dataKey;
}

/** One byte of a base64 field flipped, keeping its length. */
function flipped(field: string, index = 0): string {
  const bytes = fromBase64(field);
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return toBase64(bytes);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('key vault', () => {
  it('round-trips: data sealed with the new key opens with the key the password unwraps', async () => {
    const { record, dataKey } = await create();
    expect(record).toMatchObject({ v: 1, userId: USER, kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: ITERATIONS } });
    expect(record.byDevice).toBeUndefined();
    expect(await sameKey(dataKey, await opened(record, PASSWORD))).toBe(true);
    expect(await sameKey(dataKey, (await create()).dataKey)).toBe(false); // each record has its own DK
  });

  it('refuses a wrong password with a result, not an error', async () => {
    const { record } = await create();
    for (const attempt of ['correct horse battery stapler', '', PASSWORD.toUpperCase(), `${PASSWORD} `]) {
      expect(await checkPassword(record, attempt)).toEqual({ ok: false, reason: 'wrong-password' });
    }
  });

  it('stores one HKDF output of the PBKDF2 key as the verifier and wraps with the other, never the same bits', async () => {
    const { record } = await create();
    const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(PASSWORD), 'PBKDF2', false, ['deriveBits']);
    const master = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: fromBase64(record.kdf.salt), iterations: ITERATIONS }, material, 256);
    const hkdf = await crypto.subtle.importKey('raw', master, 'HKDF', false, ['deriveBits']);
    const expand = async (info: string) =>
      new Uint8Array(await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new TextEncoder().encode(info) }, hkdf, 256));
    const [first, second] = [await expand(VERIFIER_INFO), await expand(KEK_INFO)];
    expect(record.verifier).toBe(toBase64(first));
    expect(record.verifier).not.toBe(toBase64(second));

    const decryptWith = async (raw: Uint8Array<ArrayBuffer>) => {
      const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['decrypt']);
      const params = { name: 'AES-GCM', iv: fromBase64(record.byPassword.iv), additionalData: wrapContext(USER, 'password') };
      return crypto.subtle.decrypt(params, key, fromBase64(record.byPassword.wrapped));
    };
    expect((await decryptWith(second)).byteLength).toBe(32);
    await expect(decryptWith(first)).rejects.toThrow();
  });

  it.each([
    ['the wrapped key', (r: KeyRecord): KeyRecord => ({ ...r, byPassword: { ...r.byPassword, wrapped: flipped(r.byPassword.wrapped, 5) } }), 'damaged-record'],
    ['the wrap nonce', (r: KeyRecord): KeyRecord => ({ ...r, byPassword: { ...r.byPassword, iv: flipped(r.byPassword.iv) } }), 'damaged-record'],
    ['the user id (the wrap is bound to its user)', (r: KeyRecord): KeyRecord => ({ ...r, userId: OTHER_USER }), 'damaged-record'],
    ['the salt', (r: KeyRecord): KeyRecord => ({ ...r, kdf: { ...r.kdf, salt: flipped(r.kdf.salt) } }), 'wrong-password'],
    ['the iteration count', (r: KeyRecord): KeyRecord => ({ ...r, kdf: { ...r.kdf, iterations: ITERATIONS + 1 } }), 'wrong-password'],
    ['the verifier', (r: KeyRecord): KeyRecord => ({ ...r, verifier: flipped(r.verifier) }), 'wrong-password'],
    ['a field to something unparsable', (r: KeyRecord): KeyRecord => ({ ...r, verifier: 'AAAA' }), 'damaged-record'],
  ] as const)('refuses a record whose %s was altered, even with the right password', async (_label, tamper, reason) => {
    const { record } = await create();
    expect(await checkPassword(tamper(record), PASSWORD)).toEqual({ ok: false, reason });
  });

  it('opens the key with the device secret alone, and only with that secret', async () => {
    const secret = deviceSecret();
    const { record, dataKey } = await create(secret);
    expect(record.byDevice).toBeDefined();
    const fromDevice = await unlockWithDevice(record, secret);
    expect(fromDevice).not.toBeNull();
    expect(await sameKey(dataKey, fromDevice as CryptoKey)).toBe(true);

    expect(await unlockWithDevice(record, deviceSecret())).toBeNull();
    expect(await unlockWithDevice(record, secret.subarray(0, 16))).toBeNull();
    expect(await unlockWithDevice((await create()).record, secret)).toBeNull(); // no device wrap
    // The device wrap is bound to its slot: moved into the password slot it does not open.
    const moved = { ...record, byPassword: record.byDevice ?? record.byPassword };
    expect(await checkPassword(moved, PASSWORD)).toEqual({ ok: false, reason: 'damaged-record' });
  });

  it('adds a device wrap to a password-only record', async () => {
    const { record, dataKey } = await create();
    const secret = deviceSecret();
    const withDevice = await addDeviceWrap(record, await opened(record, PASSWORD), secret);
    expect(withDevice.byPassword).toEqual(record.byPassword);
    const fromDevice = await unlockWithDevice(withDevice, secret);
    expect(await sameKey(dataKey, fromDevice as CryptoKey)).toBe(true);
  });

  it('rewraps for a new password after a device unlock: cached data stays readable, the old password no longer opens', async () => {
    const secret = deviceSecret();
    const { record, dataKey } = await create(secret);
    const sealed = await sealJson(dataKey, PATIENT, AAD);

    const fromDevice = await unlockWithDevice(record, secret);
    if (!fromDevice) throw new Error('expected the device wrap to open');
    const rewrapped = await rewrapPassword(record, fromDevice, 'a new passphrase, changed online', ITERATIONS);

    expect(rewrapped.kdf.salt).not.toBe(record.kdf.salt);
    expect(rewrapped.byDevice).toEqual(record.byDevice);
    expect(rewrapped.createdAt).toBe(record.createdAt);
    expect(await checkPassword(rewrapped, PASSWORD)).toEqual({ ok: false, reason: 'wrong-password' });
    expect(await openJson(await opened(rewrapped, 'a new passphrase, changed online'), sealed, AAD)).toEqual(PATIENT);
    expect(await openJson((await unlockWithDevice(rewrapped, secret)) as CryptoKey, sealed, AAD)).toEqual(PATIENT);
  });

  it('refuses to rewrap a key it did not hand out, or onto another user', async () => {
    const { record, dataKey } = await create();
    const foreign = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    await expect(rewrapPassword(record, foreign, 'new', ITERATIONS)).rejects.toThrow(/not opened by the key vault/);
    const other = await createKeyRecord({ userId: OTHER_USER, password: PASSWORD, iterations: ITERATIONS });
    await expect(addDeviceWrap(other.record, dataKey, deviceSecret())).rejects.toThrow(/another user/);
  });

  it('hands out data keys that cannot be exported, from every path', async () => {
    const secret = deviceSecret();
    const { record, dataKey } = await create(secret);
    const keys = [dataKey, await opened(record, PASSWORD), (await unlockWithDevice(record, secret)) as CryptoKey];
    for (const key of keys) {
      expect(key.extractable).toBe(false);
      expect(key.usages.slice().sort()).toEqual(['decrypt', 'encrypt']);
      await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();
    }
  });

  it('produces a record that survives JSON and parses with the schema', async () => {
    const { record } = await create(deviceSecret());
    const reparsed = KeyRecord.parse(JSON.parse(JSON.stringify(record)));
    expect(reparsed).toEqual(record);
    expect(await checkPassword(reparsed, PASSWORD)).toMatchObject({ ok: true });
  });

  it('writes neither the password nor the raw data key into the record', async () => {
    const generated: CryptoKey[] = [];
    const subtle = crypto.subtle;
    const generateKey = subtle.generateKey.bind(subtle);
    vi.spyOn(subtle, 'generateKey').mockImplementation((async (...args: Parameters<typeof generateKey>) => {
      const key = await generateKey(...args);
      generated.push(key as CryptoKey);
      return key;
    }) as typeof subtle.generateKey);

    const { record } = await create(deviceSecret());
    expect(generated).toHaveLength(1);
    const raw = new Uint8Array(await subtle.exportKey('raw', generated[0] as CryptoKey));
    const json = JSON.stringify(record);
    const hex = Array.from(raw, (b) => b.toString(16).padStart(2, '0')).join('');
    for (const secret of [PASSWORD, toBase64(raw), hex, Buffer.from(raw).toString('base64url')]) {
      expect(json).not.toContain(secret);
    }
  });

  it('defaults to at least 600,000 PBKDF2 iterations (checked without running them)', async () => {
    expect(DEFAULT_ITERATIONS).toBeGreaterThanOrEqual(600_000);
    const deriveBits = vi.spyOn(crypto.subtle, 'deriveBits').mockResolvedValue(new Uint8Array(64).fill(7).buffer);
    const { record } = await createKeyRecord({ userId: USER, password: PASSWORD });
    expect(record.kdf.iterations).toBe(DEFAULT_ITERATIONS);
    expect(deriveBits).toHaveBeenCalledWith(expect.objectContaining({ name: 'PBKDF2', iterations: DEFAULT_ITERATIONS }), expect.anything(), 256);
  });
});
