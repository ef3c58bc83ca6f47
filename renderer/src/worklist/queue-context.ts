import type { Role } from '../../../shared/contract';
import type { WorklistIndex } from '../data/worklist-index';
import { isActionable } from '../data/worklist-scope';
import { DEFAULT_VIEW, type WorklistRow, type WorklistView } from './worklist-model';
import { parseView, viewHash, viewQuery, withoutSearch } from './worklist-view';

/*
 * Which queue a case was opened from, so "Next case" (N, the link, and the case after a
 * submitted outcome) walks the same queue with the same filters and sort, and "Back to
 * worklist" returns to it. The view is kept in session storage too (a reload of the case
 * keeps its queue), without the search text, which is kept in memory only; the order as it was on screen is kept in memory only (it can be 50,000
 * ids, and after a reload the live order is as good).
 */

const STORAGE_KEY = 'loupe.worklist-view';

/** The tab's session storage, if this host has one (the unit tests' Node does not). */
interface SessionStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}
const session = (): SessionStore | null => (globalThis as { sessionStorage?: SessionStore }).sessionStorage ?? null;

let remembered: { view: WorklistView; order: readonly Pick<WorklistRow, 'id'>[] } | null = null;
let notice: string | null = null;

/** Called by the worklist whenever its view or rows change, and when a case is opened from it. */
export function rememberQueue(view: WorklistView, order: readonly Pick<WorklistRow, 'id'>[]): void {
  remembered = { view, order };
  try {
    // Never the search text: session storage is written to disk (see `viewHash`).
    session()?.setItem(STORAGE_KEY, viewQuery(withoutSearch(view)));
  } catch {
    // Storage refused (private mode, quota): the in-memory copy still serves this tab.
  }
}

export function rememberedView(): WorklistView {
  if (remembered) return remembered.view;
  try {
    const stored = session()?.getItem(STORAGE_KEY) ?? null;
    if (stored !== null) return parseView(stored);
  } catch {
    // As above.
  }
  return DEFAULT_VIEW;
}

/** The worklist's address for the remembered view ("Back to worklist"). */
export function worklistHash(): string {
  return viewHash(rememberedView());
}

/**
 * The case after `currentId` in the queue (pure). `live` is the queue now; `snapshot` the order
 * the clinician last saw. While the case is still in the queue, the one after it now; once it
 * has left (just decided, or taken by someone else), the first case after where it was that is
 * still in the queue; failing that the first in the queue (cases skipped earlier), never the
 * current one. Null when the queue has nothing else.
 */
export function pickNext(currentId: string, live: readonly Pick<WorklistRow, 'id'>[], snapshot: readonly Pick<WorklistRow, 'id'>[] = []): string | null {
  const here = live.findIndex((r) => r.id === currentId);
  if (here >= 0) return live[here + 1]?.id ?? null;
  const was = snapshot.findIndex((r) => r.id === currentId);
  if (was >= 0 && live.length) {
    const inQueue = new Set(live.map((r) => r.id));
    for (let i = was + 1; i < snapshot.length; i++) if (inQueue.has(snapshot[i]!.id)) return snapshot[i]!.id;
  }
  return live.find((r) => r.id !== currentId)?.id ?? null;
}

/**
 * The cases "Next" walks in a queue: every one, except in "All referrals", where it walks only
 * what the clinician can act on (new, in review, and awaiting sign-off for a consultant), in
 * the order prefetch follows: the overview also lists decided and waiting cases, and stepping
 * through those one by one is not work.
 */
export function walkable(view: WorklistView, rows: readonly WorklistRow[], role: Role): readonly WorklistRow[] {
  return view.queue === 'all' ? rows.filter((r) => isActionable(r.status, role)) : rows;
}

/** The next case in the remembered queue, from the index as it is now. */
export function nextInQueue(index: WorklistIndex, currentId: string, nowMs: number): string | null {
  const view = rememberedView();
  return pickNext(currentId, walkable(view, index.query(view, nowMs).rows, index.me.role), remembered?.order);
}

let walking: string | null = null;

/**
 * The clinician opened this case from a queue (a worklist row, "Next case", or the case after a
 * submit): they are working through it, so a submitted outcome opens the next one. A case
 * opened any other way (a link, the Changes view, a reload) stays put after a submit, showing
 * its confirmation: that clinician came for that case, not for a queue.
 */
export function markOpenedFromQueue(referralId: string | null): void {
  walking = referralId;
}

export function openedFromQueue(referralId: string): boolean {
  return walking === referralId;
}

/** A message for the worklist to show once (e.g. "queue empty" after the last case). */
export function setWorklistNotice(message: string): void {
  notice = message;
}

export function takeWorklistNotice(): string | null {
  const n = notice;
  notice = null;
  return n;
}

let caseNotice: { referralId: string; message: string } | null = null;

/** A message for the case that opens next to show once (what happened to the one before). */
export function setCaseNotice(referralId: string, message: string): void {
  caseNotice = { referralId, message };
}

export function takeCaseNotice(referralId: string): string | null {
  if (caseNotice?.referralId !== referralId) return null;
  const { message } = caseNotice;
  caseNotice = null;
  return message;
}
