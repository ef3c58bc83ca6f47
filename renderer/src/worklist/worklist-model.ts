import type { Outcome, OutcomeStatus, Pathway, Priority, Referral, ReferralStatus, Role } from '../../../shared/contract';
import { patientName } from '../format/patient';
import { CLOCK_STOPPED, dueStateAt, type DueState } from './due-state';

/*
 * The worklist's pure parts: what one row holds, which queues it is in, the filters, the sort
 * orders and the search. No I/O and no React: the index (`data/worklist-index.ts`) and the
 * tests use them directly.
 */

/** What the worklist needs of an outcome: who, which state, when final, and the priority. */
export interface OutcomeSummary {
  readonly id: string;
  readonly referralId: string;
  readonly status: OutcomeStatus;
  readonly authorId: string;
  readonly signedOffById: string | null;
  /** When it became final (sign-off time, else submission), ms; null unless final. */
  readonly finalAt: number | null;
  readonly updatedAt: number;
  readonly priority: Priority | null;
}

/**
 * One worklist row: only what the table shows or filters on, never the history, the question
 * or the images. Times are ms so filters and sorts compare numbers.
 */
export interface WorklistRow {
  readonly id: string;
  readonly status: ReferralStatus;
  readonly pathway: Pathway;
  /** "FAMILY, Given", as shown. */
  readonly patientName: string;
  /** Lower-case "family given" for sorting and search. */
  readonly nameKey: string;
  /** Ten digits, no spaces. */
  readonly nhsNumber: string;
  readonly receivedAt: number;
  readonly dueAt: number;
  readonly assignedToId: string | null;
  readonly assignedToName: string | null;
  readonly practiceCode: string;
  /** The latest outcome or draft on the referral (superseded ones never count). */
  readonly outcome: OutcomeSummary | null;
}

export function summariseOutcome(o: Outcome): OutcomeSummary {
  const final = o.status === 'final';
  return {
    id: o.id,
    referralId: o.referralId,
    status: o.status,
    authorId: o.author.id,
    signedOffById: o.signedOff?.by.id ?? null,
    finalAt: final ? Date.parse(o.signedOff?.at ?? o.submittedAt ?? o.updatedAt) : null,
    updatedAt: Date.parse(o.updatedAt),
    priority: o.priority ?? null,
  };
}

/** The outcome that speaks for the referral now: the latest one not superseded, final ones first on a tie. */
export function latestOutcome(outcomes: Iterable<OutcomeSummary>): OutcomeSummary | null {
  let best: OutcomeSummary | null = null;
  for (const o of outcomes) {
    if (o.status === 'superseded') continue;
    if (!best || o.updatedAt > best.updatedAt || (o.updatedAt === best.updatedAt && o.status === 'final' && best.status !== 'final')) best = o;
  }
  return best;
}

export function summariseReferral(r: Referral, outcome: OutcomeSummary | null): WorklistRow {
  return {
    id: r.id,
    status: r.status,
    pathway: r.pathway,
    patientName: patientName(r.patient),
    nameKey: `${r.patient.name.family} ${r.patient.name.given}`.toLowerCase(),
    nhsNumber: r.patient.nhsNumber,
    receivedAt: Date.parse(r.receivedAt),
    dueAt: Date.parse(r.dueAt),
    assignedToId: r.assignedTo?.id ?? null,
    assignedToName: r.assignedTo?.name ?? null,
    practiceCode: r.referrer.practiceCode,
    outcome,
  };
}

export const priorityOf = (row: WorklistRow): Priority | null => row.outcome?.priority ?? null;

// ---------------------------------------------------------------- queues

export type QueueId = 'all' | 'mine' | 'unassigned' | 'signoff' | 'returned' | 'waiting' | 'done-today';

export const QUEUE_LABELS: Readonly<Record<QueueId, string>> = {
  all: 'All referrals',
  mine: 'My work',
  unassigned: 'Unassigned',
  signoff: 'Awaiting my sign-off',
  returned: 'Returned to me',
  waiting: 'Waiting for information',
  'done-today': 'Done today',
};

export interface Me {
  readonly id: string;
  readonly role: Role;
}

/** The queues a role works from, in the order shown. Sign-off is a consultant's, returns a registrar's. */
export function queuesFor(role: Role): QueueId[] {
  return [
    'mine',
    'unassigned',
    ...(role === 'consultant' || role === 'admin' ? (['signoff'] as const) : []),
    ...(role === 'registrar' ? (['returned'] as const) : []),
    'waiting',
    'done-today',
    'all',
  ];
}

/** Midnight at the start of `now`'s local day (the workstation's day, as the clinician lives it). */
export function startOfLocalDay(nowMs: number): number {
  const d = new Date(nowMs);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/**
 * Whether the row is in the queue. "Done today" compares with the start of the local day, so
 * it is the one queue that changes by itself at midnight; the rest change only with the row.
 */
export function inQueue(queue: QueueId, row: WorklistRow, me: Me, todayStart: number): boolean {
  const o = row.outcome;
  switch (queue) {
    case 'all':
      return true;
    case 'mine':
      return row.assignedToId === me.id && row.status !== 'done';
    case 'unassigned':
      return row.status === 'new' && row.assignedToId === null;
    case 'signoff':
      return me.role === 'consultant' && row.status === 'awaiting-signoff' && o !== null && o.status === 'awaiting-signoff' && o.authorId !== me.id;
    case 'returned':
      return me.role === 'registrar' && o !== null && o.status === 'returned' && o.authorId === me.id && row.status !== 'done';
    case 'waiting':
      return row.status === 'waiting-info';
    case 'done-today':
      return doneByMe(row, me) && (o?.finalAt ?? 0) >= todayStart;
  }
}

/** Done with a final outcome this clinician wrote or signed off (at any time): the "done today" bucket before the day is applied. */
export function doneByMe(row: WorklistRow, me: Me): boolean {
  const o = row.outcome;
  return row.status === 'done' && o !== null && o.status === 'final' && (o.authorId === me.id || o.signedOffById === me.id);
}

// ---------------------------------------------------------------- filters

export type AgeFilter = { readonly mode: 'within' | 'older'; readonly days: number };

export interface WorklistFilters {
  readonly pathway: Pathway | null;
  /** A priority, or 'none' for rows with no outcome priority yet. */
  readonly priority: Priority | 'none' | null;
  readonly due: Exclude<DueState, 'closed'> | null;
  readonly age: AgeFilter | null;
  readonly practice: string | null;
  readonly status: ReferralStatus | null;
  /** Free text: patient name words, or NHS number digits (spaces allowed). */
  readonly search: string;
}

export const NO_FILTERS: WorklistFilters = { pathway: null, priority: null, due: null, age: null, practice: null, status: null, search: '' };

const DAY_MS = 86_400_000;

/** A search prepared once per query: digits compare with the NHS number, words with the name. */
export interface PreparedSearch {
  readonly digits: string | null;
  readonly words: readonly string[];
}

export function prepareSearch(text: string): PreparedSearch | null {
  const trimmed = text.trim().toLowerCase();
  if (!trimmed) return null;
  const compact = trimmed.replace(/[\s-]+/g, '');
  if (/^\d+$/.test(compact)) return { digits: compact, words: [] };
  return { digits: null, words: trimmed.replace(/,/g, ' ').split(/\s+/).filter(Boolean) };
}

export function matchesSearch(row: WorklistRow, search: PreparedSearch): boolean {
  if (search.digits !== null) return row.nhsNumber.includes(search.digits);
  return search.words.every((w) => row.nameKey.includes(w));
}

/**
 * One predicate for a query: the filters with everything that does not depend on the row
 * worked out once (the search words, the age cut-off), so the loop over rows only compares.
 */
export function filterPredicate(filters: WorklistFilters, nowMs: number): (row: WorklistRow) => boolean {
  const search = prepareSearch(filters.search);
  const ageCut = filters.age ? nowMs - filters.age.days * DAY_MS : 0;
  const ageWithin = filters.age?.mode === 'within';
  const { pathway, priority, due, practice, status, age } = filters;
  return (row) =>
    (pathway === null || row.pathway === pathway) &&
    (status === null || row.status === status) &&
    (practice === null || row.practiceCode === practice) &&
    (priority === null || (priorityOf(row) ?? 'none') === priority) &&
    (age === null || (ageWithin ? row.receivedAt >= ageCut : row.receivedAt < ageCut)) &&
    (due === null || dueStateAt(row.status, row.dueAt, row.receivedAt, nowMs) === due) &&
    (search === null || matchesSearch(row, search));
}

export function hasFilters(filters: WorklistFilters): boolean {
  return (
    filters.pathway !== null ||
    filters.priority !== null ||
    filters.due !== null ||
    filters.age !== null ||
    filters.practice !== null ||
    filters.status !== null ||
    filters.search.trim() !== ''
  );
}

// ---------------------------------------------------------------- sorts

export type SortKey = 'due' | 'received' | 'priority' | 'pathway' | 'name';
export type SortDir = 'asc' | 'desc';

export const SORT_LABELS: Readonly<Record<SortKey, string>> = {
  due: 'Due time',
  received: 'Age (received)',
  priority: 'Priority',
  pathway: 'Pathway',
  name: 'Patient name',
};

/**
 * Most urgent first: by how soon each priority expects the patient to be seen (USC and P1a
 * first, P4 last), rows without a priority after every one with.
 */
export const PRIORITY_RANK: Readonly<Record<Priority, number>> = { usc: 0, P1a: 1, P1b: 2, urgent: 3, P2: 4, routine: 5, P3: 6, P4: 7 };
const NO_PRIORITY_RANK = 8;
/** USC first: it has the shortest target. */
export const PATHWAY_RANK: Readonly<Record<Pathway, number>> = { usc: 0, advice: 1, 'waiting-list': 2 };

const byDue = (a: WorklistRow, b: WorklistRow) =>
  (CLOCK_STOPPED.has(a.status) ? 1 : 0) - (CLOCK_STOPPED.has(b.status) ? 1 : 0) || a.dueAt - b.dueAt;
const byId = (a: WorklistRow, b: WorklistRow) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const priorityRank = (r: WorklistRow) => {
  const p = priorityOf(r);
  return p === null ? NO_PRIORITY_RANK : PRIORITY_RANK[p];
};

/**
 * Ascending comparators; every one ends on the due order and then the id, so the order is
 * total and stable across re-sorts (J/K never jump between equal rows). "Due" keeps running
 * clocks before stopped ones (done, waiting for the GP) in both directions of the time.
 */
export const COMPARATORS: Readonly<Record<SortKey, (a: WorklistRow, b: WorklistRow) => number>> = {
  due: (a, b) => byDue(a, b) || byId(a, b),
  // Oldest first: the longest-waiting patient leads.
  received: (a, b) => a.receivedAt - b.receivedAt || byDue(a, b) || byId(a, b),
  priority: (a, b) => priorityRank(a) - priorityRank(b) || byDue(a, b) || byId(a, b),
  pathway: (a, b) => PATHWAY_RANK[a.pathway] - PATHWAY_RANK[b.pathway] || byDue(a, b) || byId(a, b),
  name: (a, b) => (a.nameKey < b.nameKey ? -1 : a.nameKey > b.nameKey ? 1 : 0) || byDue(a, b) || byId(a, b),
};

// ---------------------------------------------------------------- the view

/** Everything the worklist shows is a function of this and the rows. */
export interface WorklistView {
  readonly queue: QueueId;
  readonly filters: WorklistFilters;
  readonly sort: SortKey;
  readonly dir: SortDir;
}

export const DEFAULT_VIEW: WorklistView = { queue: 'all', filters: NO_FILTERS, sort: 'due', dir: 'asc' };

/**
 * The reference answer: filter then sort a plain array. The index must give the same rows in
 * the same order (the tests check it); the benchmark's baseline is this, over full referrals.
 */
export function queryRows(rows: readonly WorklistRow[], view: WorklistView, me: Me, nowMs: number): WorklistRow[] {
  const today = startOfLocalDay(nowMs);
  const keep = filterPredicate(view.filters, nowMs);
  const cmp = COMPARATORS[view.sort];
  const out = rows.filter((r) => inQueue(view.queue, r, me, today) && keep(r)).sort(cmp);
  return view.dir === 'desc' ? out.reverse() : out;
}
