/**
 * Body sites: the coded term list in resources/body-sites.json (SNOMED CT body structures from
 * DICOM CID 4029 "Dermatology Anatomic Site", else CID 4031/CID 4), and a resolver from the
 * free text a GP types ("left lower leg (anterior shin)") to a coded site plus laterality.
 * Laterality is kept apart from the site, as DICOM does (CID 244). Pure: no DOM, no Node.
 */
import { z } from 'zod';
import data from '../resources/body-sites.json';

/** A point on the body-map figure: x across 0–100, y down 0–200. */
export const MapPoint = z.object({ x: z.number().min(0).max(100), y: z.number().min(0).max(200) });
export type MapPoint = z.infer<typeof MapPoint>;

export type MapView = 'front' | 'back';
export type Laterality = 'left' | 'right' | 'bilateral';

const SnomedCode = z.string().regex(/^\d{6,18}$/, 'a SNOMED CT concept id has 6 to 18 digits');

export const BodySite = z
  .object({
    /** Display term ("Back of hand"). */
    term: z.string().min(1),
    /** SNOMED CT concept id, or null when no code could be verified (see `note`). */
    code: SnomedCode.nullable(),
    /** The code's meaning as the source gives it ("Skin of part of dorsal surface of hand"). */
    meaning: z.string().min(1).nullable(),
    /** Where the code was checked: value set and repository/path. */
    verified: z.string().min(1).nullable(),
    /** Whether left/right applies. */
    lateral: z.boolean(),
    /** A sided site that straddles the midline (chest, back): with no side given it sits on the midline. */
    midline: z.boolean(),
    view: z.enum(['front', 'back', 'both']),
    /** Map positions; for lateral sites, the patient's right. */
    front: MapPoint.optional(),
    back: MapPoint.optional(),
    /** Lower-case phrases a GP might type. */
    synonyms: z.array(z.string().min(1)),
    note: z.string().min(1).optional(),
  })
  .superRefine((s, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message: `${s.term}: ${message}` });
    if (s.code !== null && (s.meaning === null || s.verified === null)) fail('a code needs its meaning and where it was verified');
    if (s.code === null && !s.note) fail('a site without a code needs a note saying why');
    if ((s.view !== 'back') !== Boolean(s.front)) fail('a front position is given exactly when the front view shows the site');
    if ((s.view !== 'front') !== Boolean(s.back)) fail('a back position is given exactly when the back view shows the site');
    if (s.midline && !s.lateral) fail('a midline site is one that may carry a side');
    // The patient's right is on the viewer's left from the front and on the viewer's right from behind.
    if (s.lateral && s.front && s.front.x >= 50) fail("a lateral site's front position is the patient's right (x < 50)");
    if (s.lateral && s.back && s.back.x <= 50) fail("a lateral site's back position is the patient's right (x > 50)");
    for (const synonym of s.synonyms) if (synonym !== synonym.toLowerCase()) fail(`synonym "${synonym}" is not lower case`);
  });
export type BodySite = z.infer<typeof BodySite>;

const LateralityCode = z.object({ code: SnomedCode, meaning: z.string().min(1) });

export const BodySiteTerms = z
  .object({
    source: z.string().min(1),
    laterality: z.object({ right: LateralityCode, left: LateralityCode, bilateral: LateralityCode, verified: z.string().min(1) }),
    sites: z.array(BodySite).min(1),
  })
  .superRefine((t, ctx) => {
    const codes = t.sites.flatMap((s) => (s.code ? [s.code] : []));
    if (new Set(codes).size !== codes.length) ctx.addIssue({ code: 'custom', message: 'site codes must be unique' });
    const terms = t.sites.map((s) => s.term.toLowerCase());
    if (new Set(terms).size !== terms.length) ctx.addIssue({ code: 'custom', message: 'site terms must be unique' });
  });
export type BodySiteTerms = z.infer<typeof BodySiteTerms>;

/** The parsed term list (throws at load if resources/body-sites.json is malformed). */
export const BODY_SITE_TERMS: BodySiteTerms = BodySiteTerms.parse(data);
export const BODY_SITES: readonly BodySite[] = BODY_SITE_TERMS.sites;

export interface ResolvedSite {
  site: BodySite;
  /** Null when no side was given, or the site has no sides. */
  laterality: Laterality | null;
}

// ---------------------------------------------------------------------------------------------
// Free text to tokens

/** Words that carry no place: dropped from both the typed text and the term list. */
const FILLER = new Set(['a', 'an', 'the', 'of', 'on', 'in', 'at', 'to', 'and', 'skin', 'region', 'area', 'surface', 'aspect', 'part', 'sided']);
const LEFT = new Set(['left', 'lt', 'l']);
const RIGHT = new Set(['right', 'rt', 'r']);
const BOTH = new Set(['bilateral', 'bilaterally', 'both']);
const IRREGULAR: Readonly<Record<string, string>> = { feet: 'foot', calves: 'calf', axillae: 'axilla' };

/** Singular, roughly: "shins" → "shin", "feet" → "foot"; leaves "anus", "glass", "pubis" alone. */
function stem(word: string): string {
  const irregular = IRREGULAR[word];
  if (irregular) return irregular;
  return word.length > 3 && word.endsWith('s') && !/(ss|us|is)$/.test(word) ? word.slice(0, -1) : word;
}

/** Lower case, punctuation to spaces, singular words. */
function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/['\u2019]/g, '')
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .map(stem);
}

/** Parenthetical qualifiers ("(anterior)", "[vertex]") are hints; the rest is the main text. */
function splitHints(text: string): { main: string; hints: string } {
  const hints: string[] = [];
  const main = text.replace(/[([]([^)\]]*)[)\]]?/g, (_, inner: string) => {
    hints.push(inner);
    return ' ';
  });
  return { main, hints: hints.join(' ') };
}

function lateralityOf(tokens: readonly string[]): Laterality | null {
  const left = tokens.some((t) => LEFT.has(t));
  const right = tokens.some((t) => RIGHT.has(t));
  if (tokens.some((t) => BOTH.has(t)) || (left && right)) return 'bilateral';
  return left ? 'left' : right ? 'right' : null;
}

const placeWords = (tokens: readonly string[]): Set<string> =>
  new Set(tokens.filter((t) => !FILLER.has(t) && !LEFT.has(t) && !RIGHT.has(t) && !BOTH.has(t)));

interface Phrase {
  site: BodySite;
  words: ReadonlySet<string>;
}

/** Every term and synonym as a set of place words, in term-list order. */
const PHRASES: readonly Phrase[] = BODY_SITES.flatMap((site) =>
  [splitHints(site.term).main, ...site.synonyms].flatMap((text) => {
    const set = placeWords(words(text));
    return set.size ? [{ site, words: set }] : [];
  }),
);

/**
 * The coded site a GP's free text names, or null when nothing matches. The match is the term or
 * synonym with the most words all present in the text, word order aside ("thigh (anterior)"
 * matches "anterior thigh"). Parenthetical qualifiers refine but do not lead: a match must use a
 * word outside the brackets if any does, and on a tie the one using more of the qualifier wins,
 * so "sole of right foot (heel)" is the heel and "left cheek (near nose)" stays the cheek.
 * Laterality comes from left/right/L/R/bilateral/both anywhere in the text.
 */
export function resolveBodySite(text: string): ResolvedSite | null {
  const { main, hints } = splitHints(text);
  const mainWords = placeWords(words(main));
  const hintWords = placeWords(words(hints));
  let best: { phrase: Phrase; rank: readonly number[] } | null = null;
  for (const phrase of PHRASES) {
    let inMain = 0;
    let inHints = 0;
    let matched = true;
    for (const w of phrase.words) {
      if (mainWords.has(w)) inMain++;
      else if (hintWords.has(w)) inHints++;
      else {
        matched = false;
        break;
      }
    }
    if (!matched) continue;
    const rank = [inMain > 0 ? 1 : 0, phrase.words.size, inHints];
    if (!best || isBetter(rank, best.rank)) best = { phrase, rank };
  }
  if (!best) return null;
  const { site } = best.phrase;
  return { site, laterality: site.lateral ? lateralityOf(words(text)) : null };
}

function isBetter(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Map positions, keys and labels

const mirror = (p: MapPoint): MapPoint => ({ x: 100 - p.x, y: p.y });

/**
 * Where a resolved site goes on one view of the map, or null when that view does not show it or
 * the side is not known (a paired site with no side, or both sides: see `bodyMapPositions`).
 * Positions are stored for the patient's right; the left is mirrored, so a left-sided site is on
 * the viewer's right from the front and on the viewer's left from behind.
 */
export function bodyMapPosition(resolved: ResolvedSite, view: MapView): MapPoint | null {
  const { site, laterality } = resolved;
  const at = site[view];
  if (!at) return null;
  if (!site.lateral || laterality === 'right') return at;
  if (laterality === 'left') return mirror(at);
  return site.midline ? { x: 50, y: at.y } : null;
}

/** Every marker position for one view: both sides for a bilateral site, none when the side is unknown. */
export function bodyMapPositions(resolved: ResolvedSite, view: MapView): MapPoint[] {
  const at = resolved.site[view];
  if (at && resolved.site.lateral && resolved.laterality === 'bilateral') return [at, mirror(at)];
  const one = bodyMapPosition(resolved, view);
  return one ? [one] : [];
}

/** A stable key for grouping and filtering: `"<code or term>|<laterality or none>"`. */
export function siteKey(resolved: ResolvedSite): string {
  return `${resolved.site.code ?? resolved.site.term}|${resolved.laterality ?? 'none'}`;
}

/** "Left temple", "Back of right hand", "Behind the left ear", "Left side of neck", "Back, left side", "Shin, both sides". */
export function siteLabel(resolved: ResolvedSite): string {
  const { site, laterality } = resolved;
  if (!laterality) return site.term;
  if (laterality === 'bilateral') return `${site.term}, both sides`;
  const side = laterality === 'left' ? 'left' : 'right';
  // "Back of hand" → "Back of left hand", "Around the eye" → "Around the left eye"; but "Side of
  // neck" → "Left side of neck", and a midline site takes the side after it.
  const of = /^(.* (?:of|the) )(.+)$/.exec(site.term);
  if (site.midline) return of ? `${site.term}, ${side} side` : `${capitalise(side)} ${lowerFirst(site.term)}`;
  if (of && !/^side of /i.test(site.term)) return `${of[1]}${side} ${of[2]}`;
  return `${capitalise(side)} ${lowerFirst(site.term)}`;
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/** One row of a body map: the images that share a site and side. */
export interface BodySiteSummary {
  key: string;
  label: string;
  resolved: ResolvedSite | null;
  imageCount: number;
}

function keyed(text: string): { key: string; resolved: ResolvedSite | null } {
  const resolved = resolveBodySite(text);
  return { key: resolved ? siteKey(resolved) : `text|${words(text).join(' ')}`, resolved };
}

/** The key for an image's free-text site; text that resolves to nothing keys on its own words. */
export function bodySiteKey(text: string): string {
  return keyed(text).key;
}

/** Images' free-text sites grouped by coded site and side, in order of first appearance. */
export function summariseBodySites(texts: readonly string[]): BodySiteSummary[] {
  const byKey = new Map<string, BodySiteSummary>();
  for (const text of texts) {
    const { key, resolved } = keyed(text);
    const known = byKey.get(key);
    if (known) known.imageCount++;
    else byKey.set(key, { key, label: resolved ? siteLabel(resolved) : text.trim(), resolved, imageCount: 1 });
  }
  return [...byKey.values()];
}
