import { z } from 'zod';
import { AnnotationShape, type Annotation } from './contract/annotation';
import { Text } from './contract/common';

/**
 * Loupe annotations as W3C Web Annotations (https://www.w3.org/TR/annotation-model/), so a
 * clinician's markings can leave the workstation (research export, another viewer such as
 * Annotorious) and come back. Only what Loupe itself emits is read back: a clinical tool should
 * refuse a shape it cannot represent faithfully rather than import an approximation of it.
 *
 * Rectangles use a media-fragment `xywh=pixel:` selector, which every Web Annotation client
 * understands; everything else is a one-element SVG. Coordinates are written with String(n), the
 * shortest text that reads back as the same double, so export → import is exact. (Media
 * Fragments strictly allows only integers after `pixel:`; Annotorious and others write fractions
 * there too, and rounding would move a clinician's outline.)
 */

export const ANNO_CONTEXT = 'http://www.w3.org/ns/anno.jsonld';
export const MEDIA_FRAGMENTS = 'http://www.w3.org/TR/media-frags/';
export const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * Large enough for the contract's 5000-point freehand written at full double precision, small
 * enough that a hostile document cannot make the parser chew on megabytes.
 */
const MAX_SELECTOR_CHARS = 400_000;

export class WebAnnotationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebAnnotationError';
  }
}

export interface WebAnnotationTextualBody {
  readonly type: 'TextualBody';
  readonly value: string;
  readonly purpose: 'commenting' | 'tagging';
  readonly format: 'text/plain';
}

export type WebAnnotationSelector =
  | { readonly type: 'FragmentSelector'; readonly conformsTo: typeof MEDIA_FRAGMENTS; readonly value: string }
  | { readonly type: 'SvgSelector'; readonly value: string };

export interface WebAnnotation {
  readonly '@context': typeof ANNO_CONTEXT;
  readonly id: string;
  readonly type: 'Annotation';
  readonly created: string;
  readonly modified: string;
  readonly creator: { readonly id: string; readonly type: 'Person'; readonly name: string };
  /** Always an array (possibly empty) so consumers need not handle the single-object form. */
  readonly body: readonly WebAnnotationTextualBody[];
  readonly target: { readonly source: string; readonly selector: WebAnnotationSelector };
}

/** What an imported annotation contributes to an `AnnotationPayload`. */
export interface ImportedAnnotation {
  shape: AnnotationShape;
  label?: string;
  note?: string;
}

// ---------------------------------------------------------------------------------------------
// Export

/** Only numbers ever reach the SVG text, so nothing in it needs escaping. */
function shapeToSelector(shape: AnnotationShape): WebAnnotationSelector {
  const n = (v: number): string => String(v);
  const pointList = (points: readonly { x: number; y: number }[]): string => points.map((p) => `${n(p.x)},${n(p.y)}`).join(' ');
  const svg = (element: string): WebAnnotationSelector => ({ type: 'SvgSelector', value: `<svg xmlns="${SVG_NS}">${element}</svg>` });
  switch (shape.kind) {
    case 'rect':
      return {
        type: 'FragmentSelector',
        conformsTo: MEDIA_FRAGMENTS,
        value: `xywh=pixel:${n(shape.x)},${n(shape.y)},${n(shape.width)},${n(shape.height)}`,
      };
    case 'point':
      // A zero-radius circle is the SVG idiom for a bare position; `r="0"` is what tells it
      // apart from a real circle on the way back in.
      return svg(`<circle cx="${n(shape.at.x)}" cy="${n(shape.at.y)}" r="0"/>`);
    case 'line':
      return svg(`<line x1="${n(shape.from.x)}" y1="${n(shape.from.y)}" x2="${n(shape.to.x)}" y2="${n(shape.to.y)}"/>`);
    case 'ellipse':
      return svg(`<ellipse cx="${n(shape.center.x)}" cy="${n(shape.center.y)}" rx="${n(shape.rx)}" ry="${n(shape.ry)}"/>`);
    case 'polygon':
      return svg(`<polygon points="${pointList(shape.points)}"/>`);
    case 'freehand':
      // A polyline, not a polygon: a freehand stroke is open, and closing it on export would
      // change what the clinician drew.
      return svg(`<polyline points="${pointList(shape.points)}"/>`);
  }
}

export function toWebAnnotation(annotation: Annotation, imageUri: string): WebAnnotation {
  if (imageUri.trim() === '') throw new WebAnnotationError('The image URI for the annotation target is empty.');
  // The type says the shape is valid, but a stored record could predate a contract change; a
  // NaN written into the SVG would make a document nobody can read back.
  const shape = AnnotationShape.safeParse(annotation.shape);
  if (!shape.success) {
    throw new WebAnnotationError(`Annotation ${annotation.id} has an invalid shape:\n${z.prettifyError(shape.error)}`);
  }
  const body: WebAnnotationTextualBody[] = [];
  if (annotation.label !== null && annotation.label !== '') {
    body.push({ type: 'TextualBody', value: annotation.label, purpose: 'tagging', format: 'text/plain' });
  }
  if (annotation.note !== null && annotation.note !== '') {
    body.push({ type: 'TextualBody', value: annotation.note, purpose: 'commenting', format: 'text/plain' });
  }
  return {
    '@context': ANNO_CONTEXT,
    id: `urn:uuid:${annotation.id}`,
    type: 'Annotation',
    created: annotation.createdAt,
    modified: annotation.updatedAt,
    creator: { id: `urn:uuid:${annotation.author.id}`, type: 'Person', name: annotation.author.name },
    body,
    target: { source: imageUri, selector: shapeToSelector(shape.data) },
  };
}

// ---------------------------------------------------------------------------------------------
// Import: schemas

/** JSON-LD allows a single value or an array for both `@context` and `type`. */
const includesValue = (expected: string) => (v: unknown) => v === expected || (Array.isArray(v) && v.includes(expected));

const TextFormat = z.literal('text/plain', { error: 'only plain-text bodies (format "text/plain") are read' }).optional();

const TagBody = z.object({
  type: z.literal('TextualBody'),
  purpose: z.literal('tagging'),
  value: Text(200),
  format: TextFormat,
});
const CommentBody = z.object({
  type: z.literal('TextualBody'),
  purpose: z.literal('commenting'),
  value: Text(2000),
  format: TextFormat,
});
const Body = z.discriminatedUnion('purpose', [TagBody, CommentBody], {
  error: 'each body must be a TextualBody with purpose "tagging" (the label) or "commenting" (the note)',
});

const FragmentSelector = z.object({
  type: z.literal('FragmentSelector'),
  conformsTo: z.literal(MEDIA_FRAGMENTS, { error: `a FragmentSelector must conform to ${MEDIA_FRAGMENTS}` }).optional(),
  value: z.string().max(MAX_SELECTOR_CHARS),
});
const SvgSelector = z.object({
  type: z.literal('SvgSelector'),
  value: z.string().max(MAX_SELECTOR_CHARS),
});
const Selector = z.discriminatedUnion('type', [FragmentSelector, SvgSelector], {
  error: 'the selector must be a FragmentSelector (xywh=) or an SvgSelector',
});

const Target = z.object(
  {
    type: z.literal('SpecificResource').optional(),
    source: z.string().min(1),
    selector: Selector,
  },
  { error: 'the target must be a single object with a source and a selector' },
);

export const WebAnnotationInput = z.object({
  '@context': z.unknown().refine(includesValue(ANNO_CONTEXT), { error: `@context must be "${ANNO_CONTEXT}"` }),
  type: z.unknown().refine(includesValue('Annotation'), { error: 'type must be "Annotation"' }),
  id: z.string().min(1).optional(),
  // Normalised to an array before validation so a bad body reports its own error, which a
  // `Body | Body[]` union would swallow into "Invalid input".
  body: z.preprocess((v) => (v === undefined || Array.isArray(v) ? v : [v]), z.array(Body).optional()),
  target: Target,
});

// ---------------------------------------------------------------------------------------------
// Import: selector values

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function parseNumber(raw: string, what: string): number {
  const text = raw.trim();
  const value = NUMBER.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value)) throw new WebAnnotationError(`${what} is not a finite number: "${clip(raw)}".`);
  return value;
}

function parseFragment(value: string): AnnotationShape {
  if (/^xywh=percent:/.test(value)) {
    throw new WebAnnotationError('The FragmentSelector uses percent; only pixel rectangles (xywh=pixel:x,y,w,h) are read.');
  }
  const m = /^xywh=(?:pixel:)?([^,]*),([^,]*),([^,]*),([^,]*)$/.exec(value);
  if (!m) throw new WebAnnotationError(`The FragmentSelector value is not "xywh=pixel:x,y,w,h": "${clip(value)}".`);
  const [, x = '', y = '', width = '', height = ''] = m;
  return {
    kind: 'rect',
    x: parseNumber(x, 'The rectangle x'),
    y: parseNumber(y, 'The rectangle y'),
    width: parseNumber(width, 'The rectangle width'),
    height: parseNumber(height, 'The rectangle height'),
  };
}

/** The attributes each element must carry, no more and no fewer. */
const SHAPE_ATTRIBUTES = {
  circle: ['cx', 'cy', 'r'],
  line: ['x1', 'y1', 'x2', 'y2'],
  ellipse: ['cx', 'cy', 'rx', 'ry'],
  polygon: ['points'],
  polyline: ['points'],
} as const satisfies Record<string, readonly string[]>;
type ShapeElement = keyof typeof SHAPE_ATTRIBUTES;

const isShapeElement = (name: string): name is ShapeElement => Object.hasOwn(SHAPE_ATTRIBUTES, name);

/**
 * `name="value"` pairs, double-quoted as Loupe writes them. A sticky regex walked along the text
 * keeps the work linear whatever the input, and anything between attributes that is not one
 * (an unquoted value, a stray `>`) is an error rather than silently skipped.
 */
function parseAttributes(source: string, element: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const attribute = /\s+([A-Za-z_:][\w:.-]*)\s*=\s*"([^"]*)"/y;
  let at = 0;
  while (at < source.length) {
    attribute.lastIndex = at;
    const m = attribute.exec(source);
    if (!m) {
      if (source.slice(at).trim() === '') break;
      throw new WebAnnotationError(`The SVG <${element}> element has malformed attributes near "${clip(source.slice(at).trim())}".`);
    }
    const [, name = '', value = ''] = m;
    if (attributes.has(name)) throw new WebAnnotationError(`The SVG <${element}> element repeats the attribute "${name}".`);
    attributes.set(name, value);
    at = attribute.lastIndex;
  }
  return attributes;
}

function parsePoints(raw: string, element: string): { x: number; y: number }[] {
  const text = raw.trim();
  // Splitting on runs of commas and spaces would quietly read "1,,2" as two numbers; an empty
  // token means the list is malformed.
  if (text === '' || text.startsWith(',') || text.endsWith(',') || /,\s*,/.test(text)) {
    throw new WebAnnotationError(`The SVG <${element}> points list is malformed.`);
  }
  const tokens = text.split(/[\s,]+/);
  if (tokens.length % 2 !== 0) {
    throw new WebAnnotationError(`The SVG <${element}> points list has an odd number of coordinates (${tokens.length}).`);
  }
  const points: { x: number; y: number }[] = [];
  for (let i = 0; i < tokens.length; i += 2) {
    points.push({
      x: parseNumber(tokens[i] ?? '', `The <${element}> point ${i / 2 + 1} x`),
      y: parseNumber(tokens[i + 1] ?? '', `The <${element}> point ${i / 2 + 1} y`),
    });
  }
  return points;
}

function shapeFromElement(element: ShapeElement, attributes: Map<string, string>): AnnotationShape {
  const allowed: readonly string[] = SHAPE_ATTRIBUTES[element];
  for (const name of attributes.keys()) {
    if (!allowed.includes(name)) {
      throw new WebAnnotationError(`The SVG <${element}> element has the attribute "${clip(name)}", which Loupe does not read (expected ${allowed.join(', ')}).`);
    }
  }
  const num = (name: string): number => {
    const raw = attributes.get(name);
    if (raw === undefined) throw new WebAnnotationError(`The SVG <${element}> element is missing the attribute "${name}".`);
    return parseNumber(raw, `The <${element}> attribute ${name}`);
  };
  const points = (): { x: number; y: number }[] => {
    const raw = attributes.get('points');
    if (raw === undefined) throw new WebAnnotationError(`The SVG <${element}> element is missing the attribute "points".`);
    return parsePoints(raw, element);
  };
  switch (element) {
    case 'circle': {
      const at = { x: num('cx'), y: num('cy') };
      if (num('r') !== 0) {
        throw new WebAnnotationError('The SVG <circle> has a non-zero radius; Loupe reads only r="0" circles (points). Draw a circle as an <ellipse>.');
      }
      return { kind: 'point', at };
    }
    case 'line':
      return { kind: 'line', from: { x: num('x1'), y: num('y1') }, to: { x: num('x2'), y: num('y2') } };
    case 'ellipse':
      return { kind: 'ellipse', center: { x: num('cx'), y: num('cy') }, rx: num('rx'), ry: num('ry') };
    case 'polygon':
      return { kind: 'polygon', points: points() };
    case 'polyline':
      return { kind: 'freehand', points: points() };
  }
}

/**
 * Reads back exactly the one-element documents `shapeToSelector` writes (attribute order and
 * white space may differ; `<x/>` and `<x></x>` are both accepted). No DOMParser: this runs in
 * the service too, and a real SVG parser would accept far more than Loupe can represent.
 */
function parseSvg(value: string): AnnotationShape {
  const doc = /^<svg(\s[^<>]*)?>([\s\S]*)<\/svg\s*>$/.exec(value.trim());
  if (!doc) throw new WebAnnotationError('The SvgSelector value is not a single <svg>…</svg> document.');
  const [, svgAttributeText = '', inner = ''] = doc;
  for (const [name, attrValue] of parseAttributes(svgAttributeText, 'svg')) {
    if (name !== 'xmlns' || attrValue !== SVG_NS) {
      throw new WebAnnotationError(`The <svg> element has the attribute ${clip(name)}="${clip(attrValue)}"; only xmlns="${SVG_NS}" is allowed.`);
    }
  }

  const el = /^<([A-Za-z][\w-]*)([^<>]*)>([\s\S]*)$/.exec(inner.trim());
  if (!el) throw new WebAnnotationError('The SVG must contain exactly one shape element (circle, line, ellipse, polygon or polyline).');
  const [, name = '', rawAttributes = '', rest = ''] = el;
  if (!isShapeElement(name)) {
    throw new WebAnnotationError(`The SVG element <${clip(name)}> is not a shape Loupe reads (expected circle, line, ellipse, polygon or polyline).`);
  }
  const selfClosing = rawAttributes.endsWith('/');
  const attributeText = selfClosing ? rawAttributes.slice(0, -1) : rawAttributes;
  const trailing = rest.trim();
  const closedProperly = selfClosing ? trailing === '' : new RegExp(`^</${name}\\s*>$`).test(trailing);
  if (!closedProperly) {
    throw new WebAnnotationError(`The SVG must contain exactly one <${name}> element and nothing else.`);
  }
  return shapeFromElement(name, parseAttributes(attributeText, name));
}

// ---------------------------------------------------------------------------------------------
// Import

/**
 * A Web Annotation (already JSON-parsed) → the shape, label and note of an `AnnotationPayload`.
 * Throws a WebAnnotationError naming what is wrong for anything Loupe did not, or could not,
 * have written.
 */
export function fromWebAnnotation(json: unknown): ImportedAnnotation {
  const parsed = WebAnnotationInput.safeParse(json);
  if (!parsed.success) {
    throw new WebAnnotationError(`Not a Web Annotation Loupe can read:\n${z.prettifyError(parsed.error)}`);
  }
  const anno = parsed.data;

  const bodies = anno.body ?? [];
  const tags = bodies.filter((b) => b.purpose === 'tagging');
  const comments = bodies.filter((b) => b.purpose === 'commenting');
  // A Loupe annotation has one label and one note; keeping the first of several would drop
  // clinical text without anyone noticing.
  if (tags.length > 1) throw new WebAnnotationError(`The annotation has ${tags.length} tagging bodies; Loupe keeps one label.`);
  if (comments.length > 1) throw new WebAnnotationError(`The annotation has ${comments.length} commenting bodies; Loupe keeps one note.`);

  const selector = anno.target.selector;
  const candidate = selector.type === 'FragmentSelector' ? parseFragment(selector.value) : parseSvg(selector.value);
  const shape = AnnotationShape.safeParse(candidate);
  if (!shape.success) {
    throw new WebAnnotationError(`The selector describes a shape Loupe cannot store:\n${z.prettifyError(shape.error)}`);
  }

  const result: ImportedAnnotation = { shape: shape.data };
  const label = tags[0]?.value;
  const note = comments[0]?.value;
  if (label !== undefined) result.label = label;
  if (note !== undefined) result.note = note;
  return result;
}
