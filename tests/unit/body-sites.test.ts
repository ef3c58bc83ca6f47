import { describe, expect, it } from 'vitest';
import data from '../../resources/body-sites.json';
import {
  BODY_SITES,
  BodySiteTerms,
  bodyMapPosition,
  bodyMapPositions,
  bodySiteKey,
  resolveBodySite,
  siteKey,
  siteLabel,
  summariseBodySites,
  type Laterality,
  type ResolvedSite,
} from '../../shared/body-sites';
import { demoReferrals } from '../../service/demo/cases';

const NOW = new Date('2025-06-11T10:30:00Z');

function resolved(text: string): ResolvedSite {
  const r = resolveBodySite(text);
  if (!r) throw new Error(`"${text}" did not resolve`);
  return r;
}

const site = (term: string) => {
  const s = BODY_SITES.find((x) => x.term === term);
  if (!s) throw new Error(`no site "${term}"`);
  return s;
};

describe('body-site term list', () => {
  it('parses, with unique SNOMED CT codes of 6 to 18 digits', () => {
    const terms = BodySiteTerms.parse(data);
    expect(terms.sites.length).toBeGreaterThanOrEqual(45);
    const codes = terms.sites.flatMap((s) => (s.code === null ? [] : [s.code]));
    for (const code of codes) expect(code).toMatch(/^\d{6,18}$/);
    expect(new Set(codes).size).toBe(codes.length);
    expect(terms.laterality.right.code).toBe('24028007');
    expect(terms.laterality.left.code).toBe('7771000');
    expect(terms.laterality.bilateral.code).toBe('51440002');
  });

  it('says where each code was verified, and why a site has none', () => {
    for (const s of BODY_SITES) {
      if (s.code) expect(s.verified, s.term).toMatch(/\//);
      else expect(s.note, s.term).toMatch(/No SNOMED CT code verified/);
    }
  });

  it('covers the regions a dermatology referral names', () => {
    const wanted = [
      'Scalp', 'Forehead', 'Temple', 'Eyelid', 'Nose', 'Cheek', 'Ear', 'Lip', 'Chin', 'Neck',
      'Chest', 'Breast', 'Abdomen', 'Upper back', 'Lower back', 'Shoulder', 'Buttock', 'Groin', 'Genitals',
      'Upper arm', 'Elbow', 'Antecubital fossa', 'Forearm', 'Wrist', 'Back of hand', 'Palm', 'Finger',
      'Thigh', 'Knee', 'Back of knee', 'Lower leg', 'Shin', 'Calf', 'Ankle', 'Top of foot', 'Sole of foot', 'Toe',
    ];
    for (const term of wanted) expect(BODY_SITES.map((s) => s.term)).toContain(term);
  });

  it('gives no two sites the same phrase', () => {
    const seen = new Map<string, string>();
    for (const s of BODY_SITES) {
      for (const phrase of s.synonyms) {
        const other = seen.get(phrase);
        if (other !== undefined) expect(other, phrase).toBe(s.term);
        seen.set(phrase, s.term);
      }
    }
    // Every term and synonym resolves to its own site.
    for (const s of BODY_SITES) {
      for (const phrase of [s.term, ...s.synonyms]) expect(resolveBodySite(phrase)?.site.term, phrase).toBe(s.term);
    }
  });
});

describe('resolveBodySite', () => {
  // Every site the demo data set uses, with the coded site and side it should resolve to.
  const expected: Record<string, [term: string, laterality: Laterality | null]> = {
    'upper back': ['Upper back', null],
    'left temple': ['Temple', 'left'],
    'right lower back': ['Lower back', 'right'],
    'right elbow (extensor surface)': ['Back of elbow', 'right'],
    'left knee (extensor surface)': ['Front of knee', 'left'],
    'left antecubital fossa': ['Antecubital fossa', 'left'],
    'scalp (vertex)': ['Vertex of scalp', null],
    'right thigh (anterior)': ['Front of thigh', 'right'],
    'left lower leg (anterior shin)': ['Shin', 'left'],
    'left upper abdomen': ['Upper abdomen', 'left'],
    'dorsum of right hand': ['Back of hand', 'right'],
    'left ear (helix)': ['Helix of ear', 'left'],
    'sole of right foot (heel)': ['Heel', 'right'],
    'left cheek': ['Cheek', 'left'],
    'right temple': ['Temple', 'right'],
    'left side of abdomen': ['Abdomen', 'left'],
    'left upper arm (lateral)': ['Upper arm', 'left'],
    'right calf': ['Calf', 'right'],
    'left nasal sidewall': ['Side of nose', 'left'],
    'right shoulder (posterior)': ['Shoulder', 'right'],
    'lower back': ['Lower back', null],
    'central upper chest': ['Central chest', null],
    'forehead (right side)': ['Forehead', 'right'],
    'dorsum of left hand': ['Back of hand', 'left'],
  };

  it('resolves every demo body site to the expected site and side', () => {
    const demoSites = new Set(demoReferrals(NOW).flatMap((r) => r.submission.images.map((i) => i.bodySite)));
    expect(demoSites.size).toBeGreaterThan(10);
    for (const text of demoSites) {
      const want = expected[text];
      expect(want, `no expectation for demo site "${text}"`).toBeDefined();
      const r = resolved(text);
      expect([r.site.term, r.laterality], text).toEqual(want);
    }
  });

  it('reads laterality words and L/R prefixes', () => {
    expect(resolved('L forearm')).toMatchObject({ site: site('Forearm'), laterality: 'left' });
    expect(resolved('R. shin')).toMatchObject({ site: site('Shin'), laterality: 'right' });
    expect(resolved('Rt knee')).toMatchObject({ site: site('Knee'), laterality: 'right' });
    expect(resolved('both shins')).toMatchObject({ site: site('Shin'), laterality: 'bilateral' });
    expect(resolved('bilateral feet')).toMatchObject({ site: site('Foot'), laterality: 'bilateral' });
    expect(resolved('left and right cheeks')).toMatchObject({ site: site('Cheek'), laterality: 'bilateral' });
    expect(resolved('Left-sided lower back')).toMatchObject({ site: site('Lower back'), laterality: 'left' });
    expect(resolved('elbow')).toMatchObject({ site: site('Elbow'), laterality: null });
  });

  it('ignores case and punctuation, and drops a side from a site that has none', () => {
    expect(resolved('  BACK OF LEFT KNEE. ')).toMatchObject({ site: site('Back of knee'), laterality: 'left' });
    expect(resolved("patient's left shoulder-blade")).toMatchObject({ site: site('Upper back'), laterality: 'left' });
    expect(resolved('left umbilicus')).toMatchObject({ site: site('Umbilicus'), laterality: null });
  });

  it('uses a qualifier to refine, never to override', () => {
    expect(resolved('left cheek (near nose)').site.term).toBe('Cheek');
    expect(resolved('arm (palm)').site.term).toBe('Arm');
    expect(resolved('right (front of thigh)').site.term).toBe('Front of thigh');
  });

  it('gives null for text that names no site', () => {
    expect(resolveBodySite('somewhere odd')).toBeNull();
    expect(resolveBodySite('left')).toBeNull();
    expect(resolveBodySite('')).toBeNull();
    expect(resolveBodySite('(unknown)')).toBeNull();
  });
});

describe('body-map positions', () => {
  it('mirrors a left-sided site: viewer’s right from the front, viewer’s left from behind', () => {
    const right = resolved('right shoulder');
    const left = resolved('left shoulder');
    const rightFront = bodyMapPosition(right, 'front')!;
    const leftFront = bodyMapPosition(left, 'front')!;
    const rightBack = bodyMapPosition(right, 'back')!;
    const leftBack = bodyMapPosition(left, 'back')!;
    expect(rightFront.x).toBeLessThan(50);
    expect(leftFront.x).toBeGreaterThan(50);
    expect(rightBack.x).toBeGreaterThan(50);
    expect(leftBack.x).toBeLessThan(50);
    expect(leftFront).toEqual({ x: 100 - rightFront.x, y: rightFront.y });
    expect(leftBack).toEqual({ x: 100 - rightBack.x, y: rightBack.y });
  });

  it('puts a site only on the views that show it', () => {
    expect(bodyMapPosition(resolved('left temple'), 'back')).toBeNull();
    expect(bodyMapPosition(resolved('right calf'), 'front')).toBeNull();
    expect(bodyMapPosition(resolved('right calf'), 'back')!.x).toBeGreaterThan(50);
  });

  it('puts a midline site with no side on the midline, and leaves a paired one with no side unplaced', () => {
    expect(bodyMapPosition(resolved('upper back'), 'back')!.x).toBe(50);
    expect(bodyMapPosition(resolved('left upper abdomen'), 'front')!.x).toBeGreaterThan(50);
    expect(bodyMapPosition(resolved('forearm'), 'front')).toBeNull();
    expect(bodyMapPositions(resolved('forearm'), 'front')).toEqual([]);
  });

  it('marks both sides of a bilateral site', () => {
    const both = bodyMapPositions(resolved('both shins'), 'front');
    expect(both).toHaveLength(2);
    expect(both[0]!.x + both[1]!.x).toBe(100);
  });

  it('keeps every stored position inside the figure box', () => {
    for (const s of BODY_SITES) {
      for (const p of [s.front, s.back]) {
        if (!p) continue;
        expect(p.x).toBeGreaterThanOrEqual(0);
        expect(p.x).toBeLessThanOrEqual(100);
        expect(p.y).toBeGreaterThanOrEqual(0);
        expect(p.y).toBeLessThanOrEqual(200);
      }
    }
  });
});

describe('keys and labels', () => {
  it('keys on code and side', () => {
    expect(siteKey(resolved('left temple'))).toBe('16621002|left');
    expect(siteKey(resolved('Temple, L'))).toBe('16621002|left');
    expect(siteKey(resolved('upper back'))).toBe('699893008|none');
    expect(siteKey(resolved('sole of left foot'))).toBe('Sole of foot|left');
    expect(bodySiteKey('a lump')).toBe('text|a lump');
  });

  it('labels with the side where it reads naturally', () => {
    expect(siteLabel(resolved('left temple'))).toBe('Left temple');
    expect(siteLabel(resolved('dorsum of right hand'))).toBe('Back of right hand');
    expect(siteLabel(resolved('left nasal sidewall'))).toBe('Left side of nose');
    expect(siteLabel(resolved('postauricular, left'))).toBe('Behind the left ear');
    expect(siteLabel(resolved('right lower back'))).toBe('Right lower back');
    expect(siteLabel(resolved('nape of neck, left'))).toBe('Back of neck, left side');
    expect(siteLabel(resolved('both shins'))).toBe('Shin, both sides');
    expect(siteLabel(resolved('upper back'))).toBe('Upper back');
  });

  it('summarises images by site and side, unresolved text on its own', () => {
    const rows = summariseBodySites(['left temple', 'Left temple', 'L temple', 'right temple', 'a lump', 'A lump']);
    expect(rows.map((r) => [r.label, r.imageCount])).toEqual([
      ['Left temple', 3],
      ['Right temple', 1],
      ['a lump', 2],
    ]);
    expect(rows[2]!.resolved).toBeNull();
  });
});
