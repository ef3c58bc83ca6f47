import { describe, expect, it } from 'vitest';
import { Annotation, AnnotationShape } from '../../shared/contract/annotation';
import {
  ANNO_CONTEXT,
  MEDIA_FRAGMENTS,
  WebAnnotationError,
  fromWebAnnotation,
  toWebAnnotation,
} from '../../shared/annotation-w3c';

const IMAGE_URI = 'https://loupe.example.nhs.uk/api/v1/images/5b1f3c1e-8a2d-4e0f-9c3b-7d6e5f4a3b2c';

function annotation(shape: AnnotationShape, label: string | null = null, note: string | null = null): Annotation {
  return Annotation.parse({
    id: '0b8f9a4e-3d7c-4c56-9a3a-1f2e3d4c5b6a',
    imageId: '5b1f3c1e-8a2d-4e0f-9c3b-7d6e5f4a3b2c',
    referralId: '9d2e4f6a-1b3c-4d5e-8f7a-6b5c4d3e2f1a',
    version: 3,
    shape,
    label,
    note,
    author: { id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', name: 'Dr Ada Okafor', role: 'consultant' },
    createdAt: '2025-03-04T09:15:00.000Z',
    updatedAt: '2025-03-05T16:40:12.500Z',
  });
}

const shapes: Record<AnnotationShape['kind'], AnnotationShape> = {
  point: { kind: 'point', at: { x: 1234.5, y: 0.1 } },
  line: { kind: 'line', from: { x: 10, y: 20.000000000000004 }, to: { x: 3000.125, y: 1e-7 } },
  rect: { kind: 'rect', x: 0, y: 17.3, width: 0.30000000000000004, height: 5000 },
  ellipse: { kind: 'ellipse', center: { x: 800, y: 600.75 }, rx: 1 / 3, ry: 123.456789 },
  polygon: {
    kind: 'polygon',
    points: [
      { x: 0, y: 0 },
      { x: 100.5, y: 2 / 3 },
      { x: 50, y: 86.60254037844386 },
    ],
  },
  freehand: {
    kind: 'freehand',
    points: [
      { x: 5, y: 5 },
      { x: 6.25, y: 7 },
      { x: 9.1, y: 12345678.9 },
      { x: Number.MAX_SAFE_INTEGER, y: 1e21 },
    ],
  },
};

/** A plain JSON copy, as the annotation would be after export to a file and back. */
const viaJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

function svgAnnotation(svg: string): unknown {
  return { '@context': ANNO_CONTEXT, type: 'Annotation', target: { source: IMAGE_URI, selector: { type: 'SvgSelector', value: svg } } };
}
function fragmentAnnotation(value: string): unknown {
  return { '@context': ANNO_CONTEXT, type: 'Annotation', target: { source: IMAGE_URI, selector: { type: 'FragmentSelector', conformsTo: MEDIA_FRAGMENTS, value } } };
}

describe('toWebAnnotation', () => {
  it('writes the Web Annotation envelope', () => {
    const w = toWebAnnotation(annotation(shapes.line, 'Lesion A', 'Irregular border, review in 3 months'), IMAGE_URI);
    expect(w['@context']).toBe('http://www.w3.org/ns/anno.jsonld');
    expect(w.type).toBe('Annotation');
    expect(w.id).toBe('urn:uuid:0b8f9a4e-3d7c-4c56-9a3a-1f2e3d4c5b6a');
    expect(w.created).toBe('2025-03-04T09:15:00.000Z');
    expect(w.modified).toBe('2025-03-05T16:40:12.500Z');
    expect(w.creator).toEqual({ id: 'urn:uuid:a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', type: 'Person', name: 'Dr Ada Okafor' });
    expect(w.body).toEqual([
      { type: 'TextualBody', value: 'Lesion A', purpose: 'tagging', format: 'text/plain' },
      { type: 'TextualBody', value: 'Irregular border, review in 3 months', purpose: 'commenting', format: 'text/plain' },
    ]);
    expect(w.target.source).toBe(IMAGE_URI);
  });

  it('writes an empty body array when there is no label or note', () => {
    expect(toWebAnnotation(annotation(shapes.point), IMAGE_URI).body).toEqual([]);
  });

  it('uses a media-fragment selector for a rectangle', () => {
    const w = toWebAnnotation(annotation({ kind: 'rect', x: 10, y: 20.5, width: 300, height: 40 }), IMAGE_URI);
    expect(w.target.selector).toEqual({ type: 'FragmentSelector', conformsTo: 'http://www.w3.org/TR/media-frags/', value: 'xywh=pixel:10,20.5,300,40' });
  });

  it('uses a one-element SVG for every other kind', () => {
    const svg = (shape: AnnotationShape) => toWebAnnotation(annotation(shape), IMAGE_URI).target.selector;
    const ns = '<svg xmlns="http://www.w3.org/2000/svg">';
    expect(svg({ kind: 'point', at: { x: 1, y: 2 } })).toEqual({ type: 'SvgSelector', value: `${ns}<circle cx="1" cy="2" r="0"/></svg>` });
    expect(svg({ kind: 'line', from: { x: 1, y: 2 }, to: { x: 3, y: 4 } }).value).toBe(`${ns}<line x1="1" y1="2" x2="3" y2="4"/></svg>`);
    expect(svg({ kind: 'ellipse', center: { x: 5, y: 6 }, rx: 7, ry: 8 }).value).toBe(`${ns}<ellipse cx="5" cy="6" rx="7" ry="8"/></svg>`);
    expect(svg(shapes.polygon).value).toBe(`${ns}<polygon points="0,0 100.5,0.6666666666666666 50,86.60254037844386"/></svg>`);
    expect(svg({ kind: 'freehand', points: [{ x: 1, y: 2 }, { x: 3, y: 4 }] }).value).toBe(`${ns}<polyline points="1,2 3,4"/></svg>`);
  });

  it('refuses an invalid shape or an empty image URI', () => {
    const bad = { ...annotation(shapes.point), shape: { kind: 'point', at: { x: Number.NaN, y: 0 } } } as Annotation;
    expect(() => toWebAnnotation(bad, IMAGE_URI)).toThrow(WebAnnotationError);
    expect(() => toWebAnnotation(bad, IMAGE_URI)).toThrow(/invalid shape/);
    expect(() => toWebAnnotation(annotation(shapes.point), '  ')).toThrow(/image URI/);
  });
});

describe('round trip', () => {
  for (const [kind, shape] of Object.entries(shapes)) {
    it(`round-trips a ${kind} exactly, without label or note`, () => {
      const back = fromWebAnnotation(viaJson(toWebAnnotation(annotation(shape), IMAGE_URI)));
      expect(back).toEqual({ shape });
      expect(AnnotationShape.parse(back.shape)).toEqual(shape);
    });

    it(`round-trips a ${kind} with label and note`, () => {
      const back = fromWebAnnotation(viaJson(toWebAnnotation(annotation(shape, 'Naevus 2', 'Asymmetric pigment network.\nCompare with 2024.'), IMAGE_URI)));
      expect(back).toEqual({ shape, label: 'Naevus 2', note: 'Asymmetric pigment network.\nCompare with 2024.' });
    });
  }

  it('round-trips a label alone and a note alone', () => {
    expect(fromWebAnnotation(viaJson(toWebAnnotation(annotation(shapes.rect, 'Only a label'), IMAGE_URI)))).toEqual({ shape: shapes.rect, label: 'Only a label' });
    expect(fromWebAnnotation(viaJson(toWebAnnotation(annotation(shapes.rect, null, 'Only a note'), IMAGE_URI)))).toEqual({ shape: shapes.rect, note: 'Only a note' });
  });
});

describe('fromWebAnnotation accepts the other legal spellings of what Loupe writes', () => {
  it('reads a single body object, a @context array, a type array and a SpecificResource target', () => {
    const w = {
      '@context': [ANNO_CONTEXT, { extra: 'http://example.org/' }],
      type: ['Annotation'],
      id: 'https://example.org/anno/1',
      body: { type: 'TextualBody', value: 'Tag', purpose: 'tagging' },
      target: { type: 'SpecificResource', source: IMAGE_URI, selector: { type: 'FragmentSelector', value: 'xywh=1,2,3,4' } },
    };
    expect(fromWebAnnotation(w)).toEqual({ shape: { kind: 'rect', x: 1, y: 2, width: 3, height: 4 }, label: 'Tag' });
  });

  it('reads reordered attributes, white space, an explicit closing tag and no xmlns', () => {
    expect(fromWebAnnotation(svgAnnotation('  <svg>\n  <line y2="4" x1="1"  y1 = "2" x2="3" ></line>\n</svg> '))).toEqual({
      shape: { kind: 'line', from: { x: 1, y: 2 }, to: { x: 3, y: 4 } },
    });
    expect(fromWebAnnotation(svgAnnotation('<svg xmlns="http://www.w3.org/2000/svg"><polygon points=" 0 0, 10 0,10,10 "/></svg>'))).toEqual({
      shape: { kind: 'polygon', points: [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }] },
    });
  });
});

describe('fromWebAnnotation rejects what it cannot represent', () => {
  const reject = (input: unknown, message: RegExp) => {
    expect(() => fromWebAnnotation(input)).toThrow(WebAnnotationError);
    expect(() => fromWebAnnotation(input)).toThrow(message);
  };
  const good = viaJson(toWebAnnotation(annotation(shapes.ellipse, 'L', 'N'), IMAGE_URI)) as Record<string, unknown>;

  it('rejects things that are not annotations', () => {
    reject(null, /Not a Web Annotation/);
    reject('{"type":"Annotation"}', /Not a Web Annotation/);
    reject({ ...good, type: 'Note' }, /type must be "Annotation"/);
    reject({ ...good, '@context': 'http://schema.org/' }, /@context must be/);
    const { target: _target, ...noTarget } = good;
    reject(noTarget, /target/);
    reject({ ...good, target: [good.target] }, /single object with a source and a selector/);
  });

  it('rejects bodies it cannot keep', () => {
    reject({ ...good, body: [{ type: 'TextualBody', value: 'x', purpose: 'describing' }] }, /purpose "tagging" \(the label\) or "commenting"/);
    reject({ ...good, body: [{ type: 'TextualBody', value: '<b>x</b>', purpose: 'commenting', format: 'text/html' }] }, /plain-text/);
    reject({ ...good, body: [{ type: 'TextualBody', value: '   ', purpose: 'tagging' }] }, /Not a Web Annotation/);
    reject({ ...good, body: [{ type: 'TextualBody', value: 'x'.repeat(201), purpose: 'tagging' }] }, /Not a Web Annotation/);
    reject(
      {
        ...good,
        body: [
          { type: 'TextualBody', value: 'a', purpose: 'commenting' },
          { type: 'TextualBody', value: 'b', purpose: 'commenting' },
        ],
      },
      /2 commenting bodies/,
    );
  });

  it('rejects unknown selectors', () => {
    reject({ ...good, target: { source: IMAGE_URI, selector: { type: 'TextQuoteSelector', exact: 'mole' } } }, /FragmentSelector \(xywh=\) or an SvgSelector/);
    reject({ ...good, target: { source: IMAGE_URI, selector: { type: 'FragmentSelector', conformsTo: 'http://tools.ietf.org/rfc/rfc3236', value: 'xywh=1,2,3,4' } } }, /must conform to/);
    reject(fragmentAnnotation('xywh=percent:10,10,50,50'), /percent/);
    reject(fragmentAnnotation('t=10,20'), /not "xywh=pixel:x,y,w,h"/);
    reject(fragmentAnnotation('xywh=pixel:1,2,3'), /not "xywh=pixel:x,y,w,h"/);
  });

  it('rejects script and markup it did not write', () => {
    reject(svgAnnotation('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), /<script> is not a shape/);
    reject(svgAnnotation('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle cx="1" cy="1" r="0"/></svg>'), /only xmlns/);
    reject(svgAnnotation('<svg><circle cx="1" cy="1" r="0" onclick="alert(1)"/></svg>'), /attribute "onclick"/);
    reject(svgAnnotation('<svg><circle cx="1" cy="1" r="0"/><script>alert(1)</script></svg>'), /exactly one <circle>/);
    reject(svgAnnotation('<svg><line x1="1" y1="2" x2="3" y2="javascript:alert(1)"/></svg>'), /y2 is not a finite number/);
    reject(svgAnnotation('<svg><!-- hi --><circle cx="1" cy="1" r="0"/></svg>'), /exactly one shape element/);
    reject(svgAnnotation('<html><circle cx="1" cy="1" r="0"/></html>'), /not a single <svg>/);
    reject(svgAnnotation('<svg></svg>'), /exactly one shape element/);
    reject(svgAnnotation('<svg><rect x="1" y="1" width="2" height="2"/></svg>'), /<rect> is not a shape/);
  });

  it('rejects shapes it did not write or cannot store', () => {
    reject(svgAnnotation('<svg><circle cx="10" cy="10" r="5"/></svg>'), /non-zero radius/);
    reject(svgAnnotation('<svg><line x1="1" y1="2" x2="3"/></svg>'), /missing the attribute "y2"/);
    reject(svgAnnotation('<svg><line x1="1" y1="2" x1="1" x2="3" y2="4"/></svg>'), /repeats the attribute "x1"/);
    reject(svgAnnotation('<svg><line x1=1 y1="2" x2="3" y2="4"/></svg>'), /malformed attributes/);
    reject(svgAnnotation('<svg><polygon points="0,0 1,1 2"/></svg>'), /odd number of coordinates/);
    reject(svgAnnotation('<svg><polygon points="0,0,,1,1 2,2"/></svg>'), /points list is malformed/);
    reject(svgAnnotation('<svg><polygon points="0,0 1,1"/></svg>'), /cannot store/);
    reject(svgAnnotation('<svg><ellipse cx="1" cy="1" rx="0" ry="2"/></svg>'), /cannot store/);
    reject(svgAnnotation('<svg><circle cx="-4" cy="1" r="0"/></svg>'), /cannot store/);
  });

  it('rejects NaN and infinite coordinates', () => {
    reject(svgAnnotation('<svg><circle cx="NaN" cy="1" r="0"/></svg>'), /cx is not a finite number: "NaN"/);
    reject(svgAnnotation('<svg><polyline points="1,2 Infinity,4"/></svg>'), /point 2 x is not a finite number/);
    reject(svgAnnotation('<svg><ellipse cx="1" cy="1" rx="1e999" ry="2"/></svg>'), /rx is not a finite number/);
    reject(fragmentAnnotation('xywh=pixel:NaN,0,10,10'), /rectangle x is not a finite number/);
    reject(fragmentAnnotation('xywh=pixel:0,0,,10'), /rectangle width is not a finite number/);
  });

  it('rejects an oversized selector before parsing it', () => {
    reject(svgAnnotation(`<svg><polyline points="${'1,1 '.repeat(120_000)}"/></svg>`), /Not a Web Annotation/);
  });

  it('stays fast on hostile white space', () => {
    const started = Date.now();
    reject(svgAnnotation(`<svg><line${' '.repeat(390_000)}x`), /not a single <svg>/);
    reject(svgAnnotation(`<svg><polygon points="1${' '.repeat(390_000)}"/></svg>`), /odd number/);
    reject(svgAnnotation(`<svg><line${' '.repeat(390_000)}/></svg>`), /missing the attribute/);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
