/**
 * Per-view display adjustments. They change only how the pane's canvas is painted (a CSS
 * filter on it), never the pixels in the cache or on the service, so two clinicians looking at
 * the same image start from the same photograph.
 */
export interface Adjustments {
  /** 1 = unchanged; CSS brightness(). */
  readonly brightness: number;
  /** 1 = unchanged; CSS contrast(). */
  readonly contrast: number;
  /** Display gamma: above 1 lifts the mid-tones, below 1 deepens them. */
  readonly gamma: number;
  /** 1 = unchanged, 0 = greyscale; CSS saturate(). */
  readonly saturation: number;
}

export const NEUTRAL: Adjustments = { brightness: 1, contrast: 1, gamma: 1, saturation: 1 };

export interface AdjustmentRange {
  readonly key: keyof Adjustments;
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly step: number;
}

export const ADJUSTMENT_RANGES: readonly AdjustmentRange[] = [
  { key: 'brightness', label: 'Brightness', min: 0.5, max: 1.8, step: 0.05 },
  { key: 'contrast', label: 'Contrast', min: 0.5, max: 1.8, step: 0.05 },
  { key: 'gamma', label: 'Gamma', min: 0.4, max: 2.5, step: 0.05 },
  { key: 'saturation', label: 'Saturation', min: 0, max: 2, step: 0.05 },
];

export function isNeutral(a: Adjustments): boolean {
  return a.brightness === 1 && a.contrast === 1 && a.gamma === 1 && a.saturation === 1;
}

/** Keeps a value inside its slider's range (a typed or stale value never reaches the filter). */
export function clampAdjustment(key: keyof Adjustments, value: number): number {
  const range = ADJUSTMENT_RANGES.find((r) => r.key === key)!;
  if (!Number.isFinite(value)) return NEUTRAL[key];
  return Math.min(range.max, Math.max(range.min, value));
}

/**
 * The CSS `filter` value. CSS has no gamma function, so gamma is an SVG filter referenced by
 * id (its exponent is 1/gamma, see `gammaExponent`). An unchanged view gets no filter at all:
 * on a software rasteriser every filtered frame costs a full-canvas pass.
 */
export function cssFilter(a: Adjustments, gammaFilterId: string): string {
  if (isNeutral(a)) return 'none';
  const parts: string[] = [];
  if (a.gamma !== 1) parts.push(`url(#${gammaFilterId})`);
  if (a.brightness !== 1) parts.push(`brightness(${a.brightness})`);
  if (a.contrast !== 1) parts.push(`contrast(${a.contrast})`);
  if (a.saturation !== 1) parts.push(`saturate(${a.saturation})`);
  return parts.join(' ');
}

export function gammaExponent(a: Adjustments): number {
  return 1 / a.gamma;
}

export function formatAdjustment(key: keyof Adjustments, value: number): string {
  return key === 'gamma' ? value.toFixed(2) : `${Math.round(value * 100)}%`;
}
