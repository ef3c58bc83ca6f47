import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { Annotation, ImageRecord, Outcome, Referral } from '../../../shared/contract';
import { useSession } from '../app/session';
import type { OutboxEntry } from './store/outbox-store';
import type { SyncStatus } from './sync/sync-engine';

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
