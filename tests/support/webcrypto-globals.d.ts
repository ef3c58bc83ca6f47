import type { webcrypto } from 'node:crypto';

// The node tsconfig checks the tests, and the renderer modules they import, without the DOM
// lib. Node 20 has these globals at run time; name their types as the DOM lib does.
declare global {
  type CryptoKey = webcrypto.CryptoKey;
  type BufferSource = webcrypto.BufferSource;
  /** The slice of the Web Storage API the renderer uses (last-user.ts); tests pass a Map-backed fake. */
  interface Storage {
    getItem(key: string): string | null;
    setItem(key: string, value: string): void;
  }
}

export {};
