import { z } from 'zod';
import { Uuid } from './contract/common';

/**
 * The one contract between the renderer and its host. On the desktop the preload script
 * implements it over validated IPC (`window.loupe`); in a plain browser the browser host
 * implements it with web APIs. The renderer codes against this interface only.
 */
export interface LoupeBridge {
  readonly host: 'electron' | 'browser';
  appVersion(): Promise<string>;
  /** Base URL of the referral service, without a trailing slash. */
  serviceUrl(): Promise<string>;
  /** Token storage: OS-encrypted (safeStorage) on the desktop, the tab's session in a browser. */
  loadToken(): Promise<string | null>;
  saveToken(token: string): Promise<void>;
  clearToken(): Promise<void>;
  /**
   * The desktop's device secret for this user (base64 of 32 bytes), which opens the encrypted
   * cache without the password. `null` where no OS-protected storage exists: always in a
   * browser, and on a desktop whose safeStorage is unavailable or unprotected (`basic_text`).
   */
  deviceKey(userId: string): Promise<string | null>;
  /**
   * Saves the page as it prints (the letter preview's print styles) as a PDF where the user
   * chooses. Desktop: main prints the sender's page with `printToPDF` and asks with a save
   * dialog. Browser: opens the print dialog, whose "Save as PDF" destination does the same,
   * so the result says nothing was saved by the app itself.
   */
  saveLetterPdf(request: SaveLetterPdfRequest): Promise<SaveLetterPdfResult>;
}

/** Standard padded base64 of exactly 32 bytes (43 characters, the last carrying 4 bits, and `=`). */
export const DeviceSecret = z.string().regex(/^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/);

/**
 * The file name the save dialog offers. A bare name (no folders, no `..`), ending in `.pdf`:
 * main joins it to the user's documents folder, so it must not be able to point elsewhere.
 */
export const PdfFileName = z
  .string()
  .max(120)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*\.pdf$/, 'a plain file name ending in .pdf')
  .refine((name) => !name.includes('..'), 'no ".." in a file name');

export const SaveLetterPdfRequest = z.strictObject({ suggestedName: PdfFileName });
export type SaveLetterPdfRequest = z.infer<typeof SaveLetterPdfRequest>;

/** `saved: false` when the user cancelled (or, in a browser, when the print dialog did the saving). */
export const SaveLetterPdfResult = z.strictObject({ saved: z.boolean(), path: z.string().min(1).max(4096).optional() });
export type SaveLetterPdfResult = z.infer<typeof SaveLetterPdfResult>;

/** IPC channel names and the schema of each call's argument and result, checked in main. */
export const IPC = {
  appVersion: { channel: 'loupe:app-version', args: z.tuple([]), result: z.string() },
  serviceUrl: { channel: 'loupe:service-url', args: z.tuple([]), result: z.url() },
  loadToken: { channel: 'loupe:token-load', args: z.tuple([]), result: z.string().nullable() },
  saveToken: {
    channel: 'loupe:token-save',
    args: z.tuple([z.string().min(32).max(512).regex(/^[A-Za-z0-9_-]+$/)]),
    result: z.undefined(),
  },
  clearToken: { channel: 'loupe:token-clear', args: z.tuple([]), result: z.undefined() },
  deviceKey: { channel: 'loupe:device-key', args: z.tuple([Uuid]), result: DeviceSecret.nullable() },
  saveLetterPdf: { channel: 'loupe:letter-pdf-save', args: z.tuple([SaveLetterPdfRequest]), result: SaveLetterPdfResult },
} as const;
export type IpcName = keyof typeof IPC;

/** The custom scheme the desktop app serves its renderer from (never file://). */
export const APP_SCHEME = 'loupe';
export const APP_ORIGIN = `${APP_SCHEME}://app`;
