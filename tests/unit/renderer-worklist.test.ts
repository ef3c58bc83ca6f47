import { describe, expect, it } from 'vitest';
import { DUE_SOON_SHARE, dueState, dueText, sortForWorklist } from '../../renderer/src/worklist/due-state';
import { parseRoute, routeHref } from '../../renderer/src/app/route';
import { Priority } from '../../shared/contract';
import { claimActionFor } from '../../renderer/src/worklist/claim';
import { pickNext } from '../../renderer/src/worklist/queue-context';
import {
  DEFAULT_VIEW,
  filterPredicate,
  inQueue,
  latestOutcome,
  NO_FILTERS,
  prepareSearch,
  PRIORITY_RANK,
  queryRows,
  queuesFor,
  startOfLocalDay,
  type Me,
  type OutcomeSummary,
  type QueueId,
  type SortKey,
  type WorklistFilters,
  type WorklistRow,
  type WorklistView,
} from '../../renderer/src/worklist/worklist-model';
import { parseView, viewFromHash, viewHash, viewQuery } from '../../renderer/src/worklist/worklist-view';

const now = new Date('2026-11-10T12:00:00Z');
const at = (hoursFromNow: number) => new Date(now.getTime() + hoursFromNow * 3_600_000).toISOString();

describe('due state', () => {
  // Received 48 h before `now` unless said otherwise: a 2-day target is due soon in its last 12 h.
  const clock = (dueInHours: number, status: 'new' | 'in-review' | 'done' | 'waiting-info' = 'new', receivedHoursAgo = 48) => ({
    dueAt: at(dueInHours),
    receivedAt: at(-receivedHoursAgo),
    status,
  });

  it('is overdue past the due time, due soon in the last quarter of the target, on track before', () => {
    expect(dueState(clock(-1), now)).toBe('overdue');
    expect(dueState(clock(5, 'in-review'), now)).toBe('due-soon'); // 5 h left of 53 h
    expect(dueState(clock(48), now)).toBe('on-track');
    // Target 60 h: due soon from 15 h left.
    expect(dueState(clock(15, 'new', 45), now)).toBe('due-soon');
    expect(dueState(clock(16, 'new', 44), now)).toBe('on-track');
  });

  it('scales with the target: a 10-day waiting-list review is due soon days ahead, a short target never less than 30 min', () => {
    expect(dueState(clock(48, 'new', 192), now)).toBe('due-soon'); // 2 d left of 10 d
    expect(dueState({ dueAt: at(0.4), receivedAt: at(-0.6), status: 'new' }, now)).toBe('due-soon'); // 24 min left of 1 h
    expect(DUE_SOON_SHARE).toBe(0.25);
  });

  it('stops the clock once done or waiting for the referrer', () => {
    expect(dueState(clock(-100, 'done'), now)).toBe('closed');
    expect(dueState(clock(-100, 'waiting-info'), now)).toBe('closed');
  });

  it('says the clock in words: time left or overdue by', () => {
    expect(dueText(clock(-3), now).label).toBe('Overdue by 3 h');
    expect(dueText(clock(5), now).label).toBe('Due soon: 5 h left');
    expect(dueText(clock(50), now).label).toBe('2 d 2 h left');
    expect(dueText(clock(50, 'done'), now).label).toBe('');
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

// ------------------------------------------------------------------ queues, filters, sorts

const ME: Me = { id: '0192f0a0-0000-7000-8000-0000000000c1', role: 'consultant' };
const REG: Me = { id: '0192f0a0-0000-7000-8000-0000000000c2', role: 'registrar' };
const OTHER = '0192f0a0-0000-7000-8000-0000000000c3';
const HOUR = 3_600_000;
const nowMs = now.getTime();

let seq = 0;
function row(patch: Partial<WorklistRow> = {}): WorklistRow {
  seq++;
  return {
    id: `r${String(seq).padStart(3, '0')}`,
    status: 'new',
    pathway: 'advice',
    patientName: 'EXAMPLE, Ada',
    nameKey: 'example ada',
    nhsNumber: '9990000018',
    receivedAt: nowMs - 24 * HOUR,
    dueAt: nowMs + 24 * HOUR,
    assignedToId: null,
    assignedToName: null,
    practiceCode: 'A12345',
    outcome: null,
    ...patch,
  };
}
function outcomeOf(patch: Partial<OutcomeSummary>): OutcomeSummary {
  return { id: `o${++seq}`, referralId: 'x', status: 'draft', authorId: ME.id, signedOffById: null, finalAt: null, updatedAt: nowMs - HOUR, priority: null, ...patch };
}

describe('queues', () => {
  const today = startOfLocalDay(nowMs);
  const mine = row({ status: 'in-review', assignedToId: ME.id });
  const mineDone = row({ status: 'done', assignedToId: ME.id });
  const unassigned = row();
  const takenByOther = row({ status: 'in-review', assignedToId: OTHER });
  const signoffOther = row({ status: 'awaiting-signoff', outcome: outcomeOf({ status: 'awaiting-signoff', authorId: REG.id }) });
  const signoffMine = row({ status: 'awaiting-signoff', outcome: outcomeOf({ status: 'awaiting-signoff', authorId: ME.id }) });
  const returnedToReg = row({ status: 'in-review', assignedToId: REG.id, outcome: outcomeOf({ status: 'returned', authorId: REG.id }) });
  const waiting = row({ status: 'waiting-info' });
  const doneToday = row({ status: 'done', outcome: outcomeOf({ status: 'final', authorId: ME.id, finalAt: nowMs - HOUR }) });
  const signedToday = row({ status: 'done', outcome: outcomeOf({ status: 'final', authorId: REG.id, signedOffById: ME.id, finalAt: today + 1 }) });
  const doneYesterday = row({ status: 'done', outcome: outcomeOf({ status: 'final', authorId: ME.id, finalAt: today - 1 }) });
  const doneByOther = row({ status: 'done', outcome: outcomeOf({ status: 'final', authorId: OTHER, finalAt: nowMs - HOUR }) });
  const all = [mine, mineDone, unassigned, takenByOther, signoffOther, signoffMine, returnedToReg, waiting, doneToday, signedToday, doneYesterday, doneByOther];
  const members = (q: QueueId, me: Me) => all.filter((r) => inQueue(q, r, me, today));

  it('my work: assigned to me and not done', () => expect(members('mine', ME)).toEqual([mine]));
  it('unassigned: new and nobody has it', () => expect(members('unassigned', ME)).toEqual([unassigned]));
  it("awaiting my sign-off: a consultant's, someone else's outcome only", () => {
    expect(members('signoff', ME)).toEqual([signoffOther]);
    expect(members('signoff', REG)).toEqual([]);
  });
  it("returned to me: a registrar's own returned outcome", () => {
    expect(members('returned', REG)).toEqual([returnedToReg]);
    expect(members('returned', ME)).toEqual([]);
  });
  it('waiting for information', () => expect(members('waiting', ME)).toEqual([waiting]));
  it('done today: final outcomes I wrote or signed off since local midnight', () => {
    expect(members('done-today', ME)).toEqual([doneToday, signedToday]);
    expect(members('done-today', REG)).toEqual([signedToday]);
  });
  it('roles see their own queues', () => {
    expect(queuesFor('consultant')).toContain('signoff');
    expect(queuesFor('consultant')).not.toContain('returned');
    expect(queuesFor('registrar')).toContain('returned');
    expect(queuesFor('registrar')).not.toContain('signoff');
  });
  it('the latest outcome speaks for the referral; superseded ones never do', () => {
    const old = outcomeOf({ status: 'final', updatedAt: 1 });
    const newer = outcomeOf({ status: 'draft', updatedAt: 2, priority: 'urgent' });
    expect(latestOutcome([old, newer])).toBe(newer);
    expect(latestOutcome([old, outcomeOf({ status: 'superseded', updatedAt: 3 })])).toBe(old);
    expect(latestOutcome([])).toBeNull();
  });
});

describe('filters and search', () => {
  const usc = row({ pathway: 'usc', patientName: 'SMITH, Jo', nameKey: 'smith jo', nhsNumber: '9991234567', practiceCode: 'B22222' });
  const overdue = row({ dueAt: nowMs - HOUR, outcome: outcomeOf({ priority: 'P2' }) });
  const old = row({ receivedAt: nowMs - 10 * 24 * HOUR, dueAt: nowMs + 100 * HOUR });
  const waiting = row({ status: 'waiting-info' });
  const rows = [usc, overdue, old, waiting];
  const pick = (patch: Partial<WorklistFilters>) => rows.filter(filterPredicate({ ...NO_FILTERS, ...patch }, nowMs));

  it('by pathway, status, practice and priority (none = not yet set)', () => {
    expect(pick({ pathway: 'usc' })).toEqual([usc]);
    expect(pick({ status: 'waiting-info' })).toEqual([waiting]);
    expect(pick({ practice: 'B22222' })).toEqual([usc]);
    expect(pick({ priority: 'P2' })).toEqual([overdue]);
    expect(pick({ priority: 'none' })).toEqual([usc, old, waiting]);
  });
  it('by due state and age', () => {
    expect(pick({ due: 'overdue' })).toEqual([overdue]);
    expect(pick({ due: 'on-track' })).toEqual([usc, old]);
    expect(pick({ age: { mode: 'older', days: 7 } })).toEqual([old]);
    expect(pick({ age: { mode: 'within', days: 7 } })).toEqual([usc, overdue, waiting]);
  });
  it('searches names by words in any order and NHS numbers with or without spaces', () => {
    expect(pick({ search: 'jo smith' })).toEqual([usc]);
    expect(pick({ search: 'SMITH, J' })).toEqual([usc]);
    expect(pick({ search: '999 123 4567' })).toEqual([usc]);
    expect(pick({ search: '9991234567' })).toEqual([usc]);
    expect(pick({ search: '1234' })).toEqual([usc]);
    expect(pick({ search: 'nobody' })).toEqual([]);
    expect(prepareSearch('  ')).toBeNull();
  });
});

describe('sorts', () => {
  const a = row({ pathway: 'waiting-list', nameKey: 'brown al', dueAt: nowMs + 5 * HOUR, receivedAt: nowMs - 2 * HOUR, outcome: outcomeOf({ priority: 'routine' }) });
  const b = row({ pathway: 'usc', nameKey: 'adams bo', dueAt: nowMs + 9 * HOUR, receivedAt: nowMs - 9 * HOUR, outcome: outcomeOf({ priority: 'P1a' }) });
  const c = row({ pathway: 'advice', nameKey: 'clark cy', dueAt: nowMs + 1 * HOUR, receivedAt: nowMs - 5 * HOUR });
  const closed = row({ status: 'done', nameKey: 'aaron di', dueAt: nowMs - 50 * HOUR, receivedAt: nowMs - 99 * HOUR });
  const ids = (sort: SortKey, dir: 'asc' | 'desc' = 'asc') => queryRows([a, b, c, closed], { ...DEFAULT_VIEW, sort, dir }, ME, nowMs).map((r) => r.id);

  it('due: running clocks soonest first, stopped ones after', () => expect(ids('due')).toEqual([c.id, a.id, b.id, closed.id]));
  it('age: oldest first', () => expect(ids('received')).toEqual([closed.id, b.id, c.id, a.id]));
  it('priority: most urgent first, unset last', () => expect(ids('priority')).toEqual([b.id, a.id, c.id, closed.id]));
  it('pathway: USC first', () => expect(ids('pathway')).toEqual([b.id, c.id, closed.id, a.id]));
  it('patient name, and descending reverses', () => {
    expect(ids('name')).toEqual([closed.id, b.id, a.id, c.id]);
    expect(ids('name', 'desc')).toEqual([c.id, a.id, b.id, closed.id]);
  });
  it('ranks every priority', () => expect(Object.keys(PRIORITY_RANK).sort()).toEqual([...Priority.options].sort()));
});

describe('the view in the hash', () => {
  it('round-trips every field and leaves defaults out', () => {
    const view: WorklistView = {
      queue: 'signoff',
      filters: { pathway: 'usc', priority: 'none', due: 'due-soon', age: { mode: 'older', days: 7 }, practice: 'A12345', status: 'in-review', search: 'smith 999' },
      sort: 'priority',
      dir: 'desc',
    };
    const hash = `#/?${viewQuery(view)}`;
    expect(viewFromHash(hash)).toEqual(view);
    expect(viewHash(DEFAULT_VIEW)).toBe('#/');
    expect(parseRoute(hash)).toEqual({ name: 'worklist' });
  });
  it('never writes the search (a name or NHS number) into the address, which reaches the disk', () => {
    const view: WorklistView = { ...DEFAULT_VIEW, queue: 'mine', filters: { ...DEFAULT_VIEW.filters, search: 'smith 999 000 0018' } };
    expect(viewHash(view)).toBe('#/?queue=mine');
    expect(viewHash({ ...view, queue: 'all' })).toBe('#/');
  });
  it('ignores what it does not know', () => {
    expect(parseView('queue=everything&pathway=x&sort=zzz&age=soon&practice=<b>')).toEqual(DEFAULT_VIEW);
    expect(viewFromHash('#/')).toBeNull();
    expect(viewFromHash('#/referrals/abc?queue=mine')).toBeNull();
  });
});

describe('next in queue', () => {
  const q = (...ids: string[]) => ids.map((id) => ({ id }));
  it('is the one after while the case is still in the queue', () => expect(pickNext('b', q('a', 'b', 'c'))).toBe('c'));
  it('is the one that followed it on screen once it has left', () => expect(pickNext('b', q('a', 'c', 'd'), q('a', 'b', 'c', 'd'))).toBe('c'));
  it('skips cases that left the queue meanwhile', () => expect(pickNext('b', q('a', 'd'), q('a', 'b', 'c', 'd'))).toBe('d'));
  it('goes back to the first left when nothing followed', () => expect(pickNext('c', q('a'), q('a', 'b', 'c'))).toBe('a'));
  it('is null at the end of the queue and when the queue is empty', () => {
    expect(pickNext('c', q('a', 'b', 'c'))).toBeNull();
    expect(pickNext('c', q(), q('c'))).toBeNull();
  });
});

describe('take and release from the row', () => {
  it('follows the case view: take unassigned, release my own (or any, as a consultant) while in review', () => {
    expect(claimActionFor({ status: 'new', assignedToId: null }, REG)).toBe('referral.claim');
    expect(claimActionFor({ status: 'in-review', assignedToId: REG.id }, REG)).toBe('referral.release');
    expect(claimActionFor({ status: 'in-review', assignedToId: OTHER }, REG)).toBeNull();
    expect(claimActionFor({ status: 'in-review', assignedToId: OTHER }, ME)).toBe('referral.release');
    expect(claimActionFor({ status: 'awaiting-signoff', assignedToId: null }, ME)).toBeNull();
    expect(claimActionFor({ status: 'done', assignedToId: ME.id }, ME)).toBeNull();
  });
});
