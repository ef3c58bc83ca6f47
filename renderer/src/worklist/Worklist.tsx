import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { formatNhsNumber } from '../../../shared/domain/nhs-number';
import { useNow, useReferrals, useSyncStatus } from '../data/hooks';
import { formatDateTime } from '../format/dates';
import { REFERRAL_STATUS_LABELS } from '../format/labels';
import { patientName } from '../format/patient';
import { PathwayBadge } from './PathwayBadge';
import { DueCell } from './DueCell';
import { dueState, sortForWorklist } from './due-state';

/** The row last opened, focused again on return so the keyboard user keeps their place. */
let lastOpenedId: string | null = null;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Every referral the user may see, most urgent first; a row opens its case. */
export function Worklist({ onOpen }: { onOpen(referralId: string): void }) {
  const referrals = useReferrals();
  const status = useSyncStatus();
  const now = useNow();
  const rows = useMemo(() => sortForWorklist(referrals ?? []), [referrals]);
  const overdue = rows.filter((r) => dueState(r, now) === 'overdue').length;
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  const [activeId, setActiveId] = useState<string | null>(lastOpenedId);
  const tabStopId = rows.some((r) => r.id === activeId) ? activeId : (rows[0]?.id ?? null);

  const open = (id: string) => {
    lastOpenedId = id;
    onOpen(id);
  };

  const focusRow = (index: number) => {
    const row = rows[Math.max(0, Math.min(rows.length - 1, index))];
    if (!row) return;
    setActiveId(row.id);
    bodyRef.current?.querySelector<HTMLElement>(`tr[data-referral-id="${row.id}"]`)?.focus();
  };

  // Coming back from a case: put focus on its row.
  const returnedTo = useRef(lastOpenedId);
  useEffect(() => {
    const id = returnedTo.current;
    if (!id) return;
    const row = bodyRef.current?.querySelector<HTMLElement>(`tr[data-referral-id="${id}"]`);
    if (row) {
      returnedTo.current = null;
      row.focus();
    }
  }, [rows]);

  // J/K anywhere on the page (outside fields) start moving through the rows.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || (e.key !== 'j' && e.key !== 'k')) return;
      const t = e.target as HTMLElement | null;
      if (t && t !== document.body && !t.matches('main, .worklist, .table-wrap')) return;
      const row = bodyRef.current?.querySelector<HTMLElement>('tr[tabindex="0"]');
      if (row) {
        e.preventDefault();
        row.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLTableRowElement>, index: number, id: string) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      open(id);
    } else if (e.key === 'j' || e.key === 'ArrowDown') {
      e.preventDefault();
      focusRow(index + 1);
    } else if (e.key === 'k' || e.key === 'ArrowUp') {
      e.preventDefault();
      focusRow(index - 1);
    } else if (e.key === 'Home') {
      e.preventDefault();
      focusRow(0);
    } else if (e.key === 'End') {
      e.preventDefault();
      focusRow(rows.length - 1);
    }
  };

  return (
    <section className="worklist" aria-labelledby="worklist-title">
      <div className="page-head">
        <h1 id="worklist-title">Worklist</h1>
        <p className="count" aria-live="polite">
          <span className="count-total">
            {status.ready || rows.length ? plural(rows.length, 'referral', 'referrals') : 'Loading referrals…'}
          </span>
          {overdue > 0 && <span className="count-overdue"> · {overdue} overdue</span>}
        </p>
        <p className="hint muted">
          <kbd>J</kbd>/<kbd>K</kbd> move · <kbd>Enter</kbd> opens
        </p>
      </div>
      <div className="table-wrap">
        <table className="worklist-table" aria-label="Worklist">
          <thead>
            <tr>
              <th scope="col">Patient</th>
              <th scope="col">NHS number</th>
              <th scope="col">Pathway</th>
              <th scope="col">Received</th>
              <th scope="col">Due</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody ref={bodyRef}>
            {rows.map((r, i) => (
              <tr
                key={r.id}
                data-referral-id={r.id}
                data-due-state={dueState(r, now)}
                tabIndex={r.id === tabStopId ? 0 : -1}
                className="worklist-row"
                onFocus={() => setActiveId(r.id)}
                onClick={() => open(r.id)}
                onKeyDown={(e) => onKeyDown(e, i, r.id)}
              >
                <th scope="row" className="patient-cell">
                  <a
                    href={`#/referrals/${r.id}`}
                    tabIndex={-1}
                    onClick={(e) => {
                      e.stopPropagation();
                      lastOpenedId = r.id;
                    }}
                  >
                    {patientName(r.patient)}
                  </a>
                </th>
                <td className="nhs">{formatNhsNumber(r.patient.nhsNumber)}</td>
                <td>
                  <PathwayBadge pathway={r.pathway} />
                </td>
                <td className="nowrap">{formatDateTime(r.receivedAt)}</td>
                <td>
                  <DueCell referral={r} now={now} />
                </td>
                <td>
                  <span className={`status status-${r.status}`}>{REFERRAL_STATUS_LABELS[r.status]}</span>
                </td>
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={6} className="empty">
                  {referrals && status.ready ? 'No referrals to review.' : status.lastError ?? 'Loading referrals…'}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
