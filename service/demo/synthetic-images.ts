/**
 * Synthetic clinical photographs for the demo data set. Nothing here comes from a real patient:
 * every pixel is computed from a seed, so the same spec always gives the same picture.
 *
 * Cost model (the whole demo set must render in seconds on two cores): the skin is computed at
 * 1/8 resolution in JS, interpolated to full size in one JS pass that also applies a small seamless
 * texture tile; lesions, hairs, rulers and marks are SVGs the size of their own bounding box only,
 * and anything blurred is rendered at reduced scale. A 24 MP image then costs little more than its
 * JPEG encode.
 */
import sharp, { type OverlayOptions } from 'sharp';
import { mulberry32 } from '../../shared/seeded-random';

export type Fitzpatrick = 'I' | 'II' | 'III' | 'IV' | 'V' | 'VI';
export type SyntheticImageKind = 'regional' | 'close-up' | 'dermoscopic';
export type LesionColour = 'tan' | 'brown' | 'dark-brown' | 'black' | 'blue-grey' | 'pink' | 'red' | 'white';
/** How the lesion is drawn: pigmented (naevi, melanoma, lentigo), keratosis (seborrhoeic),
 *  nodule (BCC, SCC), scaly-plaque (actinic keratosis, psoriasis, superficial BCC), eczema. */
export type Morphology = 'pigmented' | 'keratosis' | 'nodule' | 'scaly-plaque' | 'eczema';

export interface LesionSpec {
  /** The lesion's identity: shape and the layout of its colour areas come from this seed, so a
   *  later photograph with the same seed is recognisably the same lesion. */
  seed: number;
  morphology: Morphology;
  diameterMm: number;
  /** 0 = smooth oval, 1 = ragged, notched and asymmetric. */
  irregularity: number;
  /** The first colour dominates; each later one adds its own areas. Each colour has its own random
   *  stream, so adding a colour leaves the existing areas where they were. */
  colours: readonly LesionColour[];
  /** Further plaques around the main one (rashes), placed from the seed. */
  satellites?: number;
  /** Central ulcer or crust (BCC, SCC). */
  ulcerated?: boolean;
}

export interface LesionChange {
  growMm?: number;
  irregularity?: number;
  addColours?: readonly LesionColour[];
  ulcerated?: boolean;
  satellites?: number;
}

/** The same lesion photographed later: same seed (shape), changed size, border and colours. */
export function evolveLesion(lesion: LesionSpec, change: LesionChange): LesionSpec {
  const colours = [...lesion.colours];
  for (const c of change.addColours ?? []) if (!colours.includes(c)) colours.push(c);
  return {
    ...lesion,
    diameterMm: lesion.diameterMm + (change.growMm ?? 0),
    irregularity: Math.min(1, change.irregularity ?? lesion.irregularity),
    colours,
    ulcerated: change.ulcerated ?? lesion.ulcerated,
    satellites: change.satellites ?? lesion.satellites,
  };
}

export interface ImageSpec {
  kind: SyntheticImageKind;
  /** Framing, skin texture, hairs: a different seed is a different photograph of the same lesion. */
  seed: number;
  fitzpatrick: Fitzpatrick;
  lesion: LesionSpec;
  width?: number;
  height?: number;
  /** Width of the field of view in mm (regional, close-up) or the dermatoscope's circle diameter.
   *  Keep it fixed across dates so growth shows as growth. */
  fieldMm?: number;
  /** Regional only: other small naevi and freckles scattered over the skin. */
  backgroundSpots?: number;
  /** Regional only: the GP's skin-marker ring around the lesion of concern. */
  marked?: boolean;
  /** Regional only: the edge of the limb or trunk against the backdrop, as an orientation hint. */
  bodyEdge?: boolean;
  hairs?: number;
}

export interface ImageLayout {
  width: number;
  height: number;
  mmPerPixel: number;
  /** Whether the photograph itself shows its scale (ruler or dermatoscope), i.e. metadata may carry it. */
  scaleKnown: boolean;
}

export interface RenderedImage {
  jpeg: Buffer;
  width: number;
  height: number;
  /** Present when the image shows its own scale. */
  mmPerPixel?: number;
}

const DEFAULT_SIZE: Readonly<Record<SyntheticImageKind, readonly [number, number]>> = {
  regional: [2000, 1400],
  'close-up': [1800, 1350],
  dermoscopic: [1100, 1100],
};
const DERMOSCOPE_CIRCLE = 0.96;
const LOWRES = 8;
const JPEG_QUALITY = 90;

/** Pure and synchronous so referral metadata (mmPerPixel) can be written before rendering. */
export function imageLayout(spec: ImageSpec): ImageLayout {
  const [dw, dh] = DEFAULT_SIZE[spec.kind];
  const width = spec.width ?? dw;
  const height = spec.height ?? dh;
  const d = spec.lesion.diameterMm;
  switch (spec.kind) {
    case 'regional':
      return { width, height, mmPerPixel: (spec.fieldMm ?? 300) / width, scaleKnown: false };
    case 'close-up': {
      const field = spec.fieldMm ?? Math.min(120, Math.max(30, Math.ceil((d * 4) / 5) * 5));
      return { width, height, mmPerPixel: round4(field / width), scaleKnown: true };
    }
    case 'dermoscopic': {
      const circlePx = DERMOSCOPE_CIRCLE * Math.min(width, height);
      return { width, height, mmPerPixel: round4((spec.fieldMm ?? 24) / circlePx), scaleKnown: true };
    }
  }
}

export async function renderImage(spec: ImageSpec): Promise<RenderedImage> {
  const layout = imageLayout(spec);
  const { width, height } = layout;
  const frame = frameLesion(spec, layout);
  const skin = skinImage(spec, layout, frame);
  const overlays: OverlayOptions[] = [];
  const scene = new Scene(layout);
  const ppm = 1 / layout.mmPerPixel;

  if (spec.kind === 'regional') {
    for (const spot of backgroundSpots(spec, layout, frame)) scene.lesion(spot.lesion, spot.x, spot.y, 'plain');
  }
  const zoom: Zoom = spec.kind === 'dermoscopic' ? 'dermoscopic' : spec.kind === 'close-up' ? 'close' : 'plain';
  scene.lesion(spec.lesion, frame.x, frame.y, zoom);
  for (const sat of satellites(spec.lesion, frame, ppm)) scene.lesion(sat.lesion, sat.x, sat.y, spec.kind === 'regional' ? 'plain' : 'close');
  scene.hairs(spec, frame);
  if (spec.kind === 'regional' && spec.marked) scene.markerRing(spec, frame);
  overlays.push(...(await scene.overlays()));
  if (spec.kind === 'close-up') overlays.push(await ruler(spec, layout));
  if (spec.kind === 'dermoscopic') overlays.push(await dermoscopeVignette(layout, frame));

  const jpeg = await sharp(skin, { raw: { width, height, channels: 3 } })
    .composite(overlays)
    .jpeg({ quality: JPEG_QUALITY })
    .toBuffer();
  return layout.scaleKnown ? { jpeg, width, height, mmPerPixel: layout.mmPerPixel } : { jpeg, width, height };
}

// ---------------------------------------------------------------------------------------------
// Randomness (mulberry32 from shared/seeded-random)

/** Independent streams per purpose, so drawing one more thing never shifts everything else. */
function stream(seed: number, label: string): Rng {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return new Rng(mulberry32(h >>> 0));
}

class Rng {
  constructor(private readonly next: () => number) {}
  float(): number {
    return this.next();
  }
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  int(lo: number, hi: number): number {
    return Math.floor(this.range(lo, hi + 1));
  }
  /** Roughly normal (Irwin–Hall of three); tails do not matter for textures. */
  normal(): number {
    return (this.next() + this.next() + this.next() - 1.5) * 2;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
}

/** Value noise on a lattice that wraps with `period`, so textures built from it tile seamlessly. */
class ValueNoise {
  private readonly lattice: Float32Array;
  constructor(rng: Rng, private readonly period: number) {
    this.lattice = new Float32Array(period * period);
    for (let i = 0; i < this.lattice.length; i++) this.lattice[i] = rng.float() * 2 - 1;
  }
  at(x: number, y: number): number {
    const p = this.period;
    const xi = Math.floor(x);
    const yi = Math.floor(y);
    const fx = smooth(x - xi);
    const fy = smooth(y - yi);
    const x0 = mod(xi, p);
    const y0 = mod(yi, p);
    const x1 = (x0 + 1) % p;
    const y1 = (y0 + 1) % p;
    const l = this.lattice;
    const a = l[y0 * p + x0] ?? 0;
    const b = l[y0 * p + x1] ?? 0;
    const c = l[y1 * p + x0] ?? 0;
    const d = l[y1 * p + x1] ?? 0;
    return a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy;
  }
}

/** Octaves of value noise, each turned by an odd angle so the lattice never shows as squares. */
function fbm(noises: readonly ValueNoise[], x: number, y: number): number {
  let sum = 0;
  let amp = 1;
  let freq = 1;
  let norm = 0;
  let u = x;
  let v = y;
  for (const n of noises) {
    sum += n.at(u * freq, v * freq) * amp;
    norm += amp;
    amp *= 0.5;
    freq *= 2;
    const t = u;
    u = ROT_COS * u - ROT_SIN * v + 7.3;
    v = ROT_SIN * t + ROT_COS * v + 3.1;
  }
  return sum / norm;
}
const ROT_COS = Math.cos(0.61);
const ROT_SIN = Math.sin(0.61);

const smooth = (t: number): number => t * t * (3 - 2 * t);
const mod = (a: number, n: number): number => ((a % n) + n) % n;
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
const smoothstep = (e0: number, e1: number, x: number): number => smooth(clamp((x - e0) / (e1 - e0), 0, 1));
const round4 = (v: number): number => Math.round(v * 10_000) / 10_000;
const f1 = (v: number): string => (Math.round(v * 10) / 10).toString();

// ---------------------------------------------------------------------------------------------
// Skin

type Rgb = readonly [number, number, number];

const SKIN: Readonly<Record<Fitzpatrick, Rgb>> = {
  I: [240, 206, 186],
  II: [226, 182, 152],
  III: [203, 154, 117],
  IV: [166, 117, 82],
  V: [118, 80, 56],
  VI: [76, 51, 38],
};

interface Frame {
  /** Lesion centre in pixels. */
  x: number;
  y: number;
  /** Regional only: which side the body edge is on, and where. */
  edge?: { side: 'left' | 'right'; at: number; wobble: number; phase: number };
}

function frameLesion(spec: ImageSpec, layout: ImageLayout): Frame {
  const r = stream(spec.seed, 'frame');
  const { width: w, height: h } = layout;
  switch (spec.kind) {
    case 'regional': {
      const edge =
        spec.bodyEdge === false
          ? undefined
          : { side: r.pick(['left', 'right'] as const), at: r.range(0.06, 0.16), wobble: r.range(0.02, 0.05), phase: r.range(0, 6.28) };
      // Keep the lesion clear of the edge and of the frame so the ring and the lesion fit.
      const xr = edge?.side === 'left' ? r.range(0.45, 0.72) : edge ? r.range(0.28, 0.55) : r.range(0.3, 0.7);
      return { x: xr * w, y: r.range(0.32, 0.68) * h, edge };
    }
    case 'close-up':
      return { x: r.range(0.44, 0.56) * w, y: r.range(0.38, 0.46) * h };
    case 'dermoscopic':
      return { x: r.range(0.46, 0.54) * w, y: r.range(0.46, 0.54) * h };
  }
}

/**
 * The photograph without its lesions, at full resolution: low-frequency skin (computed at 1/8
 * and interpolated) modulated by a seamless fine-texture tile. One JS pass is several times
 * cheaper than a libvips upscale plus a full-frame blend, which libvips does in float.
 */
function skinImage(spec: ImageSpec, layout: ImageLayout, frame: Frame): Buffer {
  const { width: W, height: H } = layout;
  const low = skinLowres(spec, layout, frame);
  const tile = textureTile(spec, layout);
  const T = tile.size;
  const tex = tile.data;
  // Each low-res row is upsampled across once; output rows then blend the two nearest.
  const upsampleRow = (ly: number): Float32Array => {
    const row = new Float32Array(W * 3);
    const src = low.data;
    for (let x = 0; x < W; x++) {
      const sx = clamp((x + 0.5) / LOWRES - 0.5, 0, low.w - 1);
      const x0 = Math.min(Math.floor(sx), low.w - 1);
      const x1 = Math.min(x0 + 1, low.w - 1);
      const fx = sx - x0;
      const a = (ly * low.w + x0) * 3;
      const b = (ly * low.w + x1) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const va = src[a + ch] ?? 0;
        row[x * 3 + ch] = va + ((src[b + ch] ?? 0) - va) * fx;
      }
    }
    return row;
  };
  // Clamped storage rounds and clamps on write, which a per-channel clamp() call costs dearly.
  const out = new Uint8ClampedArray(W * H * 3);
  let cached = -2;
  let rowA: Float32Array = new Float32Array(0);
  let rowB: Float32Array = new Float32Array(0);
  for (let y = 0; y < H; y++) {
    const sy = clamp((y + 0.5) / LOWRES - 0.5, 0, low.h - 1);
    const y0 = Math.min(Math.floor(sy), low.h - 1);
    const fy = sy - y0;
    if (y0 !== cached) {
      rowA = y0 === cached + 1 ? rowB : upsampleRow(y0);
      rowB = upsampleRow(Math.min(y0 + 1, low.h - 1));
      cached = y0;
    }
    const trow = (y % T) * T;
    const o = y * W * 3;
    for (let x = 0, tx = 0, i = 0; x < W; x++, i += 3) {
      const m = 1 + (tex[trow + tx] ?? 0);
      if (++tx === T) tx = 0;
      const r0 = rowA[i] ?? 0;
      const g0 = rowA[i + 1] ?? 0;
      const b0 = rowA[i + 2] ?? 0;
      out[o + i] = (r0 + ((rowB[i] ?? 0) - r0) * fy) * m;
      out[o + i + 1] = (g0 + ((rowB[i + 1] ?? 0) - g0) * fy) * m;
      out[o + i + 2] = (b0 + ((rowB[i + 2] ?? 0) - b0) * fy) * m;
    }
  }
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** Low-frequency skin at 1/8 resolution: colour, blotchy redness, lighting, and the body edge. */
function skinLowres(spec: ImageSpec, layout: ImageLayout, frame: Frame): { data: Float32Array; w: number; h: number } {
  const w = Math.ceil(layout.width / LOWRES);
  const h = Math.ceil(layout.height / LOWRES);
  const r = stream(spec.seed, 'skin');
  const tone = SKIN[spec.fitzpatrick];
  // Dermoscopy (polarised, contact) looks warmer and more even than a flash photograph.
  const warm: Rgb = spec.kind === 'dermoscopic' ? [1.03, 0.95, 0.9] : [1, 1, 1];
  const base: Rgb = [tone[0] * warm[0], tone[1] * warm[1], tone[2] * warm[2]];
  const blotch = [0, 1, 2].map(() => new ValueNoise(r, 64));
  const redness = [0, 1].map(() => new ValueNoise(r, 64));
  const fine = [0, 1].map(() => new ValueNoise(r, 64));
  const backdrop = new ValueNoise(r, 64);
  // Sizes in millimetres on the body, whatever the field of view.
  const mmPerLow = layout.mmPerPixel * LOWRES;
  const blotchScale = mmPerLow / 30;
  const redScale = mmPerLow / 45;
  const fineScale = mmPerLow / 6;
  const flat = spec.kind === 'dermoscopic';
  const light = { x: r.range(-0.6, 0.6), y: r.range(-0.8, -0.2), strength: flat ? 0.03 : r.range(0.1, 0.18) };
  const drape: Rgb = r.pick([
    [52, 82, 96],
    [188, 190, 196],
    [40, 44, 52],
  ] as const);
  const edge = frame.edge;
  const aspect = layout.width / layout.height;
  const data = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const u = x / w;
      const v = y / h;
      const b = fbm(blotch, x * blotchScale, y * blotchScale);
      const f = fbm(fine, x * fineScale + 3, y * fineScale + 9);
      const red = smoothstep(-0.35, 0.6, fbm(redness, x * redScale + 17, y * redScale + 5));
      const lit = 1 + light.strength * ((u - 0.5) * light.x + (v - 0.5) * light.y) - 0.12 * ((u - 0.5) ** 2 + (v - 0.5) ** 2);
      let shade = 1;
      let skin = 1;
      if (edge) {
        const contour = edge.at + edge.wobble * Math.sin(v * 3.1 + edge.phase);
        const d = (edge.side === 'left' ? u - contour : 1 - contour - u) * aspect;
        // A limb or flank turns away from the camera: lit across its middle, darker to its edge.
        shade = (0.5 + 0.5 * smoothstep(0, 0.3, d)) * (1 - 0.08 * smoothstep(0.5, 1.4, d));
        skin = smoothstep(-0.003, 0.003, d);
      }
      const k = (1 + 0.05 * b + 0.02 * f) * lit * shade;
      const i = (y * w + x) * 3;
      const bd = (1 + 0.06 * backdrop.at(x * 0.05, y * 0.05)) * lit;
      // Variation in skin is mostly haemoglobin and melanin, i.e. red and brown, not grey.
      const brown = 0.04 * b;
      data[i] = base[0] * k * (1 + 0.03 * red) * skin + drape[0] * bd * (1 - skin);
      data[i + 1] = base[1] * k * (1 - 0.045 * red - brown) * skin + drape[1] * bd * (1 - skin);
      data[i + 2] = base[2] * k * (1 - 0.04 * red - 1.6 * brown) * skin + drape[2] * bd * (1 - skin);
    }
  }
  return { data, w, h };
}

/**
 * A seamless tile of relative brightness changes: sensor grain, pores and the criss-cross of
 * skin furrows, sized in millimetres so they look right at any magnification.
 */
function textureTile(spec: ImageSpec, layout: ImageLayout): Tile {
  // Keyed by kind and scale, not by photograph: nobody can tell two images share their grain, and
  // computing a tile costs as much as the rest of the background.
  const ppm = Math.round(10 / layout.mmPerPixel) / 10;
  const key = `${spec.kind}|${ppm}`;
  const cached = TILES.get(key);
  if (cached) return cached;
  const tile = makeTile(spec.kind, ppm, stream(0, `tile:${key}`));
  if (TILES.size >= 32) TILES.clear();
  TILES.set(key, tile);
  return tile;
}

interface Tile {
  data: Float32Array;
  size: number;
}

const TILES = new Map<string, Tile>();

function makeTile(kind: SyntheticImageKind, ppm: number, r: Rng): Tile {
  const size = kind === 'regional' ? 256 : 384;
  const field = new Float32Array(size * size);
  // Furrows: two families of lines whose wave numbers are whole multiples of the tile, so they wrap.
  const spacingPx = Math.max(3, 0.8 * ppm);
  const waves =
    kind === 'regional'
      ? []
      : [0.55, 2.1].map((angle) => {
          const a = angle + r.range(-0.2, 0.2);
          const k = size / spacingPx;
          return { m: Math.round(k * Math.cos(a)), n: Math.round(k * Math.sin(a)) };
        });
  const warp = new ValueNoise(r, 12);
  const mottle = new ValueNoise(r, 48);
  const furrowDepth = kind === 'dermoscopic' ? 0.035 : 0.028;
  const grain = kind === 'regional' ? 0.022 : 0.016;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let v = r.normal() * grain + mottle.at((x * 48) / size, (y * 48) / size) * 0.025;
      const wv = warp.at((x * 12) / size, (y * 12) / size) * 0.8;
      for (const { m, n } of waves) {
        const s = Math.abs(Math.sin(Math.PI * ((m * x + n * y) / size) + wv));
        v -= furrowDepth * (1 - smoothstep(0, 0.45, s));
      }
      field[y * size + x] = v;
    }
  }
  // Pores: small soft dark dots about half a millimetre apart.
  const poreR = Math.max(0.7, 0.05 * ppm);
  const pores = Math.round((size * size) / Math.max(9, (0.6 * ppm) ** 2));
  const reach = Math.ceil(poreR * 2);
  for (let p = 0; p < pores; p++) {
    const cx = Math.round(r.range(0, size));
    const cy = Math.round(r.range(0, size));
    const depth = r.range(0.03, 0.07);
    for (let dy = -reach; dy <= reach; dy++) {
      for (let dx = -reach; dx <= reach; dx++) {
        const d2 = (dx * dx + dy * dy) / (poreR * poreR);
        if (d2 > 4) continue;
        const idx = mod(cy + dy, size) * size + mod(cx + dx, size);
        field[idx] = (field[idx] ?? 0) - depth * Math.exp(-d2);
      }
    }
  }
  return { data: field, size };
}

// ---------------------------------------------------------------------------------------------
// Shapes

interface Pt {
  x: number;
  y: number;
}

interface Harmonic {
  k: number;
  amp: number;
  phase: number;
}

/** An irregular closed outline: an ellipse whose radius wobbles with seeded harmonics. */
class Blob {
  readonly harmonics: Harmonic[];
  readonly aspect: number;
  readonly rot: number;
  constructor(
    rng: Rng,
    readonly cx: number,
    readonly cy: number,
    readonly r: number,
    irregularity: number,
  ) {
    // Draw every random number whatever the irregularity, so a more irregular later version keeps
    // the same underlying shape.
    const aspectU = rng.range(0.82, 0.97);
    this.rot = rng.range(0, Math.PI);
    this.aspect = aspectU - 0.18 * irregularity * rng.float();
    this.harmonics = [];
    for (let k = 2; k <= 13; k++) {
      const u = rng.float();
      const phase = rng.range(0, Math.PI * 2);
      const weight = k <= 5 ? 0.06 + 0.16 * irregularity : 0.09 * irregularity * irregularity;
      this.harmonics.push({ k, amp: (weight * u) / Math.pow(k, 0.6), phase });
    }
  }
  radiusAt(theta: number): number {
    let r = 1;
    for (const h of this.harmonics) r += h.amp * Math.cos(h.k * theta + h.phase);
    return Math.max(0.35, r);
  }
  point(theta: number, scale = 1): Pt {
    const rr = this.radiusAt(theta) * this.r * scale;
    const lx = Math.cos(theta) * rr;
    const ly = Math.sin(theta) * rr * this.aspect;
    const c = Math.cos(this.rot);
    const s = Math.sin(this.rot);
    return { x: this.cx + lx * c - ly * s, y: this.cy + lx * s + ly * c };
  }
  /** Normalised radius of a point: below 1 is inside the outline. */
  q(x: number, y: number): number {
    const dx = x - this.cx;
    const dy = y - this.cy;
    const c = Math.cos(-this.rot);
    const s = Math.sin(-this.rot);
    const lx = (dx * c - dy * s) / this.r;
    const ly = (dx * s + dy * c) / (this.r * this.aspect);
    return Math.hypot(lx, ly) / this.radiusAt(Math.atan2(ly, lx));
  }
  path(scale = 1): string {
    const n = 72;
    const pts: Pt[] = [];
    for (let i = 0; i < n; i++) pts.push(this.point((i / n) * Math.PI * 2, scale));
    return closedCurve(pts);
  }
}

/** An open Catmull-Rom curve (end points doubled). */
function openCurve(pts: readonly Pt[]): string {
  const n = pts.length;
  const at = (i: number): Pt => pts[clamp(i, 0, n - 1)] ?? { x: 0, y: 0 };
  let d = `M${f1(at(0).x)} ${f1(at(0).y)}`;
  for (let i = 0; i < n - 1; i++) {
    const p0 = at(i - 1);
    const p1 = at(i);
    const p2 = at(i + 1);
    const p3 = at(i + 2);
    d += `C${f1(p1.x + (p2.x - p0.x) / 6)} ${f1(p1.y + (p2.y - p0.y) / 6)} ${f1(p2.x - (p3.x - p1.x) / 6)} ${f1(p2.y - (p3.y - p1.y) / 6)} ${f1(p2.x)} ${f1(p2.y)}`;
  }
  return d;
}

/** Catmull-Rom through the points, as cubic Béziers: smooth but faithful to the wobble. */
function closedCurve(pts: readonly Pt[]): string {
  const n = pts.length;
  const at = (i: number): Pt => pts[mod(i, n)] ?? { x: 0, y: 0 };
  let d = `M${f1(at(0).x)} ${f1(at(0).y)}`;
  for (let i = 0; i < n; i++) {
    const p0 = at(i - 1);
    const p1 = at(i);
    const p2 = at(i + 1);
    const p3 = at(i + 2);
    d += `C${f1(p1.x + (p2.x - p0.x) / 6)} ${f1(p1.y + (p2.y - p0.y) / 6)} ${f1(p2.x - (p3.x - p1.x) / 6)} ${f1(p2.y - (p3.y - p1.y) / 6)} ${f1(p2.x)} ${f1(p2.y)}`;
  }
  return `${d}Z`;
}

// ---------------------------------------------------------------------------------------------
// Lesions. Each lesion gets up to four SVGs, each the size of the lesion's bounding box:
//  - soft: everything blurred (halo, body, colour areas), rendered at 1/k scale and upscaled,
//    because librsvg blurs cost ~150 ms per megapixel while libvips upscales almost for free;
//  - detail: crisp structure (network, globules, furrows, vessels), full resolution, no filters;
//  both blended with `multiply`, so the pores and furrows beneath show through as in a photograph;
//  - glow (soft) and over (detail): what is lighter than skin: scale, keratin, sheen, milia,
//    blended normally.

type Zoom = 'plain' | 'close' | 'dermoscopic';

/** Multiply factors: what each pigment does to the skin under it. */
const PIGMENT: Readonly<Record<LesionColour, Rgb>> = {
  tan: [226, 194, 164],
  brown: [178, 130, 98],
  'dark-brown': [112, 78, 60],
  black: [66, 56, 54],
  'blue-grey': [150, 160, 182],
  pink: [250, 200, 196],
  red: [236, 152, 150],
  white: [250, 246, 240],
};
const LIGHT_FLAKE: Rgb = [240, 236, 228];
const KERATIN: Rgb = [226, 212, 178];

const rgb = (c: Rgb): string => `rgb(${Math.round(c[0])},${Math.round(c[1])},${Math.round(c[2])})`;
const darkest = (colours: readonly LesionColour[]): Rgb =>
  colours.map((c) => PIGMENT[c]).reduce((a, b) => (a[0] + a[1] + a[2] <= b[0] + b[1] + b[2] ? a : b), PIGMENT.tan);

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * One SVG the size of its box, drawn in image coordinates. A multiply layer is painted on opaque
 * white (neutral for multiply) because libvips applies a multiply overlay's alpha twice, which
 * turns every soft edge into a grey rim.
 */
class SvgLayer {
  private readonly defs: string[] = [];
  private readonly body: string[] = [];
  private readonly dots = new Map<string, string>();
  private ids = 0;
  constructor(
    readonly box: Box,
    readonly blend: 'multiply' | 'over',
    /** Render at 1/downscale; only such layers may blur. */
    private readonly downscale: number | null,
  ) {}
  id(prefix: string): string {
    return `${prefix}${this.ids++}`;
  }
  /** A ` filter="…"` attribute, or nothing on a full-resolution layer (where it would be slow). */
  blur(sd: number): string {
    if (this.downscale === null) return '';
    const id = this.id('b');
    const { x, y, w, h } = this.box;
    this.defs.push(
      `<filter id="${id}" filterUnits="userSpaceOnUse" x="${x}" y="${y}" width="${w}" height="${h}"><feGaussianBlur stdDeviation="${f1(Math.max(0.3, sd))}"/></filter>`,
    );
    return ` filter="url(#${id})"`;
  }
  /** A radial gradient that fades a dot to nothing at its rim: soft dots without a filter. */
  softDot(colour: Rgb): string {
    const key = rgb(colour);
    const known = this.dots.get(key);
    if (known) return known;
    const id = this.id('g');
    this.defs.push(`<radialGradient id="${id}"><stop offset="0" stop-color="${key}"/><stop offset="0.55" stop-color="${key}" stop-opacity="0.85"/><stop offset="1" stop-color="${key}" stop-opacity="0"/></radialGradient>`);
    this.dots.set(key, id);
    return id;
  }
  clip(d: string): string {
    const id = this.id('c');
    this.defs.push(`<clipPath id="${id}"><path d="${d}"/></clipPath>`);
    return id;
  }
  add(svg: string): void {
    this.body.push(svg);
  }
  get empty(): boolean {
    return this.body.length === 0;
  }
  async overlay(): Promise<OverlayOptions> {
    const { x, y, w, h } = this.box;
    const k = this.downscale ?? 1;
    const sw = Math.max(1, Math.round(w / k));
    const sh = Math.max(1, Math.round(h / k));
    const svg = Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${sw}" height="${sh}" viewBox="${x} ${y} ${w} ${h}" preserveAspectRatio="none"><defs>${this.defs.join('')}</defs>` +
        (this.blend === 'multiply' ? `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="white"/>` : '') +
        `${this.body.join('')}</svg>`,
    );
    if (k === 1) return { input: svg, left: x, top: y, blend: this.blend };
    // Rasterise first, then upscale: asked to resize an SVG, sharp re-renders it at full size.
    const small = await sharp(svg).raw().toBuffer({ resolveWithObject: true });
    let img = sharp(small.data, { raw: { width: small.info.width, height: small.info.height, channels: small.info.channels } }).resize(w, h, {
      fit: 'fill',
      kernel: 'cubic',
    });
    if (this.blend === 'multiply') img = img.removeAlpha();
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    return { input: data, raw: { width: info.width, height: info.height, channels: info.channels }, left: x, top: y, blend: this.blend };
  }
}

interface Layers {
  soft: SvgLayer;
  detail: SvgLayer;
  glow: SvgLayer;
  over: SvgLayer;
}

class Scene {
  private readonly layers: SvgLayer[] = [];
  private readonly ppm: number;
  constructor(private readonly layout: ImageLayout) {
    this.ppm = 1 / layout.mmPerPixel;
  }

  /** The four layers for one bounding box, clipped to the image; null when wholly outside it. */
  private layersFor(cx: number, cy: number, reach: number, downscale: number): Layers | null {
    const x0 = Math.max(0, Math.floor(cx - reach));
    const y0 = Math.max(0, Math.floor(cy - reach));
    const x1 = Math.min(this.layout.width, Math.ceil(cx + reach));
    const y1 = Math.min(this.layout.height, Math.ceil(cy + reach));
    if (x1 - x0 < 2 || y1 - y0 < 2) return null;
    const box = { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
    const layers = {
      soft: new SvgLayer(box, 'multiply', downscale),
      detail: new SvgLayer(box, 'multiply', null),
      glow: new SvgLayer(box, 'over', downscale),
      over: new SvgLayer(box, 'over', null),
    };
    this.layers.push(layers.soft, layers.detail, layers.glow, layers.over);
    return layers;
  }

  overlays(): Promise<OverlayOptions[]> {
    return Promise.all(this.layers.filter((l) => !l.empty).map((l) => l.overlay()));
  }

  lesion(spec: LesionSpec, cx: number, cy: number, zoom: Zoom): void {
    const R = (spec.diameterMm / 2) * this.ppm;
    const halo = spec.morphology === 'eczema' ? 2.2 : spec.morphology === 'nodule' ? 1.9 : 1.6;
    // Soft content is blurred by at least ~2% of the radius, so 1/k scale loses nothing visible.
    const downscale = clamp(Math.floor(R / 40), 1, 8);
    const layers = this.layersFor(cx, cy, R * halo + 6, downscale);
    if (!layers) return;
    const blob = new Blob(stream(spec.seed, 'shape'), cx, cy, R, spec.irregularity);
    const ctx: LesionContext = { ...layers, spec, blob, R, ppm: this.ppm, zoom };
    DRAW[spec.morphology](ctx);
  }

  hairs(spec: ImageSpec, frame: Frame): void {
    const count = spec.hairs ?? (spec.kind === 'dermoscopic' ? 5 : spec.kind === 'close-up' ? 3 : 0);
    const r = stream(spec.seed, 'hairs');
    const { width: w, height: h } = this.layout;
    for (let i = 0; i < count; i++) {
      const len = r.range(0.35, 0.8) * Math.min(w, h);
      const a = r.range(0, Math.PI * 2);
      // Start near the lesion so hairs cross it now and then, as they do.
      const sx = clamp(frame.x + r.range(-0.45, 0.45) * w, 0, w);
      const sy = clamp(frame.y + r.range(-0.45, 0.45) * h, 0, h);
      const ex = sx + Math.cos(a) * len;
      const ey = sy + Math.sin(a) * len;
      const bend = r.range(-0.18, 0.18) * len;
      const mx = (sx + ex) / 2 - Math.sin(a) * bend;
      const my = (sy + ey) / 2 + Math.cos(a) * bend;
      const width = Math.max(0.8, r.range(0.05, 0.09) * this.ppm);
      const layers = this.layersFor((sx + ex) / 2, (sy + ey) / 2, len / 2 + Math.abs(bend) + width * 2, 1);
      if (!layers) continue;
      layers.detail.add(
        `<path d="M${f1(sx)} ${f1(sy)}Q${f1(mx)} ${f1(my)} ${f1(ex)} ${f1(ey)}" fill="none" stroke="rgb(70,56,50)" stroke-width="${f1(width)}" stroke-linecap="round" stroke-opacity="${f1(r.range(0.6, 0.9))}"/>`,
      );
    }
  }

  markerRing(spec: ImageSpec, frame: Frame): void {
    const r = stream(spec.seed, 'marker');
    const radius = (spec.lesion.diameterMm / 2 + r.range(4, 7)) * this.ppm;
    const width = Math.max(2, 0.9 * this.ppm);
    const layers = this.layersFor(frame.x, frame.y, radius * 1.3 + width * 2, 1);
    if (!layers) return;
    // Hand-drawn: uneven radius, and the pen overshoots where it started.
    const start = r.range(0, Math.PI * 2);
    const p2 = r.range(0, 6);
    const p3 = r.range(0, 6);
    const pts: string[] = [];
    for (let i = 0; i <= 80; i++) {
      const t = start + (i / 80) * Math.PI * 2.15;
      const rr = radius * (1 + 0.06 * Math.sin(2 * t + p2) + 0.03 * Math.sin(3 * t + p3) + 0.04 * (i / 80));
      pts.push(`${f1(frame.x + Math.cos(t) * rr)} ${f1(frame.y + Math.sin(t) * rr * 0.92)}`);
    }
    layers.over.add(
      `<path d="M${pts.join('L')}" fill="none" stroke="rgb(66,44,120)" stroke-width="${f1(width)}" stroke-linecap="round" stroke-linejoin="round" stroke-opacity="0.82"/>`,
    );
  }
}

interface LesionContext extends Layers {
  spec: LesionSpec;
  blob: Blob;
  R: number;
  ppm: number;
  zoom: Zoom;
}

const DRAW: Readonly<Record<Morphology, (ctx: LesionContext) => void>> = {
  pigmented: drawPigmented,
  keratosis: drawKeratosis,
  nodule: drawNodule,
  'scaly-plaque': drawScalyPlaque,
  eczema: drawEczema,
};

/** Areas of each further colour inside the lesion, each colour from its own stream. */
function colourPatches(ctx: LesionContext, from: number): void {
  const { spec, blob, R } = ctx;
  spec.colours.forEach((colour, index) => {
    if (index < from) return;
    const r = stream(spec.seed, `colour:${colour}`);
    const centred = spec.irregularity < 0.3 && (colour === 'brown' || colour === 'dark-brown');
    const count = centred ? 1 : r.int(1, 2) + Math.round(spec.irregularity);
    const layer = colour === 'white' ? ctx.glow : ctx.soft;
    const parts: string[] = [];
    for (let i = 0; i < count; i++) {
      const a = r.range(0, Math.PI * 2);
      const rho = centred ? r.range(0, 0.12) : r.range(0.15, 0.5 + 0.25 * spec.irregularity);
      const size = centred ? r.range(0.5, 0.62) : r.range(0.26, 0.42 + 0.15 * spec.irregularity);
      const p = blob.point(a, rho);
      const sub = new Blob(r, p.x, p.y, R * size, 0.6);
      const fill = colour === 'white' ? LIGHT_FLAKE : PIGMENT[colour];
      parts.push(`<path d="${sub.path()}" fill="${rgb(fill)}" fill-opacity="${f1(colour === 'white' ? 0.5 : r.range(0.7, 0.95))}"/>`);
    }
    const softness = R * (colour === 'blue-grey' || colour === 'white' ? 0.14 : 0.08);
    layer.add(`<g clip-path="url(#${layer.clip(blob.path())})"><g${layer.blur(softness)}>${parts.join('')}</g></g>`);
  });
}

/** Fine speckle so a lesion is never a flat fill. */
function mottle(ctx: LesionContext, colour: Rgb, dotMm: number, density: number, maxOpacity: number): void {
  const { spec, blob, R, ppm, detail } = ctx;
  const r = stream(spec.seed, 'mottle');
  const dot = Math.max(1, dotMm * ppm);
  const count = Math.min(2500, Math.round(((R * R) / (dot * dot)) * density));
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const p = blob.point(r.range(0, Math.PI * 2), Math.sqrt(r.float()) * 0.97);
    parts.push(`<circle cx="${f1(p.x)}" cy="${f1(p.y)}" r="${f1(dot * r.range(0.6, 1.4))}" fill-opacity="${f1(r.range(0.1, maxOpacity))}"/>`);
  }
  if (parts.length > 0) detail.add(`<g fill="url(#${detail.softDot(colour)})">${parts.join('')}</g>`);
}

function drawPigmented(ctx: LesionContext): void {
  const { soft, spec, blob, R, zoom } = ctx;
  const first = PIGMENT[spec.colours[0] ?? 'tan'];
  if (R < 5) {
    soft.add(`<path d="${blob.path()}" fill="${rgb(first)}"${soft.blur(R * 0.25)}/>`);
    return;
  }
  const edge = R * (0.015 + 0.03 * (1 - spec.irregularity)) + 0.5;
  soft.add(`<path d="${blob.path(1.08)}" fill="${rgb(first)}" fill-opacity="0.4"${soft.blur(R * 0.08)}/>`);
  soft.add(`<path d="${blob.path()}" fill="${rgb(first)}"${soft.blur(edge)}/>`);
  colourPatches(ctx, 1);
  // The network first: its white holes would erase anything drawn before it in the same layer.
  if (zoom === 'dermoscopic') pigmentNetwork(ctx);
  if (zoom !== 'plain' || R >= 30) mottle(ctx, darkest(spec.colours), 0.16, 0.45, 0.35);
  if (zoom === 'dermoscopic') {
    globules(ctx);
    if (spec.irregularity >= 0.5) streaks(ctx);
    if (spec.colours.includes('blue-grey')) veil(ctx);
  }
}

/**
 * The reticular network of dermoscopy. Painted as pigment with holes punched out in white (white
 * is neutral in a multiply layer): hex-packed round holes leave a honeycomb of lines that thicken
 * where they meet, fading towards the edge; holes vary and merge when the lesion is irregular.
 */
function pigmentNetwork(ctx: LesionContext): void {
  const { spec, blob, R, ppm, detail } = ctx;
  const r = stream(spec.seed, 'network');
  const colour = rgb(spec.colours.includes('dark-brown') || spec.colours.includes('black') ? PIGMENT['dark-brown'] : PIGMENT.brown);
  const fade = detail.id('n');
  detail.add(
    `<radialGradient id="${fade}"><stop offset="0" stop-color="${colour}" stop-opacity="0.5"/><stop offset="0.72" stop-color="${colour}" stop-opacity="0.42"/><stop offset="1" stop-color="${colour}" stop-opacity="0"/></radialGradient>`,
  );
  detail.add(`<path d="${blob.path(1.04)}" fill="url(#${fade})"/>`);
  const cell = 0.3 * ppm;
  const rowH = cell * 0.866;
  const n = Math.ceil((R * 1.7) / cell);
  const holes: string[] = [];
  const spread = 0.04 + 0.07 * spec.irregularity;
  for (let j = -n; j <= n; j++) {
    for (let i = -n; i <= n; i++) {
      const x = blob.cx + (i + (j % 2 === 0 ? 0 : 0.5) + r.range(-0.2, 0.2)) * cell;
      const y = blob.cy + (j + r.range(-0.2, 0.2)) * rowH;
      const merged = r.float() < 0.3 * spec.irregularity;
      const hole = cell * (0.37 + r.normal() * spread) * (merged ? 1.5 : 1);
      if (blob.q(x, y) > 1.1) continue;
      holes.push(`<circle cx="${f1(x)}" cy="${f1(y)}" r="${f1(Math.max(0.5, hole))}"/>`);
    }
  }
  detail.add(`<g fill="white">${holes.join('')}</g>`);
}

/** Globules: a peripheral rim when the naevus is regular, scattered and uneven when not. */
function globules(ctx: LesionContext): void {
  const { spec, blob, ppm, detail } = ctx;
  const r = stream(spec.seed, 'globules');
  const irregular = spec.irregularity >= 0.4;
  const count = irregular ? r.int(18, 40) : r.int(10, 24);
  const colour = spec.colours.includes('black') ? PIGMENT.black : PIGMENT['dark-brown'];
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const a = irregular ? r.range(0, Math.PI * 1.3) + 0.7 : r.range(0, Math.PI * 2);
    const p = blob.point(a, irregular ? r.range(0.2, 0.95) : r.range(0.78, 0.94));
    const size = (irregular ? r.range(0.07, 0.26) : r.range(0.09, 0.15)) * ppm;
    parts.push(`<circle cx="${f1(p.x)}" cy="${f1(p.y)}" r="${f1(size)}" fill-opacity="${f1(r.range(0.6, 1))}"/>`);
  }
  detail.add(`<g fill="url(#${detail.softDot(colour)})">${parts.join('')}</g>`);
}

/** Streaks (pseudopods) across one sector of the border: a melanoma clue. */
function streaks(ctx: LesionContext): void {
  const { spec, blob, ppm, detail } = ctx;
  const r = stream(spec.seed, 'streaks');
  const from = r.range(0, Math.PI * 2);
  const d: string[] = [];
  for (let i = 0, n = r.int(5, 10); i < n; i++) {
    const a = from + r.range(0, 1.4);
    const p = blob.point(a, r.range(0.75, 0.88));
    const e = blob.point(a + r.range(-0.05, 0.05), r.range(1.02, 1.12));
    d.push(`M${f1(p.x)} ${f1(p.y)}L${f1(e.x)} ${f1(e.y)}`);
  }
  detail.add(`<path d="${d.join('')}" stroke="${rgb(PIGMENT['dark-brown'])}" stroke-width="${f1(0.06 * ppm)}" stroke-linecap="round" stroke-opacity="0.55"/>`);
}

/** Blue-white veil: structureless blue-grey with a whitish haze over part of the lesion. */
function veil(ctx: LesionContext): void {
  const { spec, blob, R, glow } = ctx;
  const r = stream(spec.seed, 'veil');
  const p = blob.point(r.range(0, Math.PI * 2), r.range(0.1, 0.4));
  const sub = new Blob(r, p.x, p.y, R * r.range(0.35, 0.5), 0.5);
  glow.add(`<g clip-path="url(#${glow.clip(blob.path())})"><path d="${sub.path()}" fill="rgb(200,208,222)" fill-opacity="0.3"${glow.blur(R * 0.12)}/></g>`);
}

/** Specular light on a raised surface, offset towards the light (upper left). */
function sheen(ctx: LesionContext, opacity: number): void {
  const { glow, blob, R } = ctx;
  const p = blob.point(Math.PI * 1.25, 0.35);
  glow.add(`<ellipse cx="${f1(p.x)}" cy="${f1(p.y)}" rx="${f1(R * 0.4)}" ry="${f1(R * 0.22)}" fill="white" fill-opacity="${opacity}"${glow.blur(R * 0.15)}/>`);
}

function dots(ctx: LesionContext, label: string, layer: SvgLayer, n: number, fill: Rgb, radiusMm: readonly [number, number], opacity: number): void {
  const { spec, blob, ppm } = ctx;
  const r = stream(spec.seed, label);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = blob.point(r.range(0, Math.PI * 2), Math.sqrt(r.float()) * 0.88);
    parts.push(`<circle cx="${f1(p.x)}" cy="${f1(p.y)}" r="${f1(Math.max(0.8, r.range(radiusMm[0], radiusMm[1]) * ppm))}"/>`);
  }
  layer.add(`<g fill="${rgb(fill)}" fill-opacity="${opacity}">${parts.join('')}</g>`);
}

function drawKeratosis(ctx: LesionContext): void {
  const { soft, detail, over, spec, blob, R, ppm, zoom } = ctx;
  const first = PIGMENT[spec.colours[0] ?? 'tan'];
  // "Stuck on": a crisp edge, unlike a naevus.
  soft.add(`<path d="${blob.path()}" fill="${rgb(first)}"${soft.blur(R * 0.012 + 0.5)}/>`);
  colourPatches(ctx, 1);
  if (zoom === 'plain') return;
  // Cerebriform ridges and furrows: short curved dark strokes.
  const r = stream(spec.seed, 'fissures');
  const count = Math.min(700, Math.round((R * R) / (0.8 * ppm) ** 2));
  const strokes: string[] = [];
  for (let i = 0; i < count; i++) {
    const p = blob.point(r.range(0, Math.PI * 2), Math.sqrt(r.float()) * 0.97);
    const len = r.range(0.8, 2) * ppm;
    const a = r.range(0, Math.PI);
    const bend = r.range(-0.6, 0.6) * len;
    const ex = p.x + Math.cos(a) * len;
    const ey = p.y + Math.sin(a) * len;
    strokes.push(`M${f1(p.x)} ${f1(p.y)}Q${f1((p.x + ex) / 2 - Math.sin(a) * bend)} ${f1((p.y + ey) / 2 + Math.cos(a) * bend)} ${f1(ex)} ${f1(ey)}`);
  }
  detail.add(
    `<g clip-path="url(#${detail.clip(blob.path())})"><path d="${strokes.join('')}" fill="none" stroke="${rgb(darkest(spec.colours))}" stroke-width="${f1(0.2 * ppm)}" stroke-linecap="round" stroke-opacity="0.25"/></g>`,
  );
  // Comedo-like openings (dark) and milia-like cysts (pale): the classic keratosis clues.
  const more = zoom === 'dermoscopic' ? 1 : 0.5;
  dots(ctx, 'comedo', detail, Math.round(r.int(8, 20) * more), PIGMENT['dark-brown'], [0.08, 0.18], 0.75);
  dots(ctx, 'milia', over, Math.round(r.int(6, 16) * more), [246, 242, 226], [0.06, 0.14], 0.7);
  sheen(ctx, 0.16);
}

function drawNodule(ctx: LesionContext): void {
  const { soft, glow, spec, blob, R, zoom } = ctx;
  const first = PIGMENT[spec.colours[0] ?? 'pink'];
  soft.add(`<path d="${blob.path(1.35)}" fill="${rgb(PIGMENT.pink)}" fill-opacity="0.45"${soft.blur(R * 0.2)}/>`);
  soft.add(`<path d="${blob.path()}" fill="${rgb(first)}"${soft.blur(R * 0.06 + 0.5)}/>`);
  colourPatches(ctx, 1);
  if (R < 5) return;
  // Translucent, pearly dome with a rolled border catching the light.
  glow.add(`<path d="${blob.path(0.95)}" fill="rgb(255,244,240)" fill-opacity="0.16"${glow.blur(R * 0.1)}/>`);
  glow.add(`<path d="${blob.path(0.84)}" fill="none" stroke="rgb(255,246,242)" stroke-width="${f1(R * 0.16)}" stroke-opacity="0.32"${glow.blur(R * 0.05)}/>`);
  if (zoom !== 'plain') {
    telangiectasia(ctx);
    mottle(ctx, PIGMENT.red, 0.15, 0.2, 0.2);
  }
  if (spec.ulcerated) {
    const r = stream(spec.seed, 'ulcer');
    const p = blob.point(r.range(0, Math.PI * 2), r.range(0, 0.2));
    const ulcer = new Blob(r, p.x, p.y, R * r.range(0.24, 0.34), 0.7);
    // A haemorrhagic crust: dark red, not the brown-black of pigment.
    soft.add(`<path d="${ulcer.path()}" fill="rgb(196,104,96)"${soft.blur(R * 0.04 + 0.5)}/>`);
    soft.add(`<path d="${ulcer.path(0.65)}" fill="rgb(150,72,64)" fill-opacity="0.75"${soft.blur(R * 0.05 + 0.5)}/>`);
    if (spec.colours.includes('white')) {
      // Keratin heaped on an SCC.
      glow.add(`<path d="${ulcer.path(1.4)}" fill="${rgb(KERATIN)}" fill-opacity="0.55"${glow.blur(R * 0.05 + 0.5)}/>`);
      flakes(ctx, 'keratin', 0.3, new Blob(r, p.x, p.y, ulcer.r * 1.4, 0.7), KERATIN);
    }
  }
  sheen(ctx, 0.3);
}

/** Arborising vessels over a BCC: smooth trunks from the rim inwards, with finer branches. */
function telangiectasia(ctx: LesionContext): void {
  const { spec, blob, R, ppm, detail } = ctx;
  const r = stream(spec.seed, 'vessels');
  const trunks: string[] = [];
  const branches: string[] = [];
  for (let v = 0, n = r.int(3, 5); v < n; v++) {
    let p = blob.point(r.range(0, Math.PI * 2), r.range(0.8, 0.95));
    let heading = Math.atan2(blob.cy - p.y, blob.cx - p.x) + r.range(-0.7, 0.7);
    const pts: Pt[] = [p];
    for (let s = 0, steps = r.int(5, 9); s < steps; s++) {
      heading += r.range(-0.45, 0.45);
      const step = R * r.range(0.08, 0.13);
      p = { x: p.x + Math.cos(heading) * step, y: p.y + Math.sin(heading) * step };
      pts.push(p);
      if (s > 0 && r.float() < 0.35) {
        const a = heading + r.pick([-1, 1]) * r.range(0.5, 1.1);
        const mid = { x: p.x + Math.cos(a) * step, y: p.y + Math.sin(a) * step };
        const end = { x: mid.x + Math.cos(a + r.range(-0.5, 0.5)) * step, y: mid.y + Math.sin(a + r.range(-0.5, 0.5)) * step };
        branches.push(openCurve([p, mid, end]));
      }
    }
    trunks.push(openCurve(pts));
  }
  const clip = detail.clip(blob.path());
  const width = Math.max(1, 0.08 * ppm);
  detail.add(
    `<g clip-path="url(#${clip})" fill="none" stroke="rgb(200,72,86)" stroke-linecap="round"><path d="${trunks.join('')}" stroke-width="${f1(width)}" stroke-opacity="0.7"/><path d="${branches.join('')}" stroke-width="${f1(width * 0.55)}" stroke-opacity="0.6"/></g>`,
  );
}

/** White-silver scale (psoriasis, AK) or keratin, as small irregular flakes. */
function flakes(ctx: LesionContext, label: string, density: number, within: Blob, colour: Rgb): void {
  const { spec, ppm, over } = ctx;
  const r = stream(spec.seed, label);
  const size = Math.max(1.5, 0.5 * ppm);
  const count = Math.min(1200, Math.round(((within.r * within.r) / (size * size)) * density));
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const p = within.point(r.range(0, Math.PI * 2), Math.sqrt(r.float()) * 0.92);
    const s = size * r.range(0.4, 1.4);
    const turn = r.range(0, Math.PI);
    const corners: string[] = [];
    for (let k = 0, sides = r.int(4, 6); k < sides; k++) {
      const t = turn + (k / sides) * Math.PI * 2;
      const rr = s * r.range(0.5, 1);
      corners.push(`${f1(p.x + Math.cos(t) * rr)} ${f1(p.y + Math.sin(t) * rr * 0.7)}`);
    }
    parts.push(`<path d="M${corners.join('L')}Z" fill-opacity="${f1(r.range(0.2, 0.7))}"/>`);
  }
  over.add(`<g fill="${rgb(colour)}">${parts.join('')}</g>`);
}

function drawScalyPlaque(ctx: LesionContext): void {
  const { soft, spec, blob, R, zoom } = ctx;
  const first = PIGMENT[spec.colours[0] ?? 'pink'];
  soft.add(`<path d="${blob.path(1.08)}" fill="${rgb(first)}" fill-opacity="0.5"${soft.blur(R * 0.1)}/>`);
  soft.add(`<path d="${blob.path()}" fill="${rgb(first)}"${soft.blur(R * 0.03 + 0.5)}/>`);
  colourPatches(ctx, 1);
  if (zoom !== 'plain') mottle(ctx, PIGMENT.red, 0.2, 0.3, 0.3);
  const heavy = spec.colours.includes('white');
  if (heavy) {
    // Psoriasis: confluent silvery sheets as well as loose flakes.
    const r = stream(spec.seed, 'sheets');
    const sheets: string[] = [];
    for (let i = 0, n = r.int(3, 5); i < n; i++) {
      const p = blob.point(r.range(0, Math.PI * 2), r.range(0, 0.55));
      sheets.push(`<path d="${new Blob(r, p.x, p.y, R * r.range(0.25, 0.45), 0.9).path()}" fill-opacity="${f1(r.range(0.22, 0.38))}"/>`);
    }
    ctx.glow.add(`<g clip-path="url(#${ctx.glow.clip(blob.path(0.92))})" fill="${rgb(LIGHT_FLAKE)}"><g${ctx.glow.blur(R * 0.03 + 0.5)}>${sheets.join('')}</g></g>`);
  }
  flakes(ctx, 'scale', heavy ? 0.45 : 0.18, blob, LIGHT_FLAKE);
}

function drawEczema(ctx: LesionContext): void {
  const { soft, detail, spec, blob, R, ppm, zoom } = ctx;
  const first = PIGMENT[spec.colours[0] ?? 'pink'];
  // Ill-defined: the border fades over millimetres.
  soft.add(`<path d="${blob.path(1.15)}" fill="${rgb(first)}" fill-opacity="0.75"${soft.blur(R * 0.22)}/>`);
  colourPatches(ctx, 1);
  const r = stream(spec.seed, 'eczema');
  // Papules, then excoriations where the patient has scratched.
  dots(ctx, 'papules', detail, Math.min(400, Math.round((R * R) / (1.6 * ppm) ** 2)), PIGMENT.red, [0.25, 0.5], 0.45);
  if (zoom === 'plain' && R < 30) return;
  // Scratch marks come in parallel runs of two or three fingernails.
  const scratches: string[] = [];
  for (let i = 0, n = r.int(4, 8); i < n; i++) {
    const p = blob.point(r.range(0, Math.PI * 2), r.range(0, 0.8));
    const a = r.range(-0.5, 0.5) + Math.PI / 2;
    const len = r.range(1.5, 4) * ppm;
    const bend = r.range(-0.15, 0.15) * len;
    for (let k = 0, fingers = r.int(2, 3); k < fingers; k++) {
      const ox = Math.cos(a + Math.PI / 2) * k * 0.7 * ppm;
      const oy = Math.sin(a + Math.PI / 2) * k * 0.7 * ppm;
      const ex = p.x + ox + Math.cos(a) * len;
      const ey = p.y + oy + Math.sin(a) * len;
      const mx = (p.x + ox + ex) / 2 - Math.sin(a) * bend;
      const my = (p.y + oy + ey) / 2 + Math.cos(a) * bend;
      scratches.push(`M${f1(p.x + ox)} ${f1(p.y + oy)}Q${f1(mx)} ${f1(my)} ${f1(ex)} ${f1(ey)}`);
    }
  }
  detail.add(`<path d="${scratches.join('')}" fill="none" stroke="rgb(176,92,84)" stroke-width="${f1(Math.max(1, 0.14 * ppm))}" stroke-linecap="round" stroke-opacity="0.55"/>`);
  if (zoom !== 'plain') flakes(ctx, 'scale', 0.08, blob, LIGHT_FLAKE);
}

// ---------------------------------------------------------------------------------------------
// Scene furniture

function satellites(lesion: LesionSpec, frame: Frame, ppm: number): { lesion: LesionSpec; x: number; y: number }[] {
  const n = lesion.satellites ?? 0;
  const r = stream(lesion.seed, 'satellites');
  const out: { lesion: LesionSpec; x: number; y: number }[] = [];
  for (let i = 0; i < n; i++) {
    const a = r.range(0, Math.PI * 2);
    const dist = lesion.diameterMm * r.range(0.9, 2.2);
    out.push({
      lesion: { ...lesion, seed: lesion.seed * 31 + i + 1, diameterMm: lesion.diameterMm * r.range(0.25, 0.6), satellites: 0 },
      x: frame.x + Math.cos(a) * dist * ppm,
      y: frame.y + Math.sin(a) * dist * ppm,
    });
  }
  return out;
}

function backgroundSpots(spec: ImageSpec, layout: ImageLayout, frame: Frame): { lesion: LesionSpec; x: number; y: number }[] {
  const n = spec.backgroundSpots ?? 0;
  const r = stream(spec.seed, 'spots');
  const out: { lesion: LesionSpec; x: number; y: number }[] = [];
  const keepClear = (spec.lesion.diameterMm / 2 + 9) / layout.mmPerPixel;
  for (let i = 0; i < n; i++) {
    const x = r.range(0.03, 0.97) * layout.width;
    const y = r.range(0.03, 0.97) * layout.height;
    const lesion: LesionSpec = {
      seed: spec.seed * 97 + i,
      morphology: 'pigmented',
      diameterMm: r.range(1.2, 4.5),
      irregularity: r.range(0, 0.25),
      colours: r.float() < 0.5 ? ['tan'] : ['tan', 'brown'],
    };
    const u = x / layout.width;
    const edge = frame.edge;
    const offBody = edge ? (edge.side === 'left' ? u < edge.at + edge.wobble + 0.02 : u > 1 - edge.at - edge.wobble - 0.02) : false;
    if (offBody || Math.hypot(x - frame.x, y - frame.y) < keepClear) continue;
    out.push({ lesion, x, y });
  }
  return out;
}

/** Seven-segment style digits: a stroke font so the ruler never depends on installed fonts. */
const GLYPHS: Readonly<Record<string, string>> = {
  '0': 'M0 0L1 0L1 1.6L0 1.6Z',
  '1': 'M0.25 0.3L0.55 0L0.55 1.6',
  '2': 'M0 0L1 0L1 0.8L0 0.8L0 1.6L1 1.6',
  '3': 'M0 0L1 0L1 1.6L0 1.6M0.2 0.8L1 0.8',
  '4': 'M0 0L0 0.8L1 0.8M1 0L1 1.6',
  '5': 'M1 0L0 0L0 0.8L1 0.8L1 1.6L0 1.6',
  '6': 'M1 0L0 0L0 1.6L1 1.6L1 0.8L0 0.8',
  '7': 'M0 0L1 0L0.4 1.6',
  '8': 'M0 0L1 0L1 1.6L0 1.6ZM0 0.8L1 0.8',
  '9': 'M1 0.8L0 0.8L0 0L1 0L1 1.6L0 1.6',
  c: 'M1 0.6L0 0.6L0 1.6L1 1.6',
  m: 'M0 1.6L0 0.6L1 0.6L1 1.6M0.5 0.6L0.5 1.6',
};

function glyphs(text: string, x: number, y: number, size: number): string {
  let d = '';
  text.split('').forEach((ch, i) => {
    const g = GLYPHS[ch];
    if (!g) return;
    const ox = x + i * size * 1.5;
    d += g.replace(/(-?\d*\.?\d+) (-?\d*\.?\d+)/g, (_m, gx: string, gy: string) => `${f1(ox + Number(gx) * size)} ${f1(y + Number(gy) * size)}`);
  });
  return d;
}

/** A plastic ruler along the bottom of a close-up: millimetre ticks, centimetre numbers. */
function ruler(spec: ImageSpec, layout: ImageLayout): Promise<OverlayOptions> {
  const r = stream(spec.seed, 'ruler');
  const ppm = 1 / layout.mmPerPixel;
  const { width: w, height: h } = layout;
  const stripH = 7 * ppm;
  const angle = r.range(-1.5, 1.5);
  const slack = Math.abs(Math.sin((angle * Math.PI) / 180)) * w;
  const top = Math.round(h - stripH - 3 * ppm - slack);
  const layer = new SvgLayer({ x: 0, y: top, w, h: h - top }, 'over', null);
  const y0 = top + (h - top - stripH) / 2;
  const startMm = r.range(0, 1);
  const glyphSize = 1.1 * ppm;
  let ticks = '';
  let numbers = glyphs('cm', (2 + startMm) * ppm, y0 + 3.8 * ppm, glyphSize);
  for (let mm = 0; (mm + startMm) * ppm < w + slack; mm++) {
    const x = (mm + startMm) * ppm;
    const len = mm % 10 === 0 ? 3.2 : mm % 5 === 0 ? 2.3 : 1.5;
    ticks += `M${f1(x)} ${f1(y0)}L${f1(x)} ${f1(y0 + len * ppm)}`;
    if (mm % 10 === 0 && mm > 0) {
      const label = String(mm / 10);
      numbers += glyphs(label, x - (label.length * 1.5 - 0.5) * glyphSize * 0.5, y0 + 3.8 * ppm, glyphSize);
    }
  }
  const x0 = f1(-slack);
  const len = f1(w + slack * 2);
  // The shadow is a gradient, not a blur filter: a filter over the whole strip costs ~300 ms.
  layer.add(
    `<linearGradient id="shade" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="black" stop-opacity="0.4"/><stop offset="1" stop-color="black" stop-opacity="0"/></linearGradient>` +
      `<g transform="rotate(${f1(angle)} ${f1(w / 2)} ${f1(y0 + stripH / 2)})">` +
      `<rect x="${x0}" y="${f1(y0 + stripH)}" width="${len}" height="${f1(1.2 * ppm)}" fill="url(#shade)"/>` +
      `<rect x="${x0}" y="${f1(y0)}" width="${len}" height="${f1(stripH)}" fill="rgb(244,243,236)"/>` +
      `<rect x="${x0}" y="${f1(y0 + stripH * 0.7)}" width="${len}" height="${f1(stripH * 0.3)}" fill="rgb(226,224,214)" fill-opacity="0.5"/>` +
      `<path d="${ticks}" stroke="rgb(28,28,30)" stroke-width="${f1(Math.max(1, 0.12 * ppm))}"/>` +
      `<path d="${numbers}" fill="none" stroke="rgb(28,28,30)" stroke-width="${f1(Math.max(1, 0.16 * ppm))}" stroke-linejoin="round"/>` +
      `</g>`,
  );
  return layer.overlay();
}

/**
 * The dermatoscope's round field: black outside, a little light fall-off inside the rim.
 * Computed as raw RGBA at 1/4 scale and upscaled: the field is smooth apart from its rim, and a
 * full-resolution loop cost more than the rest of the image.
 */
async function dermoscopeVignette(layout: ImageLayout, frame: Frame): Promise<OverlayOptions> {
  const { width: w, height: h } = layout;
  const k = 4;
  const sw = Math.ceil(w / k);
  const sh = Math.ceil(h / k);
  const radius = (DERMOSCOPE_CIRCLE * Math.min(w, h)) / 2 / k;
  // The scope is centred on the lesion give or take; the circle follows the frame, not the lesion.
  const cx = (w / 2 + (frame.x - w / 2) * 0.3) / k;
  const cy = (h / 2 + (frame.y - h / 2) * 0.3) / k;
  const rim = 0.8 / radius;
  const small = Buffer.alloc(sw * sh * 4);
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < sw; x++) {
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy) / radius;
      const a = Math.max(0.35 * smoothstep(0.7, 1, d), smoothstep(1 - rim, 1 + rim, d));
      const i = (y * sw + x) * 4;
      small[i] = 6;
      small[i + 1] = 6;
      small[i + 2] = 8;
      small[i + 3] = Math.round(a * 255);
    }
  }
  const data = await sharp(small, { raw: { width: sw, height: sh, channels: 4 } }).resize(w, h, { fit: 'fill', kernel: 'cubic' }).raw().toBuffer();
  return { input: data, raw: { width: w, height: h, channels: 4 }, left: 0, top: 0, blend: 'over' };
}
