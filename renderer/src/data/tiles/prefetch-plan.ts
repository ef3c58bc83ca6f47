import type { ImageRecord } from '../../../../shared/contract';
import { dziMaxLevel } from '../../../../shared/dzi';
import { PREFETCH_SCREEN } from '../../../../shared/workstation-settings';

export interface ScreenSize {
  readonly width: number;
  readonly height: number;
}

export type PyramidShape = Pick<ImageRecord, 'width' | 'height' | 'tileSize'>;

export interface LevelPlan {
  readonly level: number;
  /** Pixels of the whole image at this level. */
  readonly width: number;
  readonly height: number;
  readonly cols: number;
  readonly rows: number;
  readonly tiles: number;
}

export interface PrefetchPlan {
  readonly maxLevel: number;
  /** The smallest level that covers the image fitted to the screen. */
  readonly fitLevel: number;
  /** One level deeper than the fit (for the first zoom), capped at the pyramid's deepest. */
  readonly deepestLevel: number;
  /** Every level from 0 to `deepestLevel`, coarse first. */
  readonly levels: readonly LevelPlan[];
  readonly tileCount: number;
}

export interface TilePosition {
  readonly level: number;
  readonly col: number;
  readonly row: number;
}

/** Size of the image at a Deep Zoom level: each level down halves it, rounding up. */
export function levelSize(width: number, height: number, level: number): { width: number; height: number } {
  const scale = 2 ** (dziMaxLevel(width, height) - level);
  return { width: Math.ceil(width / scale), height: Math.ceil(height / scale) };
}

export function levelPlan(image: PyramidShape, level: number): LevelPlan {
  const size = levelSize(image.width, image.height, level);
  const cols = Math.ceil(size.width / image.tileSize);
  const rows = Math.ceil(size.height / image.tileSize);
  return { level, width: size.width, height: size.height, cols, rows, tiles: cols * rows };
}

/**
 * The level the viewer draws at "fit" on `screen`: the smallest whose pixels cover the image
 * scaled to fit the screen. OpenSeadragon also scales a small image up to fit, in which case
 * nothing finer than the full resolution exists and the answer is the deepest level.
 */
export function fitLevel(image: PyramidShape, screen: ScreenSize): number {
  const maxLevel = dziMaxLevel(image.width, image.height);
  const scale = Math.min(screen.width / image.width, screen.height / image.height);
  // A hair of tolerance so that floating-point noise in the fitted size never demands a level more.
  const fitted = { width: image.width * scale - 1e-6, height: image.height * scale - 1e-6 };
  for (let level = 0; level < maxLevel; level++) {
    const size = levelSize(image.width, image.height, level);
    if (size.width >= fitted.width && size.height >= fitted.height) return level;
  }
  return maxLevel;
}

/**
 * What to prefetch of one image so that it opens offline as it would online: the fit level,
 * one deeper for the first zoom in, and every coarser level (the navigator and OpenSeadragon's
 * coarse-to-fine drawing ask for those first).
 */
export function prefetchPlan(image: PyramidShape, screen: ScreenSize = PREFETCH_SCREEN): PrefetchPlan {
  const maxLevel = dziMaxLevel(image.width, image.height);
  const fit = fitLevel(image, screen);
  const deepestLevel = Math.min(fit + 1, maxLevel);
  const levels: LevelPlan[] = [];
  for (let level = 0; level <= deepestLevel; level++) levels.push(levelPlan(image, level));
  return { maxLevel, fitLevel: fit, deepestLevel, levels, tileCount: levels.reduce((n, l) => n + l.tiles, 0) };
}

/** The plan's tiles, coarse levels first, row by row, so a run cut short still helps. */
export function* planTiles(plan: PrefetchPlan): Generator<TilePosition> {
  for (const level of plan.levels) {
    for (let row = 0; row < level.rows; row++) {
      for (let col = 0; col < level.cols; col++) yield { level: level.level, col, row };
    }
  }
}
