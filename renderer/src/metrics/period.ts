/*
 * Pure: the dashboard's period picker. The service counts whole UTC days, `from` and `to`
 * inclusive, so presets are computed on the UTC calendar too.
 */
import type { MetricsQuery } from '../../../shared/contract';

export type PeriodPreset = 'last-7-days' | 'last-30-days' | 'this-month';

export const PRESET_LABELS: Readonly<Record<PeriodPreset, string>> = {
  'last-7-days': 'Last 7 days',
  'last-30-days': 'Last 30 days',
  'this-month': 'This month',
};

const DAY = 86_400_000;

/** YYYY-MM-DD of an instant, on the UTC calendar. */
export function utcDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The preset's period ending today (inclusive). */
export function presetPeriod(preset: PeriodPreset, now: Date): MetricsQuery {
  const to = utcDate(now);
  switch (preset) {
    case 'last-7-days':
      return { from: utcDate(new Date(now.getTime() - 6 * DAY)), to };
    case 'last-30-days':
      return { from: utcDate(new Date(now.getTime() - 29 * DAY)), to };
    case 'this-month':
      return { from: `${to.slice(0, 8)}01`, to };
  }
}

/** Which preset a period is, if any: the picker shows it as chosen. */
export function presetOf(period: MetricsQuery, now: Date): PeriodPreset | null {
  for (const preset of Object.keys(PRESET_LABELS) as PeriodPreset[]) {
    const p = presetPeriod(preset, now);
    if (p.from === period.from && p.to === period.to) return preset;
  }
  return null;
}
