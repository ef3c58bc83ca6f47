import { describe, expect, it } from 'vitest';
import { dueAt } from '../../shared/domain/pathway-targets';
import { addWorkingDays } from '../../shared/domain/working-days';

describe('working-day targets', () => {
  it('skips the weekend', () => {
    // Friday 2026-11-20 + 1 working day = Monday 2026-11-23
    expect(addWorkingDays(new Date('2026-11-20T15:00:00Z'), 1).toISOString()).toBe('2026-11-23T15:00:00.000Z');
    expect(addWorkingDays(new Date('2026-11-18T09:00:00Z'), 2).toISOString()).toBe('2026-11-20T09:00:00.000Z');
  });

  it('skips bank holidays given by the trust', () => {
    const xmas = new Set(['2026-12-25', '2026-12-28']);
    // Thursday 24 Dec + 1 = Tuesday 29 Dec
    expect(addWorkingDays(new Date('2026-12-24T10:00:00Z'), 1, xmas).toISOString().slice(0, 10)).toBe('2026-12-29');
  });

  it('applies the default target per pathway', () => {
    const received = new Date('2026-11-23T10:00:00Z'); // Monday
    expect(dueAt(received, 'usc').toISOString().slice(0, 10)).toBe('2026-11-24');
    expect(dueAt(received, 'advice').toISOString().slice(0, 10)).toBe('2026-11-25');
    expect(dueAt(received, 'waiting-list').toISOString().slice(0, 10)).toBe('2026-12-07');
  });

  it('refuses nonsense', () => {
    expect(() => addWorkingDays(new Date(), -1)).toThrow(RangeError);
    expect(() => addWorkingDays(new Date(), 1.5)).toThrow(RangeError);
  });
});
