// Edge: Electron APIs. Adapts `safeStorage` (async API when present, sync otherwise) to the
// `TokenStore` of `token-store.ts`. Call after `app` is ready.
import { safeStorage } from 'electron';
import { chooseTokenPersistence, type TokenCipher, TokenStore, tokenFileAt } from './token-store';

function safeStorageCipher(): { cipher: TokenCipher; isAvailable: () => Promise<boolean> } {
  if (typeof safeStorage.encryptStringAsync === 'function' && typeof safeStorage.decryptStringAsync === 'function') {
    return {
      isAvailable: () => safeStorage.isAsyncEncryptionAvailable(),
      cipher: {
        encrypt: (plainText) => safeStorage.encryptStringAsync(plainText),
        decrypt: async (data) => {
          const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(Buffer.from(data));
          return { plainText: result, reEncrypt: shouldReEncrypt };
        },
      },
    };
  }
  return {
    isAvailable: async () => safeStorage.isEncryptionAvailable(),
    cipher: {
      encrypt: async (plainText) => safeStorage.encryptString(plainText),
      decrypt: async (data) => ({ plainText: safeStorage.decryptString(Buffer.from(data)), reEncrypt: false }),
    },
  };
}

/**
 * The token store for this machine: an encrypted file in user data when the OS protects the
 * key, memory only otherwise (one warning, logged here).
 */
export async function createTokenStore(filePath: string, warn: (message: string) => void): Promise<TokenStore> {
  const { cipher, isAvailable } = safeStorageCipher();
  const encryptionAvailable = await isAvailable().catch(() => false);
  const persistence = chooseTokenPersistence({
    platform: process.platform,
    encryptionAvailable,
    linuxBackend: process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : undefined,
  });
  if (persistence.mode === 'memory') warn(persistence.warning);
  return new TokenStore({ persistence, cipher, file: tokenFileAt(filePath), warn });
}
