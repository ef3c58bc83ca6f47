// Pure of Electron: the `saveLetterPdf` bridge call. The page that asked is printed with its
// own print styles (only the letter, A4) and the bytes go where the user chose. The edge
// (`index.ts`) passes the sender's web contents as the printer and a save dialog as `choosePath`,
// so this runs in plain Node in the tests.
import { writeFile } from 'node:fs/promises';
import type { SaveLetterPdfRequest, SaveLetterPdfResult } from '../../shared/bridge';

/** What Electron's `printToPDF` is called with: backgrounds kept (banding, rules), A4 paper. */
export const LETTER_PDF_OPTIONS = { printBackground: true, pageSize: 'A4' } as const;

/** The slice of a `WebContents` this needs. */
export interface PdfPrinter {
  printToPDF(options: typeof LETTER_PDF_OPTIONS): Promise<Uint8Array>;
}

export interface LetterPdfDeps {
  /** Asks the user where to save; `null` when they cancel. */
  choosePath(suggestedName: string): Promise<string | null>;
}

/** Dialogs on some platforms let the extension go; a letter saved as PDF should say so. */
export function withPdfExtension(filePath: string): string {
  return /\.pdf$/i.test(filePath) ? filePath : `${filePath}.pdf`;
}

/**
 * Asks first, then prints: a cancelled dialog costs no rendering. The file is private to the
 * user (mode 0600 where the OS has modes): it names a patient.
 */
export async function saveLetterPdf(request: SaveLetterPdfRequest, page: PdfPrinter, deps: LetterPdfDeps): Promise<SaveLetterPdfResult> {
  const chosen = await deps.choosePath(request.suggestedName);
  if (chosen === null || chosen.trim() === '') return { saved: false };
  const target = withPdfExtension(chosen);
  const bytes = await page.printToPDF(LETTER_PDF_OPTIONS);
  await writeFile(target, bytes, { mode: 0o600 });
  return { saved: true, path: target };
}
