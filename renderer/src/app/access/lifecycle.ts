import { liveQuery } from 'dexie';
import type { LoupeBridge } from '../../../../shared/bridge';
import type { Referral } from '../../../../shared/contract';
import type { WorkstationSettings } from '../../../../shared/workstation-settings';
import { clearRecords, purgeExpired } from '../../data/retention';
import { createTileServices, deleteTileDb, type PrefetchReferral, type TileServices } from '../../data/tiles';
import { withLesionHistory } from '../../data/tiles/lesion-history';
import type { Workspace } from '../../data/workspace';
import { nextReferrals, worklistIds } from '../../data/worklist-scope';

const DAY_MS = 86_400_000;

export interface SessionServices extends TileServices {
  applySettings(next: WorkstationSettings): void;
  /** Prefetch the clinician's next referrals now (also runs after sign-in and after each pull). */
  prefetchNext(): Promise<void>;
  /** Empties the tile cache and fetches the next referrals' images again. */
  clearAndRefill(): Promise<void>;
}

/**
 * Everything that runs for a signed-in user besides the screens: the age limit on the cache,
 * the tile services, prefetch of the next referrals after sign-in and after each pull, and the
 * background sync.
 */
export async function startWorkspace(workspace: Workspace, initial: WorkstationSettings): Promise<SessionServices> {
  let settings = initial;
  await purgeExpired(workspace.db, workspace.codec, settings.cacheMaxAgeDays).catch(() => undefined);

  let referrals: readonly Referral[] = [];
  let protectedIds = new Set<string>();
  const tiles = createTileServices({
    userId: workspace.user.id,
    dataKey: workspace.dataKey,
    client: () => workspace.auth.client(),
    // A refused tile means the token is gone: the sync finds out and asks for the password.
    onUnauthorized: () => void workspace.sync.kickPull(),
    settings,
    protectedReferralIds: () => protectedIds,
  });
  void tiles.cache.deleteOlderThan(new Date(Date.now() - settings.cacheMaxAgeDays * DAY_MS)).catch(() => undefined);

  let lastPlan = '';
  const prefetchNext = async (): Promise<void> => {
    const next = nextReferrals(referrals, workspace.user.role, settings.prefetchCount);
    const cases: PrefetchReferral[] = await Promise.all(
      next.map(async (r) => ({ referralId: r.id, images: await workspace.queries.imagesFor(r.id) })),
    );
    const plan = await withLesionHistory(cases, referrals, (id) => workspace.queries.imagesFor(id));
    const signature = plan.map((p) => `${p.referralId}:${p.images.map((i) => i.id).join(',')}`).join(';');
    const progress = tiles.prefetcher.getSnapshot();
    // The same list, being fetched or fetched completely: nothing to do until it changes.
    if (signature === lastPlan && (progress.running || (!progress.lastError && progress.referralsDone === progress.referralsTotal))) return;
    lastPlan = signature;
    await tiles.prefetcher.run(plan);
  };

  const watch = liveQuery(() => workspace.queries.referrals()).subscribe({
    next: (list) => {
      referrals = list;
      protectedIds = worklistIds(list);
    },
    error: () => undefined,
  });
  const offPulled = workspace.onPulled(() => void prefetchNext().catch(() => undefined));
  await workspace.sync.start();
  // What is already cached locally can be prefetched before the first pull answers.
  referrals = await workspace.queries.referrals();
  protectedIds = worklistIds(referrals);
  void prefetchNext().catch(() => undefined);

  return {
    ...tiles,
    prefetchNext,
    async clearAndRefill() {
      tiles.prefetcher.cancel();
      await tiles.cache.clear();
      lastPlan = ''; // the plan is no longer done: what it fetched is gone
      void prefetchNext().catch(() => undefined);
    },
    applySettings(next) {
      const replan = next.prefetchCount !== settings.prefetchCount;
      settings = next;
      // A new count takes effect now (a run of the old list stops), not at the next pull.
      if (replan) void prefetchNext().catch(() => undefined);
      tiles.cache.setBudgetBytes(next.tileBudgetBytes);
      void tiles.cache.evict().catch(() => undefined);
    },
    async close() {
      watch.unsubscribe();
      offPulled();
      await tiles.close();
    },
  };
}

/**
 * Sign-out: the session ends on the service (when reachable), the token and the data key are
 * forgotten, and with the administrator's policy the cache is wiped. The outbox is never
 * wiped: what was decided is sent at the next sign-in.
 */
export async function endWorkspace(workspace: Workspace, services: SessionServices, settings: WorkstationSettings, bridge: LoupeBridge): Promise<void> {
  workspace.sync.stop();
  const client = workspace.auth.client();
  if (client && navigator.onLine !== false) await client.signOut().catch(() => undefined);
  await bridge.clearToken().catch(() => undefined);
  await services.close().catch(() => undefined);
  if (settings.wipeCacheAtSignOut) {
    await clearRecords(workspace.db).catch(() => undefined);
    await deleteTileDb(workspace.user.id).catch(() => undefined);
  }
  workspace.close();
}
