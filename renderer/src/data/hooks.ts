import { useEffect, useState, useSyncExternalStore } from 'react';
import type { ImageRecord, Outcome, Referral } from '../../../shared/contract';
import { useSession } from '../app/session';
import type { SyncStatus } from './sync';

/** Re-renders when the store changes; the store caches its selectors, so this stays cheap. */
function useStoreRevision(): void {
  const { store } = useSession();
  useSyncExternalStore(store.subscribe, store.revision);
}

export function useReferrals(): readonly Referral[] {
  useStoreRevision();
  return useSession().store.referrals();
}

export function useReferral(id: string): Referral | undefined {
  useStoreRevision();
  return useSession().store.referral(id);
}

export function useImagesFor(referralId: string): readonly ImageRecord[] {
  useStoreRevision();
  return useSession().store.imagesFor(referralId);
}

export function useOutcomesFor(referralId: string): readonly Outcome[] {
  useStoreRevision();
  return useSession().store.outcomesFor(referralId);
}

export function useSyncStatus(): SyncStatus {
  const { sync } = useSession();
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
