/**
 * Wrapping and unwrapping of a user's cache data key (DK). The DK is random; it is stored only
 * wrapped, in a `KeyRecord`, under a key derived from the password (every host) and, on the
 * desktop, under a device secret kept by the OS.
 *
 * Wraps use AES-GCM rather than AES-KW: its 128-bit tag (AES-KW checks 64 bits) and, above
 * all, its additional data bind each wrap to its user and slot, so a wrap copied onto another
 * user's record or from the device slot into the password slot fails to open. The nonce is no
 * burden: every password wrap has its own key (fresh salt), and a device secret wraps a
 * handful of keys in its lifetime, far below the 2^32 random-nonce bound.
 */
import { Uuid } from '../../../../shared/contract';
import { generateDataKey } from './cipher';
import {
  DEVICE_SECRET_BYTES,
  fromBase64,
  IV_BYTES,
  KeyRecord,
  SALT_BYTES,
  toBase64,
  VERIFIER_BYTES,
  type WrappedKey,
} from './key-record';

/** OWASP's 2023 floor for PBKDF2-HMAC-SHA-256. */
export const DEFAULT_ITERATIONS = 600_000;

export type KeySlot = 'password' | 'device';

const encoder = new TextEncoder();
const DATA_KEY = { name: 'AES-GCM', length: 256 } as const;

/** The additional data of a wrap. Part of the record format: a reader in another codebase needs it. */
export function wrapContext(userId: string, slot: KeySlot): Uint8Array<ArrayBuffer> {
  return encoder.encode(`loupe:key-record:v1:${userId}:${slot}`);
}

/** What opened a DK: enough to open an extractable copy again when it must be wrapped anew. */
interface WrapSource {
  readonly userId: string;
  readonly slot: KeySlot;
  readonly kek: CryptoKey;
  readonly wrap: WrappedKey;
}

// Keyed by the non-extractable DK handed out, so rewrapping needs no raw key outside this
// module; a key this module did not hand out (e.g. one cloned from IndexedDB) has no entry.
const sources = new WeakMap<CryptoKey, WrapSource>();

function importWrappingKey(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['wrapKey', 'unwrapKey']);
}

/** HKDF labels splitting the PBKDF2 output; part of the record format. */
export const VERIFIER_INFO = 'loupe:key-record:v1:verifier';
export const KEK_INFO = 'loupe:key-record:v1:kek';

/**
 * One PBKDF2 run of 256 bits (the slow part, paid once per unlock), split by HKDF into the
 * verifier stored to check the password offline and the key-encryption key (KEK). HKDF's
 * outputs under different labels are independent, so the stored verifier says nothing about
 * the KEK, and an unlock costs one PBKDF2 run rather than the two a 512-bit output would.
 */
async function derivePasswordKeys(
  password: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<{ verifier: Uint8Array<ArrayBuffer>; kek: CryptoKey }> {
  // Not normalised (NFC): the service hashes the password as typed, and a password that works
  // online must work offline.
  const material = await crypto.subtle.importKey('raw', encoder.encode(password), 'PBKDF2', false, ['deriveBits']);
  const master = new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, material, 256));
  const hkdf = await crypto.subtle.importKey('raw', master, 'HKDF', false, ['deriveBits']);
  master.fill(0); // best effort: the master bits need not outlive the import
  const expand = async (info: string) =>
    new Uint8Array(await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode(info) }, hkdf, 256)).slice(0, VERIFIER_BYTES);
  const verifier = await expand(VERIFIER_INFO);
  const kekBits = await expand(KEK_INFO);
  const kek = await importWrappingKey(kekBits);
  kekBits.fill(0);
  return { verifier, kek };
}

/** Every byte is compared whatever the first difference, so timing does not reveal a prefix. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

async function wrapDataKey(extractable: CryptoKey, kek: CryptoKey, userId: string, slot: KeySlot): Promise<WrappedKey> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const wrapped = await crypto.subtle.wrapKey('raw', extractable, kek, { name: 'AES-GCM', iv, additionalData: wrapContext(userId, slot) });
  return { iv: toBase64(iv), wrapped: toBase64(new Uint8Array(wrapped)) };
}

/** Rejects (OperationError) when the KEK is wrong or the wrap, its nonce or its context was altered. */
async function unwrapDataKey(source: WrapSource, extractable: boolean): Promise<CryptoKey> {
  const key = await crypto.subtle.unwrapKey(
    'raw',
    fromBase64(source.wrap.wrapped),
    source.kek,
    { name: 'AES-GCM', iv: fromBase64(source.wrap.iv), additionalData: wrapContext(source.userId, source.slot) },
    DATA_KEY,
    extractable,
    ['encrypt', 'decrypt'],
  );
  if (!extractable) sources.set(key, source);
  return key;
}

async function tryOpen(source: WrapSource): Promise<CryptoKey | null> {
  try {
    return await unwrapDataKey(source, false);
  } catch {
    return null;
  }
}

async function deviceWrappingKey(deviceSecret: Uint8Array): Promise<CryptoKey> {
  if (deviceSecret.length !== DEVICE_SECRET_BYTES) throw new RangeError(`a device secret is ${DEVICE_SECRET_BYTES} bytes`);
  const copy = new Uint8Array(deviceSecret); // WebCrypto wants an ArrayBuffer-backed view
  try {
    return await importWrappingKey(copy);
  } finally {
    copy.fill(0);
  }
}

async function passwordFields(userId: string, extractable: CryptoKey, password: string, iterations: number) {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const { verifier, kek } = await derivePasswordKeys(password, salt, iterations);
  const byPassword = await wrapDataKey(extractable, kek, userId, 'password');
  return {
    fields: {
      kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: toBase64(salt) } as const,
      verifier: toBase64(verifier),
      byPassword,
    },
    source: { userId, slot: 'password', kek, wrap: byPassword } satisfies WrapSource,
  };
}

/** Runs `use` with an extractable copy of a DK this module handed out; the copy never escapes. */
async function withExtractable<T>(record: KeyRecord, dataKey: CryptoKey, use: (extractable: CryptoKey) => Promise<T>): Promise<T> {
  const source = sources.get(dataKey);
  if (!source) throw new Error('This data key was not opened by the key vault and cannot be wrapped again.');
  if (source.userId !== record.userId) throw new Error("This data key belongs to another user's record.");
  return use(await unwrapDataKey(source, true));
}

export interface CreateKeyRecordOptions {
  readonly userId: string;
  readonly password: string;
  /** The desktop's device secret (32 bytes); absent or null in a browser. */
  readonly deviceSecret?: Uint8Array | null;
  readonly iterations?: number;
  readonly now?: Date;
}

/** A fresh DK and its record. The DK returned is not extractable: encrypt and decrypt only. */
export async function createKeyRecord(options: CreateKeyRecordOptions): Promise<{ record: KeyRecord; dataKey: CryptoKey }> {
  const userId = Uuid.parse(options.userId);
  const extractable = await generateDataKey();
  const { fields, source } = await passwordFields(userId, extractable, options.password, options.iterations ?? DEFAULT_ITERATIONS);
  const byDevice = options.deviceSecret
    ? await wrapDataKey(extractable, await deviceWrappingKey(options.deviceSecret), userId, 'device')
    : undefined;
  const record = KeyRecord.parse({
    v: 1,
    userId,
    ...fields,
    ...(byDevice ? { byDevice } : {}),
    createdAt: (options.now ?? new Date()).toISOString(),
  });
  return { record, dataKey: await unwrapDataKey(source, false) };
}

export type PasswordCheck =
  | { readonly ok: true; readonly dataKey: CryptoKey }
  /**
   * `wrong-password`: the verifier differs. `damaged-record`: the record does not parse, or the
   * password is right but the wrap does not open; asking for the password again cannot help.
   */
  | { readonly ok: false; readonly reason: 'wrong-password' | 'damaged-record' };

/** Offline sign-in. Never throws for a wrong password or an altered record. */
export async function checkPassword(record: KeyRecord, password: string): Promise<PasswordCheck> {
  const parsed = KeyRecord.safeParse(record);
  if (!parsed.success) return { ok: false, reason: 'damaged-record' };
  const { userId, kdf, verifier, byPassword } = parsed.data;
  const derived = await derivePasswordKeys(password, fromBase64(kdf.salt), kdf.iterations);
  if (!constantTimeEqual(derived.verifier, fromBase64(verifier))) return { ok: false, reason: 'wrong-password' };
  const dataKey = await tryOpen({ userId, slot: 'password', kek: derived.kek, wrap: byPassword });
  return dataKey ? { ok: true, dataKey } : { ok: false, reason: 'damaged-record' };
}

/** The DK from the device wrap, or null when there is none or it does not open with this secret. */
export async function unlockWithDevice(record: KeyRecord, deviceSecret: Uint8Array): Promise<CryptoKey | null> {
  const parsed = KeyRecord.safeParse(record);
  if (!parsed.success || !parsed.data.byDevice || deviceSecret.length !== DEVICE_SECRET_BYTES) return null;
  const kek = await deviceWrappingKey(deviceSecret);
  return tryOpen({ userId: parsed.data.userId, slot: 'device', kek, wrap: parsed.data.byDevice });
}

/**
 * The record with the DK wrapped under a new password (fresh salt, and by default the current
 * iteration count), for when the password changed on the service while the device wrap still
 * opened the cache. `dataKey` must come from this module (createKeyRecord, checkPassword or
 * unlockWithDevice); the device wrap is kept.
 */
export async function rewrapPassword(
  record: KeyRecord,
  dataKey: CryptoKey,
  newPassword: string,
  iterations: number = DEFAULT_ITERATIONS,
): Promise<KeyRecord> {
  return withExtractable(record, dataKey, async (extractable) => {
    const { fields } = await passwordFields(record.userId, extractable, newPassword, iterations);
    return KeyRecord.parse({ ...record, ...fields });
  });
}

/** The record with the DK (from this module) wrapped under `deviceSecret`, replacing any earlier device wrap. */
export async function addDeviceWrap(record: KeyRecord, dataKey: CryptoKey, deviceSecret: Uint8Array): Promise<KeyRecord> {
  const kek = await deviceWrappingKey(deviceSecret);
  return withExtractable(record, dataKey, async (extractable) =>
    KeyRecord.parse({ ...record, byDevice: await wrapDataKey(extractable, kek, record.userId, 'device') }),
  );
}
