import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InvokeEventLike, IpcRejected, makeIpcHandler } from '../../electron/main/ipc';
import { LETTER_PDF_OPTIONS, saveLetterPdf, withPdfExtension, type PdfPrinter } from '../../electron/main/letter-pdf';
import { IPC, SaveLetterPdfRequest } from '../../shared/bridge';

/** A fake sender: a page that "prints" to fixed bytes and records how it was asked. */
interface FakeEvent extends InvokeEventLike {
  readonly sender: PdfPrinter & { calls: unknown[] };
}

const PDF_BYTES = new TextEncoder().encode('%PDF-1.7\n% a letter\n%%EOF\n');

function fakeEvent(url = 'loupe://app/index.html', parent: unknown = null): FakeEvent {
  const calls: unknown[] = [];
  return {
    senderFrame: { url, parent },
    sender: {
      calls,
      printToPDF: async (options) => {
        calls.push(options);
        return PDF_BYTES;
      },
    },
  };
}

describe('saveLetterPdf bridge call', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'loupe-letter-pdf-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The handler as main registers it, with a dialog that answers `answer` and records the offer. */
  function handler(answer: (suggested: string) => string | null) {
    const offered: string[] = [];
    const h = makeIpcHandler<'saveLetterPdf', FakeEvent>('saveLetterPdf', (request, event) =>
      saveLetterPdf(request, event.sender, {
        choosePath: async (name) => {
          offered.push(name);
          return answer(name);
        },
      }),
    );
    return { h, offered };
  }

  it('prints the sender page as A4 with backgrounds and writes exactly those bytes to the chosen path', async () => {
    const target = path.join(dir, 'chosen.pdf');
    const { h, offered } = handler(() => target);
    const event = fakeEvent();
    expect(await h(event, { suggestedName: 'advice-letter-9990000018.pdf' })).toEqual({ saved: true, path: target });
    expect(offered).toEqual(['advice-letter-9990000018.pdf']);
    expect(event.sender.calls).toEqual([{ printBackground: true, pageSize: 'A4' }]);
    expect(new Uint8Array(await readFile(target))).toEqual(PDF_BYTES);
    if (process.platform !== 'win32') expect((await stat(target)).mode & 0o077).toBe(0); // names a patient
  });

  it('adds .pdf when the dialog dropped it', async () => {
    const { h } = handler(() => path.join(dir, 'no-extension'));
    expect(await h(fakeEvent(), { suggestedName: 'letter.pdf' })).toEqual({ saved: true, path: path.join(dir, 'no-extension.pdf') });
    expect(withPdfExtension('/a/b.PDF')).toBe('/a/b.PDF');
  });

  it('answers saved:false on cancel, without printing or writing', async () => {
    const { h } = handler(() => null);
    const event = fakeEvent();
    expect(await h(event, { suggestedName: 'letter.pdf' })).toEqual({ saved: false });
    expect(event.sender.calls).toEqual([]);
  });

  it.each([
    ['another origin', fakeEvent('https://evil.example/')],
    ['a sub-frame', fakeEvent('loupe://app/index.html', {})],
    ['a destroyed frame', { ...fakeEvent(), senderFrame: null }],
  ])('refuses %s before asking or printing', async (_label, event: FakeEvent) => {
    const { h, offered } = handler(() => path.join(dir, 'never.pdf'));
    await expect(h(event, { suggestedName: 'letter.pdf' })).rejects.toBeInstanceOf(IpcRejected);
    expect(offered).toEqual([]);
    expect(event.sender.calls).toEqual([]);
  });

  it.each([
    [[]],
    [[{}]],
    [['letter.pdf']],
    [[{ suggestedName: '../../.bashrc.pdf' }]],
    [[{ suggestedName: '/etc/cron.d/x.pdf' }]],
    [[{ suggestedName: 'C:\\Users\\x.pdf' }]],
    [[{ suggestedName: 'letter.exe' }]],
    [[{ suggestedName: 'a..pdf' }]],
    [[{ suggestedName: `${'a'.repeat(200)}.pdf` }]],
    [[{ suggestedName: 'letter.pdf', path: '/tmp/x.pdf' }]],
    [[{ suggestedName: 'letter.pdf' }, 'extra']],
  ])('refuses arguments %j', async (args: unknown[]) => {
    const { h, offered } = handler(() => path.join(dir, 'never.pdf'));
    await expect(h(fakeEvent(), ...args)).rejects.toBeInstanceOf(IpcRejected);
    expect(offered).toEqual([]);
  });

  it('has the contract the preload parses', () => {
    expect(IPC.saveLetterPdf.channel).toBe('loupe:letter-pdf-save');
    expect(SaveLetterPdfRequest.safeParse({ suggestedName: 'patient-letter-9990000018.pdf' }).success).toBe(true);
    expect(IPC.saveLetterPdf.result.safeParse({ saved: true, path: '/home/u/letter.pdf' }).success).toBe(true);
    expect(IPC.saveLetterPdf.result.safeParse({ saved: 'yes' }).success).toBe(false);
    expect(LETTER_PDF_OPTIONS).toEqual({ printBackground: true, pageSize: 'A4' });
  });
});

describe('letter-pdf module boundary', () => {
  it('imports no electron (the edge is save-dialog.ts and index.ts)', async () => {
    const source = await readFile(path.resolve('electron/main/letter-pdf.ts'), 'utf8');
    expect(source).not.toMatch(/from ['"]electron['"]|require\(['"]electron['"]\)/);
  });
});
