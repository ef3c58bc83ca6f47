import { describe, expect, it } from 'vitest';
import { dueState, dueText, sortForWorklist } from '../../renderer/src/worklist/due-state';
import { parseRoute, routeHref } from '../../renderer/src/app/route';

const now = new Date('2026-11-10T12:00:00Z');
const at = (hoursFromNow: number) => new Date(now.getTime() + hoursFromNow * 3_600_000).toISOString();

describe('due state', () => {
  it('is overdue past the due time, due soon within a day, on track after', () => {
    expect(dueState({ dueAt: at(-1), status: 'new' }, now)).toBe('overdue');
    expect(dueState({ dueAt: at(5), status: 'in-review' }, now)).toBe('due-soon');
    expect(dueState({ dueAt: at(48), status: 'new' }, now)).toBe('on-track');
  });

  it('stops the clock once done or waiting for the referrer', () => {
    expect(dueState({ dueAt: at(-100), status: 'done' }, now)).toBe('closed');
    expect(dueState({ dueAt: at(-100), status: 'waiting-info' }, now)).toBe('closed');
  });

  it('says the state in words', () => {
    expect(dueText({ dueAt: at(-3), status: 'new' }, now).label).toBe('Overdue by 3 h');
    expect(dueText({ dueAt: at(5), status: 'new' }, now).label).toBe('Due soon (in 5 h)');
    expect(dueText({ dueAt: at(50), status: 'new' }, now).label).toBe('Due in 2 d 2 h');
    expect(dueText({ dueAt: at(50), status: 'done' }, now).label).toBe('');
  });
});

describe('worklist order', () => {
  it('puts open referrals first by due time, closed ones after', () => {
    const rows = [
      { id: 'a', dueAt: at(10), status: 'new' as const },
      { id: 'b', dueAt: at(-50), status: 'done' as const },
      { id: 'c', dueAt: at(-2), status: 'in-review' as const },
      { id: 'd', dueAt: at(30), status: 'new' as const },
    ];
    expect(sortForWorklist(rows).map((r) => r.id)).toEqual(['c', 'a', 'd', 'b']);
  });
});

describe('routes', () => {
  const id = '0192f0a0-0000-7000-8000-000000000001';
  it('reads a case from the hash and round-trips', () => {
    expect(parseRoute(`#/referrals/${id}`)).toEqual({ name: 'case', referralId: id });
    expect(routeHref({ name: 'case', referralId: id })).toBe(`#/referrals/${id}`);
  });
  it('falls back to the worklist', () => {
    expect(parseRoute('')).toEqual({ name: 'worklist' });
    expect(parseRoute('#/referrals/not-an-id')).toEqual({ name: 'worklist' });
  });
});
