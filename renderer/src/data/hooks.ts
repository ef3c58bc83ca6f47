import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { Annotation, ImageRecord, Outcome, Referral } from '../../../shared/contract';
import { comparisonKey, type Calibration, type Comparison, type ImageMark } from '../../../shared/viewer/workbench';
import { useSession } from '../app/session';
import type { OutboxEntry } from './store/outbox-store';
import type { TimelineEntry } from './store/queries';
import type { SyncStatus } from './sync/sync-engine';
import { worklistIndexFor, type WorklistIndex, type WorklistResult } from './worklist-index';
import { viewQuery } from '../worklist/worklist-view';
import type { WorklistView } from '../worklist/worklist-model';

/*
 * The screens read the local database only, through Dexie live queries: they render from what
 * is stored and re-render when a pull, an action or another window changes it. `undefined`
 * means "still reading" (a few milliseconds), never "waiting for the network".
 */

export function useReferrals(): readonly Referral[] | undefined {
  const { workspace } = useSession();
  return useLiveQuery(() => workspace.queries.referrals(), [workspace]);
}

/** undefined while reading; null when the workstation has no such referral. */
export function useReferral(id: string): Referral | null | undefined {
  const { workspace } = useSession();
  return useLiveQuery(() => workspace.queries.referral(id), [workspace, id]);
}

const NO_IMAGES: readonly ImageRecord[] = [];
const NO_OUTCOMES: readonly Outcome[] = [];
const NO_ANNOTATIONS: readonly Annotation[] = [];

export function useImagesFor(referralId: string): readonly ImageRecord[] {
  const { workspace } = useSession();
  return useLiveQuery(() => workspace.queries.imagesFor(referralId), [workspace, referralId]) ?? NO_IMAGES;
}

export function useOutcomesFor(referralId: string): readonly Outcome[] | undefined {
  const { workspace } = useSession();
  return useLiveQuery(() => workspace.queries.outcomesFor(referralId), [workspace, referralId]);
}

export function useAnnotationsFor(referralId: string): readonly Annotation[] {
  const { workspace } = useSession();
  return useLiveQuery(() => workspace.queries.annotationsFor(referralId), [workspace, referralId]) ?? NO_ANNOTATIONS;
}

/**
 * Every stored image of the lesion across the patient's referrals, oldest first; undefined
 * while reading.
 */
export function useLesionTimeline(referralId: string, lesion: string): readonly TimelineEntry[] | undefined {
  const { workspace } = useSession();
  return useLiveQuery(() => workspace.queries.lesionTimeline(referralId, lesion), [workspace, referralId, lesion]);
}

/** The image's saved scale: undefined while reading, null when it has none. */
export function useCalibration(imageId: string): Calibration | null | undefined {
  const { workspace } = useSession();
  return useLiveQuery(() => workspace.workbench.calibration(imageId), [workspace, imageId]);
}

const NO_MARKS: readonly ImageMark[] = [];

/** The referral's images marked unusable by this clinician. */
export function useImageMarks(referralId: string): readonly ImageMark[] {
  const { workspace } = useSession();
  return useLiveQuery(() => workspace.workbench.marksFor(referralId), [workspace, referralId]) ?? NO_MARKS;
}

/**
 * The comparison saved for this set of images (in any order): undefined while reading, null
 * when there is none. Keyed by the set, so a new array of the same ids does not re-subscribe.
 */
export function useComparison(imageIds: readonly string[]): Comparison | null | undefined {
  const { workspace } = useSession();
  const key = comparisonKey(imageIds);
  return useLiveQuery(() => workspace.workbench.comparison(key ? key.split('+') : []), [workspace, key]);
}

export interface OutboxCounts {
  readonly pending: number;
  readonly conflict: number;
  readonly rejected: number;
}

export function useOutboxCounts(): OutboxCounts {
  const { workspace } = useSession();
  return useLiveQuery(() => workspace.outbox.counts(), [workspace]) ?? { pending: 0, conflict: 0, rejected: 0 };
}

export function useOutboxEntries(): readonly OutboxEntry[] | undefined {
  const { workspace } = useSession();
  return useLiveQuery(() => Promise.resolve(workspace.outbox.entries()), [workspace]);
}

export function useSyncStatus(): SyncStatus {
  const { sync } = useSession().workspace;
  return useSyncExternalStore(sync.subscribe, sync.getStatus);
}

/** The current time, refreshed every `intervalMs` so due states move on by themselves. */
export function useNow(intervalMs = 30_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

export { NO_OUTCOMES };

const NO_IDS: ReadonlySet<string> = new Set();

/** Entities with a change of this user still in the outbox (pending, conflicting or refused). */
export function usePendingEntityIds(): ReadonlySet<string> {
  const { workspace } = useSession();
  return (
    useLiveQuery(async () => new Set((await workspace.db.outbox.toArray()).map((r) => r.entityId)) as ReadonlySet<string>, [workspace]) ??
    NO_IDS
  );
}

/**
 * The workspace's worklist index (decrypted summaries of every referral, kept up to date while
 * anything uses it), re-rendering the caller when its contents change.
 */
export function useWorklistIndex(): { index: WorklistIndex; version: number } {
  const { workspace } = useSession();
  const index = worklistIndexFor(workspace);
  const version = useSyncExternalStore(index.subscribe, index.getVersion);
  return { index, version };
}

/** A worklist view's rows and the queue counts; re-queried when the index or the view changes. */
export function useWorklistQuery(view: WorklistView, nowMs: number): WorklistResult & { ready: boolean; index: WorklistIndex } {
  const { index, version } = useWorklistIndex();
  const key = viewQuery(view);
  const result = useMemo(() => index.query(view, nowMs), [index, version, key, nowMs]);
  return { ...result, ready: index.isReady(), index };
}
