import { describe, expect, it } from 'vitest';
import { dziMaxLevel } from '../../shared/dzi';
import { PREFETCH_SCREEN } from '../../shared/workstation-settings';
import { fitLevel, levelSize, planTiles, prefetchPlan } from '../../renderer/src/data/tiles/prefetch-plan';

const shape = (width: number, height: number, tileSize = 254) => ({ width, height, tileSize });
const counts = (plan: ReturnType<typeof prefetchPlan>) => plan.levels.map((l) => [l.level, l.cols, l.rows]);

describe('prefetchPlan', () => {
  it('6000 × 4000 (254 px tiles, overlap 1) on a 2560 × 1440 screen: the whole pyramid, 521 tiles', () => {
    const plan = prefetchPlan(shape(6000, 4000), PREFETCH_SCREEN);
    // Fitted: × 0.36 = 2160 × 1440. Level 11 (1500 × 1000) is short; level 12 (3000 × 2000) covers.
    expect(plan.maxLevel).toBe(13);
    expect(plan.fitLevel).toBe(12);
    expect(plan.deepestLevel).toBe(13);
    expect(counts(plan)).toEqual([
      [0, 1, 1],
      [1, 1, 1],
      [2, 1, 1],
      [3, 1, 1],
      [4, 1, 1],
      [5, 1, 1],
      [6, 1, 1],
      [7, 1, 1],
      [8, 1, 1], // 188 × 125
      [9, 2, 1], // 375 × 250
      [10, 3, 2], // 750 × 500
      [11, 6, 4], // 1500 × 1000
      [12, 12, 8], // 3000 × 2000
      [13, 24, 16], // 6000 × 4000
    ]);
    expect(plan.tileCount).toBe(9 + 2 + 6 + 24 + 96 + 384);
    expect(plan.tileCount).toBe(521);
    expect([...planTiles(plan)]).toHaveLength(521);
  });

  it('a large image: the fit level plus one, short of the full resolution', () => {
    const plan = prefetchPlan(shape(20000, 10000), PREFETCH_SCREEN);
    // Fitted: × 0.128 = 2560 × 1280; level 12 is 2500 wide (short), level 13 (5000 × 2500) covers.
    expect(plan.maxLevel).toBe(15);
    expect(plan.fitLevel).toBe(13);
    expect(plan.deepestLevel).toBe(14);
    expect(plan.levels.at(-1)).toEqual({ level: 14, width: 10000, height: 5000, cols: 40, rows: 20, tiles: 800 });
    expect(plan.levels.map((l) => l.level)).toEqual(Array.from({ length: 15 }, (_, i) => i));
  });

  it('a portrait image fits by its height', () => {
    const plan = prefetchPlan(shape(3000, 6000), PREFETCH_SCREEN);
    // Fitted: × 0.24 = 720 × 1440; level 11 is 750 × 1500.
    expect(plan.fitLevel).toBe(11);
    expect(plan.deepestLevel).toBe(12);
    expect(counts(plan).slice(8)).toEqual([
      [8, 1, 1], // 94 × 188
      [9, 1, 2], // 188 × 375
      [10, 2, 3], // 375 × 750
      [11, 3, 6], // 750 × 1500
      [12, 6, 12], // 1500 × 3000
    ]);
    expect(plan.tileCount).toBe(9 + 2 + 6 + 18 + 72);
  });

  it('a small image (scaled up to fit) is planned whole, never past its deepest level', () => {
    const plan = prefetchPlan(shape(800, 600), PREFETCH_SCREEN);
    expect(plan.maxLevel).toBe(10);
    expect(plan.fitLevel).toBe(10);
    expect(plan.deepestLevel).toBe(10);
    expect(counts(plan).slice(8)).toEqual([
      [8, 1, 1],
      [9, 2, 2],
      [10, 4, 3],
    ]);
    expect(plan.tileCount).toBe(9 + 4 + 12);

    const tiny = prefetchPlan(shape(1, 1));
    expect(tiny).toMatchObject({ maxLevel: 0, fitLevel: 0, deepestLevel: 0, tileCount: 1 });
  });

  it('"plus one level" never exceeds the maximum level', () => {
    for (const [w, h] of [
      [2560, 1440],
      [2561, 1441],
      [5120, 2880],
      [100, 5000],
      [5000, 100],
      [7, 3],
      [65000, 65000],
    ] as const) {
      const plan = prefetchPlan(shape(w, h));
      const max = dziMaxLevel(w, h);
      expect(plan.deepestLevel).toBeLessThanOrEqual(max);
      expect(plan.deepestLevel).toBe(Math.min(plan.fitLevel + 1, max));
      expect(plan.levels).toHaveLength(plan.deepestLevel + 1);
    }
  });

  it('the fit level is the smallest that covers the fitted size', () => {
    // Exactly the screen: nothing smaller than full resolution covers it.
    expect(fitLevel(shape(2560, 1440), PREFETCH_SCREEN)).toBe(dziMaxLevel(2560, 1440));
    // Twice the screen: one level down covers it exactly.
    expect(fitLevel(shape(5120, 2880), PREFETCH_SCREEN)).toBe(dziMaxLevel(5120, 2880) - 1);
    expect(levelSize(5120, 2880, 12)).toEqual({ width: 2560, height: 1440 });
    // Odd sizes round up at each level.
    expect(levelSize(6001, 4001, 12)).toEqual({ width: 3001, height: 2001 });
  });

  it('lists tiles coarse level first, row by row', () => {
    const tiles = [...planTiles(prefetchPlan(shape(600, 300)))];
    expect(tiles.slice(0, 2)).toEqual([
      { level: 0, col: 0, row: 0 },
      { level: 1, col: 0, row: 0 },
    ]);
    expect(tiles.slice(-3)).toEqual([
      { level: 10, col: 0, row: 1 },
      { level: 10, col: 1, row: 1 },
      { level: 10, col: 2, row: 1 },
    ]);
  });
});
