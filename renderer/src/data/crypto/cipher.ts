/**
 * AES-256-GCM sealing of cached values with WebCrypto. Every sealed value is bound to where
 * it is stored (`aad`, e.g. "referral:<id>" or "tile:<image>/<level>/<col>_<row>"), so a
 * ciphertext copied onto another row fails to open instead of showing the wrong patient.
 */
export interface Sealed {
  /** 96-bit nonce, fresh for every seal. */
  readonly iv: Uint8Array;
  /** Ciphertext with the 128-bit tag appended. */
  readonly data: ArrayBuffer;
}

const IV_BYTES = 12;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export async function sealBytes(key: CryptoKey, bytes: BufferSource, aad: string): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: encoder.encode(aad) }, key, bytes);
  return { iv, data };
}

/** Throws (OperationError) when the key is wrong, the data was altered or `aad` differs. */
export async function openBytes(key: CryptoKey, sealed: Sealed, aad: string): Promise<ArrayBuffer> {
  return crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: sealed.iv as Uint8Array<ArrayBuffer>, additionalData: encoder.encode(aad) },
    key,
    sealed.data,
  );
}

export function sealJson(key: CryptoKey, value: unknown, aad: string): Promise<Sealed> {
  return sealBytes(key, encoder.encode(JSON.stringify(value)), aad);
}

/** The parsed JSON; callers parse it with the entity's zod schema before trusting it. */
export async function openJson(key: CryptoKey, sealed: Sealed, aad: string): Promise<unknown> {
  return JSON.parse(decoder.decode(await openBytes(key, sealed, aad))) as unknown;
}

/** A fresh random data key; extractable only so it can be wrapped for storage. */
export function generateDataKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
}
