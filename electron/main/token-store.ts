// No `electron` import. The sign-in token's storage policy, with the OS cipher and the file
// injected so both decisions and behaviour are tested in plain Node. Never logs a token.
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';

/** Electron `safeStorage`, reduced to what the store needs (the edge adapts async/sync). */
export interface TokenCipher {
  encrypt(plainText: string): Promise<Uint8Array>;
  /** `reEncrypt`: the OS rotated the key; the store rewrites the file. */
  decrypt(data: Uint8Array): Promise<{ plainText: string; reEncrypt: boolean }>;
}

export interface TokenFile {
  /** `null` when there is no file. */
  read(): Promise<Uint8Array | null>;
  /** Replaces the file atomically, readable by the user only. */
  write(data: Uint8Array): Promise<void>;
  /** No error when there is no file. */
  remove(): Promise<void>;
}

export interface StorageFacts {
  readonly platform: NodeJS.Platform;
  readonly encryptionAvailable: boolean;
  /** `safeStorage.getSelectedStorageBackend()` on Linux; ignored elsewhere. */
  readonly linuxBackend?: string;
}

export type TokenPersistence =
  | { readonly mode: 'encrypted-file' }
  | { readonly mode: 'memory'; readonly warning: string };

/**
 * Whether the token may be written to disk. Only when the OS protects the key: not when
 * encryption is unavailable, and on Linux not with the `basic_text` backend (a hard-coded
 * key, i.e. plaintext in effect) nor an undetermined one.
 */
export function chooseTokenPersistence(facts: StorageFacts): TokenPersistence {
  if (!facts.encryptionAvailable) {
    return {
      mode: 'memory',
      warning: 'OS encryption is unavailable: the sign-in token is kept in memory only and you will sign in again after a restart.',
    };
  }
  if (facts.platform === 'linux') {
    const backend = facts.linuxBackend ?? 'unknown';
    if (backend === 'basic_text' || backend === 'unknown') {
      return {
        mode: 'memory',
        warning: `No secret service (keyring) is available (safeStorage backend "${backend}"): the sign-in token is kept in memory only and you will sign in again after a restart.`,
      };
    }
  }
  return { mode: 'encrypted-file' };
}

export interface TokenStoreOptions {
  readonly persistence: TokenPersistence;
  readonly cipher: TokenCipher;
  readonly file: TokenFile;
  /** Receives short operational messages, never token material. */
  readonly warn: (message: string) => void;
}

export class TokenStore {
  private memory: string | null = null;
  private loaded = false;

  constructor(private readonly options: TokenStoreOptions) {}

  get persistent(): boolean {
    return this.options.persistence.mode === 'encrypted-file';
  }

  async load(): Promise<string | null> {
    if (this.loaded || !this.persistent) return this.memory;
    const { file, cipher, warn } = this.options;
    const data = await file.read();
    if (data && data.byteLength > 0) {
      try {
        const { plainText, reEncrypt } = await cipher.decrypt(data);
        this.memory = plainText;
        if (reEncrypt) await file.write(await cipher.encrypt(plainText));
      } catch {
        warn('The stored sign-in token could not be decrypted and was discarded.');
        await file.remove();
      }
    }
    this.loaded = true;
    return this.memory;
  }

  async save(token: string): Promise<void> {
    this.memory = token;
    this.loaded = true;
    if (this.persistent) await this.options.file.write(await this.options.cipher.encrypt(token));
  }

  async clear(): Promise<void> {
    this.memory = null;
    this.loaded = true;
    // Removed whatever the mode: a file left by an earlier, keyring-backed session must not linger.
    await this.options.file.remove();
  }
}

/** The token file in the user-data folder: written to a temporary name then renamed, mode 0600. */
export function tokenFileAt(filePath: string): TokenFile {
  return {
    async read() {
      try {
        return await readFile(filePath);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async write(data) {
      const temporary = `${filePath}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(temporary, data, { mode: 0o600 });
        await rename(temporary, filePath);
      } finally {
        await rm(temporary, { force: true });
      }
    },
    async remove() {
      await rm(filePath, { force: true });
    },
  };
}
