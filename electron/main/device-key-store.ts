// No `electron` import. Per-user device secrets for the encrypted cache, kept in one JSON file
// in user data, each secret encrypted by the OS (`safeStorage`, injected). Never logs a secret.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DeviceSecret } from '../../shared/bridge';
import { chooseTokenPersistence, type TokenFile, tokenFileAt } from './token-store';

/**
 * Electron's `safeStorage`, reduced to what the store uses; the object itself satisfies it.
 * The async methods are preferred when present (Electron deprecates the sync ones), the same
 * choice secure-storage.ts makes for the token.
 */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  /** Linux only in Electron; absent means "unknown", which counts as unprotected. */
  getSelectedStorageBackend?(): string;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  isAsyncEncryptionAvailable?(): Promise<boolean>;
  encryptStringAsync?(plainText: string): Promise<Buffer>;
  decryptStringAsync?(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
}

export interface DeviceKeyStoreOptions {
  readonly storage: SafeStorageLike;
  readonly filePath: string;
  /** Receives short operational messages, never secrets or user ids. */
  readonly warn: (message: string) => void;
  /** Defaults to `process.platform`; injected so the Linux rules are testable anywhere. */
  readonly platform?: NodeJS.Platform;
}

interface OsCipher {
  encrypt(plainText: string): Promise<Buffer>;
  decrypt(data: Buffer): Promise<{ plainText: string; reEncrypt: boolean }>;
}

const SECRET_BYTES = 32;

/** Entries are `unknown` here: each is checked only when its user asks, so one bad entry costs one user. */
const DeviceKeyFile = z.object({ v: z.literal(1), secrets: z.record(z.string(), z.unknown()) });
const EncryptedEntry = z.base64().min(1);

type Entries = Map<string, unknown>;

function osCipher(storage: SafeStorageLike): { cipher: OsCipher; isAvailable: () => Promise<boolean> } {
  const { encryptStringAsync, decryptStringAsync, isAsyncEncryptionAvailable } = storage;
  if (encryptStringAsync && decryptStringAsync) {
    return {
      isAvailable: async () => (isAsyncEncryptionAvailable ? isAsyncEncryptionAvailable.call(storage) : storage.isEncryptionAvailable()),
      cipher: {
        encrypt: (plainText) => encryptStringAsync.call(storage, plainText),
        decrypt: async (data) => {
          const { result, shouldReEncrypt } = await decryptStringAsync.call(storage, data);
          return { plainText: result, reEncrypt: shouldReEncrypt };
        },
      },
    };
  }
  return {
    isAvailable: async () => storage.isEncryptionAvailable(),
    cipher: {
      encrypt: async (plainText) => storage.encryptString(plainText),
      decrypt: async (data) => ({ plainText: storage.decryptString(data), reEncrypt: false }),
    },
  };
}

export class DeviceKeyStore {
  private readonly file: TokenFile;
  private cipherReady: Promise<OsCipher | null> | null = null;
  // Calls run one at a time: two first asks for one user must not create two secrets, the
  // second overwriting the one the first already wrapped the cache key with.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: DeviceKeyStoreOptions) {
    this.file = tokenFileAt(options.filePath);
  }

  /**
   * The user's secret (base64 of 32 bytes), created on the first ask; null when the OS does not
   * protect it or it cannot be kept. Never rejects: without a device key the cache still opens
   * with the password.
   */
  secretFor(userId: string): Promise<string | null> {
    const run = this.queue.then(() =>
      this.secretNow(userId).catch(() => {
        this.options.warn('The device key store failed; the cache opens with the password only.');
        return null;
      }),
    );
    this.queue = run;
    return run;
  }

  private async secretNow(userId: string): Promise<string | null> {
    const cipher = await this.cipher();
    if (!cipher) return null;
    const entries = await this.read();
    if (!entries) return null;

    const existing = await this.open(cipher, entries.get(userId));
    if (existing) {
      if (existing.reEncrypt) {
        try {
          entries.set(userId, (await cipher.encrypt(existing.secret)).toString('base64'));
          await this.write(entries);
        } catch {
          // The old ciphertext still opens, so a failed rewrite costs only a retry next time.
          this.options.warn('A device key could not be re-encrypted under the new OS key.');
        }
      }
      return existing.secret;
    }
    if (entries.has(userId)) this.options.warn('A device key could not be read and was replaced; that cache opens with the password once.');

    const secret = randomBytes(SECRET_BYTES).toString('base64');
    try {
      entries.set(userId, (await cipher.encrypt(secret)).toString('base64'));
      await this.write(entries);
    } catch {
      // A secret that is not on disk would wrap the cache key under something lost at exit.
      this.options.warn('A device key could not be saved; the cache opens with the password only.');
      return null;
    }
    return secret;
  }

  private cipher(): Promise<OsCipher | null> {
    this.cipherReady ??= (async () => {
      const { storage, platform = process.platform, warn } = this.options;
      const { cipher, isAvailable } = osCipher(storage);
      const encryptionAvailable = await isAvailable().catch(() => false);
      const { mode } = chooseTokenPersistence({
        platform,
        encryptionAvailable,
        linuxBackend: platform === 'linux' ? storage.getSelectedStorageBackend?.() : undefined,
      });
      if (mode === 'encrypted-file') return cipher;
      warn('OS-protected storage is unavailable: no device key is kept, and the offline cache opens with the password only.');
      return null;
    })();
    return this.cipherReady;
  }

  /** The entries, empty when there is no file or it is not ours to read; null when unreadable. */
  private async read(): Promise<Entries | null> {
    let data: Uint8Array | null;
    try {
      data = await this.file.read();
    } catch {
      // Not written over: the secrets in it may be fine once the file is readable again.
      this.options.warn('The device key file could not be read.');
      return null;
    }
    if (!data) return new Map();
    let parsed: z.infer<typeof DeviceKeyFile> | null = null;
    try {
      parsed = DeviceKeyFile.parse(JSON.parse(new TextDecoder().decode(data)));
    } catch {
      this.options.warn('The device key file was unreadable and is started afresh.');
    }
    return new Map(parsed ? Object.entries(parsed.secrets) : []);
  }

  private write(entries: Entries): Promise<void> {
    const content = { v: 1, secrets: Object.fromEntries(entries) } satisfies z.infer<typeof DeviceKeyFile>;
    return this.file.write(new TextEncoder().encode(`${JSON.stringify(content, null, 2)}\n`));
  }

  private async open(cipher: OsCipher, entry: unknown): Promise<{ secret: string; reEncrypt: boolean } | null> {
    const encrypted = EncryptedEntry.safeParse(entry);
    if (!encrypted.success) return null;
    try {
      const { plainText, reEncrypt } = await cipher.decrypt(Buffer.from(encrypted.data, 'base64'));
      return DeviceSecret.safeParse(plainText).success ? { secret: plainText, reEncrypt } : null;
    } catch {
      return null;
    }
  }
}
