/**
 * Diagnoses the outcome form offers: the SNOMED CT term list in resources/terms/diagnoses.json,
 * each entry marked verified (from a DICOM value set) or not, and a ranked type-ahead over
 * terms and synonyms. A free-text diagnosis is always allowed; this list only saves typing
 * and adds a code where one fits. Pure: no DOM, no Node.
 */
import { z } from 'zod';
import data from '../resources/terms/diagnoses.json';

export const SNOMED_CT = 'http://snomed.info/sct' as const;

export const DiagnosisTerm = z.strictObject({
  code: z.string().regex(/^\d{6,18}$/, 'a SNOMED CT concept id has 6 to 18 digits'),
  term: z.string().min(1).max(200),
  synonyms: z.array(z.string().min(1).max(200)),
  /** True only when the code was checked against a public value set named in `source`. */
  verified: z.boolean(),
  source: z.string().min(1),
});
export type DiagnosisTerm = z.infer<typeof DiagnosisTerm>;

export const DiagnosisTerms = z
  .strictObject({ system: z.literal(SNOMED_CT), about: z.string(), terms: z.array(DiagnosisTerm).min(1) })
  .superRefine((t, ctx) => {
    const codes = t.terms.map((d) => d.code);
    if (new Set(codes).size !== codes.length) ctx.addIssue({ code: 'custom', message: 'diagnosis codes must be unique' });
    const names = t.terms.map((d) => d.term.toLowerCase());
    if (new Set(names).size !== names.length) ctx.addIssue({ code: 'custom', message: 'diagnosis terms must be unique' });
  });

/** The parsed list (throws at load if the resource is malformed: a bad list must not ship). */
export const DIAGNOSIS_TERMS: readonly DiagnosisTerm[] = DiagnosisTerms.parse(data).terms;

const BY_CODE = new Map(DIAGNOSIS_TERMS.map((t) => [t.code, t]));

export function diagnosisByCode(code: string | undefined): DiagnosisTerm | undefined {
  return code === undefined ? undefined : BY_CODE.get(code);
}

/** Lower case, accents and punctuation folded, so "naevus" and "Naevus," compare equal. */
function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

export interface DiagnosisMatch {
  readonly term: DiagnosisTerm;
  /** The synonym that matched, when it was not the term itself (shown beside the term). */
  readonly via: string | null;
  readonly score: number;
}

/**
 * How well one name matches the query, 0 for not at all: the whole name, then its start, then
 * a word's start, then every query word starting some word. Higher is better.
 */
function nameScore(name: string, query: string, queryWords: readonly string[]): number {
  const n = fold(name);
  if (n === query) return 100;
  if (n.startsWith(query)) return 80;
  const words = n.split(' ');
  if (words.some((w) => w.startsWith(query))) return 60;
  if (queryWords.length > 1 && queryWords.every((q) => words.some((w) => w.startsWith(q)))) return 40;
  if (query.length >= 3 && n.includes(query)) return 20;
  return 0;
}

/**
 * The terms matching what was typed, best first: the term's own name counts a little more
 * than a synonym, a verified code more than an unverified one, then alphabetical. An empty
 * query answers nothing (the list is not a menu to scroll).
 */
export function searchDiagnoses(query: string, limit = 8, terms: readonly DiagnosisTerm[] = DIAGNOSIS_TERMS): DiagnosisMatch[] {
  const q = fold(query);
  if (!q) return [];
  const qWords = q.split(' ');
  const matches: DiagnosisMatch[] = [];
  for (const term of terms) {
    let best = nameScore(term.term, q, qWords) * 1.1;
    let via: string | null = null;
    for (const synonym of term.synonyms) {
      const s = nameScore(synonym, q, qWords);
      if (s > best) {
        best = s;
        via = synonym;
      }
    }
    if (best > 0) matches.push({ term, via, score: best + (term.verified ? 1 : 0) });
  }
  return matches.sort((a, b) => b.score - a.score || a.term.term.localeCompare(b.term.term)).slice(0, limit);
}
