import { Pathway, Priority, ReferralStatus } from '../../../shared/contract';
import { COMPARATORS, DEFAULT_VIEW, NO_FILTERS, QUEUE_LABELS, type AgeFilter, type QueueId, type SortKey, type WorklistFilters, type WorklistView } from './worklist-model';

/*
 * The worklist view in the location hash (`#/?queue=mine&pathway=usc&sort=received`), so the
 * browser's Back, a reload and a copied link all return to the same queue, filters and sort.
 * Unknown or malformed values fall back to the default: a hand-edited hash never breaks the list.
 */

const DUE_VALUES = ['overdue', 'due-soon', 'on-track'] as const;

const oneOf = <T extends string>(values: readonly T[], v: string | null): T | null => (v !== null && (values as readonly string[]).includes(v) ? (v as T) : null);

function parseAge(v: string | null): AgeFilter | null {
  const m = v ? /^(within|older)-(\d{1,4})$/.exec(v) : null;
  return m ? { mode: m[1] as AgeFilter['mode'], days: Number(m[2]) } : null;
}

export function parseView(query: string): WorklistView {
  const p = new URLSearchParams(query);
  const practice = p.get('practice');
  const filters: WorklistFilters = {
    pathway: oneOf(Pathway.options, p.get('pathway')),
    priority: oneOf([...Priority.options, 'none'] as const, p.get('priority')),
    due: oneOf(DUE_VALUES, p.get('due')),
    age: parseAge(p.get('age')),
    practice: practice && /^[A-Z0-9]{3,10}$/.test(practice) ? practice : null,
    status: oneOf(ReferralStatus.options, p.get('status')),
    search: (p.get('q') ?? '').slice(0, 100),
  };
  return {
    queue: oneOf(Object.keys(QUEUE_LABELS) as QueueId[], p.get('queue')) ?? DEFAULT_VIEW.queue,
    filters,
    sort: oneOf(Object.keys(COMPARATORS) as SortKey[], p.get('sort')) ?? DEFAULT_VIEW.sort,
    dir: p.get('dir') === 'desc' ? 'desc' : 'asc',
  };
}

/** Only what differs from the default, in a fixed order, so equal views have equal strings. */
export function viewQuery(view: WorklistView): string {
  const p = new URLSearchParams();
  if (view.queue !== DEFAULT_VIEW.queue) p.set('queue', view.queue);
  const f = view.filters;
  if (f.pathway) p.set('pathway', f.pathway);
  if (f.priority) p.set('priority', f.priority);
  if (f.due) p.set('due', f.due);
  if (f.age) p.set('age', `${f.age.mode}-${f.age.days}`);
  if (f.practice) p.set('practice', f.practice);
  if (f.status) p.set('status', f.status);
  if (f.search) p.set('q', f.search);
  if (view.sort !== DEFAULT_VIEW.sort) p.set('sort', view.sort);
  if (view.dir !== DEFAULT_VIEW.dir) p.set('dir', view.dir);
  return p.toString();
}

/**
 * The worklist's hash for a view (`#/` for the default), without the search text: a search is
 * a patient's name or NHS number, and the address is written to disk (history, session
 * restore), where nothing identifying may be in the clear. The search is kept in memory only
 * (`queue-context.ts`), so it survives going into a case and back but not a reload. A `q` in a
 * hash someone typed is still read.
 */
export function viewHash(view: WorklistView): string {
  const q = viewQuery(withoutSearch(view));
  return q ? `#/?${q}` : '#/';
}

export const withoutSearch = (view: WorklistView): WorklistView => (view.filters.search ? withFilters(view, { search: '' }) : view);

/** Whether two views differ at most in their search text. */
export const sameApartFromSearch = (a: WorklistView, b: WorklistView): boolean => viewQuery(withoutSearch(a)) === viewQuery(withoutSearch(b));

/** The view a hash names, or null when the hash names none (plain `#/` or another screen). */
export function viewFromHash(hash: string): WorklistView | null {
  const i = hash.indexOf('?');
  if (!hash.startsWith('#/') || i < 0 || hash.slice(0, i) !== '#/') return null;
  return parseView(hash.slice(i + 1));
}

export const withFilters = (view: WorklistView, patch: Partial<WorklistFilters>): WorklistView => ({ ...view, filters: { ...view.filters, ...patch } });

export const clearFilters = (view: WorklistView): WorklistView => ({ ...view, filters: NO_FILTERS });
