/**
 * Looks for patient data at rest in a browser profile: every file under the folder (nothing
 * skipped), for each needle as UTF-8, Latin-1 and UTF-16LE. V8 serialises one-byte strings
 * (IndexedDB values) as Latin-1, which differs from UTF-8 for "Zoë"; other strings, and
 * localStorage values, as UTF-16LE. Symbolic links are not followed; their targets are
 * searched as text.
 *
 * LevelDB files (IndexedDB, localStorage) are searched raw and also decoded
 * (`leveldb-views.ts`): Snappy-compressed table blocks hide a repeated substring such as an
 * NHS number's "999", and log records are cut at 32 KiB boundaries. Not decoded: a value
 * Chromium itself compressed inside IndexedDB (not seen with this Chromium), SQLite overflow
 * pages, and gzip-encoded bodies in Cache Storage (the service does not compress).
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import type { Change } from '../../../shared/contract';
import { formatNhsNumber } from '../../../shared/domain/nhs-number';
import { levelDbViews } from './leveldb-views';
import { allChanges } from './service-instance';

export type NeedleEncoding = 'utf8' | 'latin1' | 'utf16le';

export interface PlaintextHit {
  /** Path relative to the searched folder. */
  file: string;
  needle: string;
  encoding: NeedleEncoding;
  /** Found in the file's bytes as they are, or only once LevelDB's encoding was undone. */
  view: 'raw' | 'leveldb-table' | 'leveldb-log';
}

function* files(root: string, dir = root): Generator<string> {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // removed while we walked (a running browser)
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) yield* files(root, full);
    else yield full;
  }
}

function contents(file: string): Buffer | null {
  try {
    if (lstatSync(file).isSymbolicLink()) return Buffer.from(readlinkSync(file), 'utf8');
    return readFileSync(file);
  } catch {
    return null; // gone, or a socket
  }
}

/** Each needle's distinct byte patterns (Latin-1 is UTF-8 for ASCII; Latin-1 cannot encode "Łukasz"). */
function patterns(needles: readonly string[]): Array<{ needle: string; encoding: NeedleEncoding; bytes: Buffer }> {
  return needles
    .filter((n) => n.length > 0)
    .flatMap((needle) => {
      const utf8 = Buffer.from(needle, 'utf8');
      const latin1 = Buffer.from(needle, 'latin1');
      const latin1Exact = latin1.toString('latin1') === needle && !latin1.equals(utf8);
      return [
        { needle, encoding: 'utf8' as const, bytes: utf8 },
        ...(latin1Exact ? [{ needle, encoding: 'latin1' as const, bytes: latin1 }] : []),
        { needle, encoding: 'utf16le' as const, bytes: Buffer.from(needle, 'utf16le') },
      ];
    });
}

export function findPlaintext(dir: string, needles: readonly string[]): PlaintextHit[] {
  const wanted = patterns(needles);
  const hits: PlaintextHit[] = [];
  for (const file of files(dir)) {
    const raw = contents(file);
    if (!raw) continue;
    const views = [{ kind: 'raw' as const, bytes: raw }, ...levelDbViews(path.basename(file), raw)];
    for (const p of wanted) {
      const view = views.find((v) => v.bytes.includes(p.bytes));
      if (view) hits.push({ file: path.relative(dir, file), needle: p.needle, encoding: p.encoding, view: view.kind });
    }
  }
  return hits;
}

export async function demoPatientNeedles(url: string, token: string): Promise<string[]> {
  const needles = new Set<string>();
  const referrals = (await allChanges(url, token)).filter((c): c is Extract<Change, { type: 'referral'; deleted?: false }> => c.type === 'referral' && !c.deleted);
  for (const { data } of referrals) {
    const { name, nhsNumber } = data.patient;
    needles.add(name.family);
    needles.add(`${name.given} ${name.family}`);
    needles.add(nhsNumber);
    needles.add(formatNhsNumber(nhsNumber));
  }
  return [...needles];
}
