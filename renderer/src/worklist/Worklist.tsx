import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useDeferredValue, useId, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { Pathway, Priority, ReferralStatus, type UserRef } from '../../../shared/contract';
import { formatNhsNumber } from '../../../shared/domain/nhs-number';
import { parseRoute } from '../app/route';
import { useSession } from '../app/session';
import { isTypingTarget } from '../app/typing-target';
import { useNow, useSyncStatus, useWorklistQuery } from '../data/hooks';
import { formatDateTime, formatDuration } from '../format/dates';
import { describeError } from '../format/errors';
import { PATHWAY_LABELS, REFERRAL_STATUS_LABELS } from '../format/labels';
import { claimActionFor, claimOrRelease, type ClaimType } from './claim';
import { Clock } from './DueCell';
import { dueStateAt } from './due-state';
import { PathwayBadge } from './PathwayBadge';
import { markOpenedFromQueue, rememberedView, rememberQueue, takeWorklistNotice } from './queue-context';
import { hasFilters, priorityOf, QUEUE_LABELS, queuesFor, SORT_LABELS, type QueueId, type SortKey, type WorklistRow, type WorklistView } from './worklist-model';
import { clearFilters, sameApartFromSearch, viewFromHash, viewHash, viewQuery, withFilters } from './worklist-view';
import './worklist.css';

/** The row last opened, focused again on return so the keyboard user keeps their place. */
let lastOpenedId: string | null = null;

/** Up to this many rows every row is in the page (find-in-page works); beyond, only those in view. */
const FULL_RENDER_MAX = 200;
/** Fixed row height (CSS `.worklist-row` matches) so the virtualiser never measures. */
const ROW_HEIGHT = 46;

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

const PRIORITY_SHORT: Readonly<Record<Priority, string>> = { usc: 'USC', urgent: 'Urgent', routine: 'Routine', P1a: 'P1a', P1b: 'P1b', P2: 'P2', P3: 'P3', P4: 'P4' };
const PRIORITY_OPTION: Readonly<Record<Priority, string>> = {
  usc: 'USC',
  urgent: 'Urgent',
  routine: 'Routine',
  P1a: 'P1a (24 h)',
  P1b: 'P1b (72 h)',
  P2: 'P2 (4 weeks)',
  P3: 'P3 (12 weeks)',
  P4: 'P4 (over 12 weeks)',
};
const AGE_OPTIONS: readonly { value: string; label: string }[] = [
  { value: 'within-1', label: 'Within 1 day' },
  { value: 'within-2', label: 'Within 2 days' },
  { value: 'within-7', label: 'Within 7 days' },
  { value: 'within-28', label: 'Within 28 days' },
  { value: 'older-2', label: 'Older than 2 days' },
  { value: 'older-7', label: 'Older than 7 days' },
  { value: 'older-28', label: 'Older than 28 days' },
];
const SORT_KEYS = Object.keys(SORT_LABELS) as SortKey[];

/** The worklist as stored in the hash if it names one, else as last left in this tab; a queue the role lacks falls back to all. */
function initialView(queues: readonly QueueId[]): WorklistView {
  // The hash never carries the search (see `viewHash`); the remembered view does, in memory.
  const fromHash = viewFromHash(window.location.hash);
  const remembered = rememberedView();
  const view = fromHash && !(sameApartFromSearch(fromHash, remembered) && !fromHash.filters.search) ? fromHash : remembered;
  return queues.includes(view.queue) ? view : { ...view, queue: 'all' };
}

/** Queues, filters, search and sort over every referral the user may see; a row opens its case. */
export function Worklist({ onOpen }: { onOpen(referralId: string): void }) {
  const { workspace, user } = useSession();
  const status = useSyncStatus();
  const nowMs = useNow().getTime();
  const queues = queuesFor(user.role);
  const [view, setView] = useState<WorklistView>(() => initialView(queues));
  // Typing in the search box stays responsive while a 50,000-row query catches up.
  const shown = useDeferredValue(view);
  const { rows, counts, ready: indexReady, index } = useWorklistQuery(shown, nowMs);
  // Counts mean something once the index is built *and* the store has been filled by a pull at
  // least once (on this or an earlier visit): before that, "0 referrals" would be a false answer.
  const ready = indexReady && status.ready;
  const overdue = countOverdue(rows, nowMs);
  const [notice, setNotice] = useState<string | null>(() => takeWorklistNotice());
  const [actionMessage, setActionMessage] = useState<{ text: string; failed: boolean } | null>(null);

  const wrapRef = useRef<HTMLDivElement>(null);
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const virtual = rows.length > FULL_RENDER_MAX;
  const virtualizer = useVirtualizer({
    count: virtual ? rows.length : 0,
    getScrollElement: () => wrapRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });

  const [activeId, setActiveId] = useState<string | null>(lastOpenedId);
  const activeIndex = activeId ? rows.findIndex((r) => r.id === activeId) : -1;
  const tabStopId = activeIndex >= 0 ? activeId : (rows[0]?.id ?? null);
  /** A row to focus once it is rendered (after a virtual scroll brings it into the page). */
  const pendingFocus = useRef<string | null>(lastOpenedId);

  // The view lives in the hash (Back, reload and links return to it) and in the tab's session.
  useEffect(() => {
    const hash = viewHash(view);
    if ((window.location.hash || '#/') !== hash && parseRoute(window.location.hash).name === 'worklist') {
      history.replaceState(history.state, '', hash);
    }
  }, [view]);
  useEffect(() => {
    const onHash = () => {
      const v = viewFromHash(window.location.hash);
      if (v) setView(queues.includes(v.queue) ? v : { ...v, queue: 'all' });
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [queues]);
  // Back at the worklist: no case is being walked from a queue until one is opened from it.
  useEffect(() => markOpenedFromQueue(null), []);
  // What "Next case" follows: this queue, in this order.
  useEffect(() => rememberQueue(shown, rows), [shown, rows]);

  const open = (id: string) => {
    lastOpenedId = id;
    rememberQueue(shown, rows);
    markOpenedFromQueue(id);
    onOpen(id);
  };

  const focusRow = (i: number) => {
    const row = rows[Math.max(0, Math.min(rows.length - 1, i))];
    if (!row) return;
    pendingFocus.current = row.id;
    setActiveId(row.id);
    if (virtual) virtualizer.scrollToIndex(rows.indexOf(row), { align: 'auto' });
  };

  // Focus a row once it is in the page: on return from a case, and after J/K in a long list.
  useLayoutEffect(() => {
    const id = pendingFocus.current;
    if (!id || !rows.length) return;
    const el = bodyRef.current?.querySelector<HTMLElement>(`tr[data-referral-id="${id}"]`);
    if (el) {
      pendingFocus.current = null;
      el.focus({ preventScroll: virtual });
    } else if (virtual) {
      const i = rows.findIndex((r) => r.id === id);
      if (i >= 0) virtualizer.scrollToIndex(i, { align: 'center' });
      else pendingFocus.current = null;
    }
  });

  // J/K anywhere on the page (outside fields) start moving through the rows; / goes to search.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || isTypingTarget(e.target)) return;
      const t = e.target as HTMLElement | null;
      if (e.key === '/') {
        e.preventDefault();
        searchRef.current?.focus();
        return;
      }
      if (e.key !== 'j' && e.key !== 'k') return;
      if (t && t !== document.body && !t.matches('main, .worklist, .table-wrap, .queues a, .filters button')) return;
      e.preventDefault();
      const row = bodyRef.current?.querySelector<HTMLElement>('tr[tabindex="0"]');
      if (row) row.focus({ preventScroll: false });
      else if (rows.length) focusRow(0);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const act = async (row: WorklistRow, type: ClaimType) => {
    setActionMessage(null);
    try {
      await claimOrRelease(workspace, user, row.id, type);
      setActionMessage({ text: `${type === 'referral.claim' ? 'Taken' : 'Released'}: ${row.patientName}.`, failed: false });
    } catch (err) {
      setActionMessage({ text: `Not stored: ${describeError(err)}`, failed: true });
    }
  };

  const onRowKey = (e: KeyboardEvent<HTMLTableRowElement>, i: number, row: WorklistRow) => {
    if (e.altKey || e.ctrlKey || e.metaKey || e.target !== e.currentTarget) return;
    const keys: Record<string, () => void> = {
      Enter: () => open(row.id),
      ' ': () => open(row.id),
      j: () => focusRow(i + 1),
      ArrowDown: () => focusRow(i + 1),
      k: () => focusRow(i - 1),
      ArrowUp: () => focusRow(i - 1),
      Home: () => focusRow(0),
      End: () => focusRow(rows.length - 1),
      PageDown: () => focusRow(i + 10),
      PageUp: () => focusRow(i - 10),
      t: () => {
        const action = claimActionFor(row, user);
        if (action) void act(row, action);
        else setActionMessage({ text: `${row.patientName} cannot be taken or released now.`, failed: false });
      },
    };
    const run = keys[e.key];
    if (run) {
      e.preventDefault();
      run();
    }
  };

  // One stable object for the rows (so unchanged rows skip re-rendering), calling the latest closures.
  const latest = useRef({ open, onRowKey, act, setActiveId, shown, rows });
  latest.current = { open, onRowKey, act, setActiveId, shown, rows };
  const handlers = useMemo<RowHandlers>(
    () => ({
      open: (id) => latest.current.open(id),
      key: (e, i, row) => latest.current.onRowKey(e, i, row),
      act: (row, type) => void latest.current.act(row, type),
      focused: (id) => latest.current.setActiveId(id),
      linkClicked: (id) => {
        lastOpenedId = id;
        rememberQueue(latest.current.shown, latest.current.rows);
        markOpenedFromQueue(id);
      },
    }),
    [],
  );

  const change = (next: WorklistView) => {
    setNotice(null);
    setView(next);
  };

  const items = virtual ? virtualizer.getVirtualItems() : null;
  const visible = items ? items.map((it) => ({ index: it.index, row: rows[it.index]! })) : rows.map((row, index) => ({ index, row }));
  const padTop = items?.[0]?.start ?? 0;
  const padBottom = items?.length ? virtualizer.getTotalSize() - items[items.length - 1]!.end : 0;
  const filtered = hasFilters(shown.filters);
  const queueTotal = counts[shown.queue] ?? rows.length;

  return (
    <section className="worklist" aria-labelledby="worklist-title">
      <div className="page-head">
        <h1 id="worklist-title">Worklist</h1>
        <p className="count" aria-live="polite">
          <span className="count-total">
            {ready || rows.length ? plural(rows.length, 'referral', 'referrals') : 'Loading referrals…'}
          </span>
          {ready && filtered && <span className="count-of"> of {queueTotal.toLocaleString('en-GB')} in {QUEUE_LABELS[shown.queue]}</span>}
          {overdue > 0 && <span className="count-overdue"> · {overdue.toLocaleString('en-GB')} overdue</span>}
        </p>
        <p className="hint muted" id="worklist-keys">
          <kbd>J</kbd>/<kbd>K</kbd> move · <kbd>Enter</kbd> opens · <kbd>T</kbd> takes or releases · <kbd>/</kbd> search
        </p>
      </div>

      <nav className="queues" aria-label="Queues">
        <ul>
          {queues.map((q) => (
            <li key={q}>
              <a
                href={viewHash({ ...view, queue: q })}
                aria-current={q === view.queue ? 'page' : undefined}
                data-queue={q}
                onClick={(e) => {
                  e.preventDefault();
                  change({ ...view, queue: q });
                }}
              >
                {QUEUE_LABELS[q]} <span className="queue-count">{ready ? (counts[q] ?? 0).toLocaleString('en-GB') : '…'}</span>
              </a>
            </li>
          ))}
        </ul>
      </nav>

      <form className="filters" role="search" aria-label="Filter and sort the worklist" onSubmit={(e) => e.preventDefault()}>
        <label className="filter-search">
          <span>Search</span>
          <input
            ref={searchRef}
            type="search"
            placeholder="Patient name or NHS number"
            aria-label="Search by patient name or NHS number"
            value={view.filters.search}
            maxLength={100}
            onChange={(e) => change(withFilters(view, { search: e.target.value }))}
            onKeyDown={(e) => {
              if (e.key === 'Escape' && view.filters.search) {
                e.preventDefault();
                change(withFilters(view, { search: '' }));
              } else if (e.key === 'Enter' || e.key === 'ArrowDown') {
                e.preventDefault();
                focusRow(0);
              }
            }}
          />
        </label>
        <Select label="Pathway" value={view.filters.pathway ?? ''} onChange={(v) => change(withFilters(view, { pathway: v ? (v as Pathway) : null }))}>
          <option value="">Any</option>
          {Pathway.options.map((p) => (
            <option key={p} value={p}>
              {PATHWAY_LABELS[p]}
            </option>
          ))}
        </Select>
        <Select label="Priority" value={view.filters.priority ?? ''} onChange={(v) => change(withFilters(view, { priority: v ? (v as Priority | 'none') : null }))}>
          <option value="">Any</option>
          {Priority.options.map((p) => (
            <option key={p} value={p}>
              {PRIORITY_OPTION[p]}
            </option>
          ))}
          <option value="none">Not yet set</option>
        </Select>
        <Select label="Due state" value={view.filters.due ?? ''} onChange={(v) => change(withFilters(view, { due: v === 'overdue' || v === 'due-soon' || v === 'on-track' ? v : null }))}>
          <option value="">Any</option>
          <option value="overdue">Overdue</option>
          <option value="due-soon">Due soon</option>
          <option value="on-track">On time</option>
        </Select>
        <Select
          label="Received"
          value={view.filters.age ? `${view.filters.age.mode}-${view.filters.age.days}` : ''}
          onChange={(v) => {
            const m = /^(within|older)-(\d+)$/.exec(v);
            change(withFilters(view, { age: m ? { mode: m[1] as 'within' | 'older', days: Number(m[2]) } : null }));
          }}
        >
          <option value="">Any time</option>
          {AGE_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </Select>
        <Select label="Practice" value={view.filters.practice ?? ''} onChange={(v) => change(withFilters(view, { practice: v || null }))}>
          <option value="">Any</option>
          {[...new Set([...index.practiceCodes(), ...(view.filters.practice ? [view.filters.practice] : [])])].map((code) => (
            <option key={code} value={code}>
              {code}
            </option>
          ))}
        </Select>
        <Select label="Referral status" value={view.filters.status ?? ''} onChange={(v) => change(withFilters(view, { status: v ? (v as ReferralStatus) : null }))}>
          <option value="">Any</option>
          {ReferralStatus.options.map((s) => (
            <option key={s} value={s}>
              {REFERRAL_STATUS_LABELS[s]}
            </option>
          ))}
        </Select>
        <Select label="Sort by" value={view.sort} onChange={(v) => change({ ...view, sort: SORT_KEYS.includes(v as SortKey) ? (v as SortKey) : 'due' })}>
          {SORT_KEYS.map((k) => (
            <option key={k} value={k}>
              {SORT_LABELS[k]}
            </option>
          ))}
        </Select>
        <Select label="Order" value={view.dir} onChange={(v) => change({ ...view, dir: v === 'desc' ? 'desc' : 'asc' })}>
          <option value="asc">{ascendingLabel(view.sort)}</option>
          <option value="desc">{descendingLabel(view.sort)}</option>
        </Select>
        {hasFilters(view.filters) && (
          <button type="button" className="button subtle" onClick={() => change(clearFilters(view))}>
            Clear filters
          </button>
        )}
      </form>

      {notice && (
        <p className="worklist-notice" role="status">
          {notice}
        </p>
      )}
      <p className={actionMessage?.failed ? 'alert small' : 'worklist-action-message muted small'} role={actionMessage?.failed ? 'alert' : 'status'} aria-live="polite">
        {actionMessage?.text ?? ''}
      </p>

      <div className="table-wrap" ref={wrapRef}>
        <table
          className="worklist-table"
          aria-label="Worklist"
          aria-rowcount={rows.length + 1}
          aria-describedby="worklist-keys"
          data-view={viewQuery(shown)}
          data-ready={ready}
          data-rows={rows.length}
          data-now={nowMs}
        >
          <thead>
            <tr aria-rowindex={1}>
              <th scope="col" aria-sort={sortOf(shown, 'name')}>Patient</th>
              <th scope="col">NHS number</th>
              <th scope="col" aria-sort={sortOf(shown, 'pathway')}>Pathway</th>
              <th scope="col" aria-sort={sortOf(shown, 'priority')}>Priority</th>
              <th scope="col">Practice</th>
              <th scope="col" aria-sort={sortOf(shown, 'received')}>Received</th>
              <th scope="col" aria-sort={sortOf(shown, 'due')}>Due</th>
              <th scope="col">Status</th>
              <th scope="col">Assigned</th>
              <th scope="col">
                <span className="visually-hidden">Take or release</span>
              </th>
            </tr>
          </thead>
          <tbody ref={bodyRef}>
            {padTop > 0 && <tr aria-hidden="true" className="spacer" style={{ height: padTop }} />}
            {visible.map(({ row, index: i }) => (
              <Row
                key={row.id}
                row={row}
                index={i}
                nowMs={nowMs}
                me={user}
                active={row.id === tabStopId}
                handlers={handlers}
              />
            ))}
            {padBottom > 0 && <tr aria-hidden="true" className="spacer" style={{ height: padBottom }} />}
            {rows.length === 0 && (
              <tr>
                <td colSpan={10} className="empty">
                  {emptyText(ready, filtered, shown.queue, status.lastError)}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

interface RowHandlers {
  open(id: string): void;
  key(e: KeyboardEvent<HTMLTableRowElement>, index: number, row: WorklistRow): void;
  act(row: WorklistRow, type: ClaimType): void;
  focused(id: string): void;
  linkClicked(id: string): void;
}

/** One referral: memoised, so moving through or re-filtering the list re-renders only rows that changed. */
const Row = memo(function Row({ row, index, nowMs, me, active, handlers }: { row: WorklistRow; index: number; nowMs: number; me: UserRef; active: boolean; handlers: RowHandlers }) {
  const state = dueStateAt(row.status, row.dueAt, row.receivedAt, nowMs);
  const action = claimActionFor(row, me);
  const priority = priorityOf(row);
  return (
    <tr
      data-referral-id={row.id}
      data-due-state={state}
      data-pathway={row.pathway}
      aria-rowindex={index + 2}
      tabIndex={active ? 0 : -1}
      className={`worklist-row${row.pathway === 'usc' ? ' worklist-row-usc' : ''}`}
      onFocus={(e) => {
        if (e.target === e.currentTarget) handlers.focused(row.id);
      }}
      onClick={() => handlers.open(row.id)}
      onKeyDown={(e) => handlers.key(e, index, row)}
    >
      <th scope="row" className="patient-cell">
        <a
          href={`#/referrals/${row.id}`}
          tabIndex={-1}
          onClick={(e) => {
            e.stopPropagation();
            handlers.linkClicked(row.id);
          }}
        >
          {row.patientName}
        </a>
      </th>
      <td className="nhs">{formatNhsNumber(row.nhsNumber)}</td>
      <td>
        <PathwayBadge pathway={row.pathway} />
      </td>
      <td className="nowrap">{priority ? <span className={`priority priority-${priority}`}>{PRIORITY_SHORT[priority]}</span> : <span className="muted">—</span>}</td>
      <td className="nowrap">{row.practiceCode}</td>
      <td>
        <span className="received">
          <span className="nowrap">{formatDateTime(new Date(row.receivedAt).toISOString())}</span>
          <span className="received-age muted">{formatDuration(nowMs - row.receivedAt)} ago</span>
        </span>
      </td>
      <td>
        <Clock status={row.status} dueAt={row.dueAt} receivedAt={row.receivedAt} now={nowMs} />
      </td>
      <td>
        <span className={`status status-${row.status}`}>{REFERRAL_STATUS_LABELS[row.status]}</span>
      </td>
      <td className="nowrap assigned">{row.assignedToId === me.id ? 'You' : (row.assignedToName ?? <span className="muted">—</span>)}</td>
      <td className="row-action">
        {action && (
          <button
            type="button"
            className="button small subtle"
            tabIndex={active ? 0 : -1}
            aria-keyshortcuts="T"
            onClick={(e) => {
              e.stopPropagation();
              handlers.act(row, action);
            }}
            onKeyDown={(e) => e.stopPropagation()}
          >
            {action === 'referral.claim' ? 'Take' : 'Release'}
          </button>
        )}
      </td>
    </tr>
  );
});

/** A labelled select; the label is its own element (not wrapping), so the options' words are not part of the name. */
function Select({ label, value, onChange, children }: { label: string; value: string; onChange(value: string): void; children: ReactNode }) {
  const id = useId();
  return (
    <span className="filter">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {children}
      </select>
    </span>
  );
}

function sortOf(view: WorklistView, key: SortKey): 'ascending' | 'descending' | undefined {
  return view.sort === key ? (view.dir === 'asc' ? 'ascending' : 'descending') : undefined;
}

function ascendingLabel(sort: SortKey): string {
  return { due: 'Soonest due first', received: 'Oldest first', priority: 'Most urgent first', pathway: 'USC first', name: 'A to Z' }[sort];
}

function descendingLabel(sort: SortKey): string {
  return { due: 'Latest due first', received: 'Newest first', priority: 'Least urgent first', pathway: 'Waiting list first', name: 'Z to A' }[sort];
}

function countOverdue(rows: readonly WorklistRow[], nowMs: number): number {
  let n = 0;
  for (const r of rows) if (dueStateAt(r.status, r.dueAt, r.receivedAt, nowMs) === 'overdue') n++;
  return n;
}

function emptyText(ready: boolean, filtered: boolean, queue: QueueId, lastError: string | null | undefined): string {
  if (!ready) return lastError ?? 'Loading referrals…';
  if (filtered) return 'No referrals match these filters.';
  return queue === 'all' ? 'No referrals to review.' : `Nothing in ${QUEUE_LABELS[queue]}.`;
}
