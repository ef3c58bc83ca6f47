import { z } from 'zod';
import { Uuid } from '../../../../shared/contract';

/**
 * The stored form of a user's cache key: the data key (DK) only ever wrapped, once under a
 * password-derived key and optionally once under the desktop's device secret. Read back from
 * IndexedDB, so it is parsed here before any byte of it reaches WebCrypto.
 */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard (not URL-safe) base64 with padding, via `btoa`: the renderer has no `Buffer`. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  // Chunked: spreading a large array into fromCharCode overflows the argument limit.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Throws on anything but canonical padded base64 (atob alone accepts whitespace and no padding). */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  if (!BASE64.test(text)) throw new Error('not base64');
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Base64 of exactly `length` bytes, so a truncated or padded field fails the parse, not WebCrypto. */
export const base64Bytes = (length: number) =>
  z
    .string()
    .length(4 * Math.ceil(length / 3))
    .regex(BASE64)
    .refine((text) => decodedLength(text) === length, `expected ${length} bytes`);

function decodedLength(text: string): number | null {
  try {
    return fromBase64(text).length;
  } catch {
    return null; // zod runs every check, so this one sees strings the regex already refused
  }
}

export const SALT_BYTES = 16;
export const VERIFIER_BYTES = 32;
export const IV_BYTES = 12;
/** A 256-bit key wrapped with AES-GCM: 32 bytes of ciphertext and the 16-byte tag. */
export const WRAPPED_KEY_BYTES = 48;
export const DEVICE_SECRET_BYTES = 32;

/** Bounded above so a corrupted or hostile record cannot hang the sign-in for hours. */
export const MIN_ITERATIONS = 1_000;
export const MAX_ITERATIONS = 10_000_000;

/** A key wrapped with AES-GCM (see key-vault.ts for why not AES-KW), so the nonce is required. */
export const WrappedKey = z.strictObject({
  iv: base64Bytes(IV_BYTES),
  wrapped: base64Bytes(WRAPPED_KEY_BYTES),
});
export type WrappedKey = z.infer<typeof WrappedKey>;

export const KeyRecord = z.strictObject({
  v: z.literal(1),
  userId: Uuid,
  kdf: z.strictObject({
    name: z.literal('PBKDF2'),
    hash: z.literal('SHA-256'),
    iterations: z.number().int().min(MIN_ITERATIONS).max(MAX_ITERATIONS),
    salt: base64Bytes(SALT_BYTES),
  }),
  verifier: base64Bytes(VERIFIER_BYTES),
  byPassword: WrappedKey,
  byDevice: WrappedKey.optional(),
  createdAt: z.iso.datetime({ offset: true }),
});
export type KeyRecord = z.infer<typeof KeyRecord>;
