// Edge: Electron APIs. The save dialog for `saveLetterPdf`, attached to the window that asked.
import path from 'node:path';
import { app, BrowserWindow, dialog, type WebContents } from 'electron';

/** A modal "Save as" for a PDF, starting in the user's documents folder; `null` on cancel. */
export async function choosePdfPath(sender: WebContents, suggestedName: string): Promise<string | null> {
  const options = {
    title: 'Save letter as PDF',
    defaultPath: path.join(app.getPath('documents'), suggestedName),
    filters: [{ name: 'PDF', extensions: ['pdf'] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'] as ('createDirectory' | 'showOverwriteConfirmation')[],
  };
  const window = BrowserWindow.fromWebContents(sender);
  const result = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
  return result.canceled || !result.filePath ? null : result.filePath;
}
