import type { Change, ChangesPage, ImageRecord, Outcome, Referral } from '../../../shared/contract';

/**
 * The workstation's local copy of what the change feed has told it. The UI reads from this
 * interface only; today it is held in memory, later in IndexedDB with an outbox beside it.
 */
export interface LocalStore {
  /** Folds one page of the feed in and remembers its cursor. Older versions never win. */
  applyChanges(page: ChangesPage): void;
  /** Where the next pull starts; undefined before the first page. */
  cursor(): string | undefined;
  referrals(): readonly Referral[];
  referral(id: string): Referral | undefined;
  imagesFor(referralId: string): readonly ImageRecord[];
  outcomesFor(referralId: string): readonly Outcome[];
  /** Forgets everything (sign-out). */
  clear(): void;
  /** For `useSyncExternalStore`: called after every change that altered the state. */
  subscribe(listener: () => void): () => void;
  /** A value that changes exactly when the store's content changes. */
  revision(): number;
}

interface Entry<T> {
  readonly version: number;
  /** null once deleted: kept as a tombstone so an older copy cannot come back. */
  readonly data: T | null;
}

/** The store's whole content, immutable: each applied page yields a new state. */
export interface StoreState {
  readonly cursor: string | undefined;
  readonly referrals: ReadonlyMap<string, Entry<Referral>>;
  readonly images: ReadonlyMap<string, Entry<ImageRecord>>;
  readonly outcomes: ReadonlyMap<string, Entry<Outcome>>;
}

export const EMPTY_STATE: StoreState = {
  cursor: undefined,
  referrals: new Map(),
  images: new Map(),
  outcomes: new Map(),
};

type Kind = 'referrals' | 'images' | 'outcomes';
const KIND_OF: Partial<Record<Change['type'], Kind>> = {
  referral: 'referrals',
  image: 'images',
  outcome: 'outcomes',
};

/**
 * Pure reducer: applies changes in order; for each entity the highest `version` wins, a
 * deletion included. Entity kinds this workstation does not know yet are ignored.
 * Returns the same state object when nothing changed.
 */
export function reduceChanges(state: StoreState, changes: readonly Change[], cursor?: string): StoreState {
  const next: { [K in Kind]?: Map<string, Entry<unknown>> } = {};
  for (const change of changes) {
    const kind = KIND_OF[change.type];
    if (!kind) continue;
    const current = (next[kind] ?? state[kind]).get(change.id);
    if (current && current.version >= change.version) continue;
    const map = (next[kind] ??= new Map<string, Entry<unknown>>(state[kind]));
    map.set(change.id, { version: change.version, data: change.deleted ? null : change.data });
  }
  const cursorChanged = cursor !== undefined && cursor !== state.cursor;
  if (!next.referrals && !next.images && !next.outcomes && !cursorChanged) return state;
  return {
    cursor: cursor ?? state.cursor,
    referrals: (next.referrals as Map<string, Entry<Referral>> | undefined) ?? state.referrals,
    images: (next.images as Map<string, Entry<ImageRecord>> | undefined) ?? state.images,
    outcomes: (next.outcomes as Map<string, Entry<Outcome>> | undefined) ?? state.outcomes,
  };
}

function live<T>(map: ReadonlyMap<string, Entry<T>>): T[] {
  const out: T[] = [];
  for (const e of map.values()) if (e.data) out.push(e.data);
  return out;
}

/** Images of one referral in the order the referrer sent them (then by capture time). */
export function selectImagesFor(state: StoreState, referral: Referral | undefined, referralId: string): ImageRecord[] {
  const order = new Map((referral?.imageIds ?? []).map((id, i) => [id, i]));
  return live(state.images)
    .filter((img) => img.referralId === referralId)
    .sort(
      (a, b) =>
        (order.get(a.id) ?? Number.MAX_SAFE_INTEGER) - (order.get(b.id) ?? Number.MAX_SAFE_INTEGER) ||
        a.capturedAt.localeCompare(b.capturedAt) ||
        a.id.localeCompare(b.id),
    );
}

export function selectOutcomesFor(state: StoreState, referralId: string): Outcome[] {
  return live(state.outcomes)
    .filter((o) => o.referralId === referralId)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/** The in-memory implementation; selector results are cached until the next change. */
export function createMemoryStore(): LocalStore {
  let state = EMPTY_STATE;
  let rev = 0;
  let cache = new Map<string, unknown>();
  const listeners = new Set<() => void>();

  const cached = <T>(key: string, compute: () => T): T => {
    if (cache.has(key)) return cache.get(key) as T;
    const value = compute();
    cache.set(key, value);
    return value;
  };
  const commit = (next: StoreState) => {
    if (next === state) return;
    state = next;
    rev++;
    cache = new Map();
    for (const l of [...listeners]) l();
  };

  return {
    applyChanges: (page) => commit(reduceChanges(state, page.changes, page.cursor)),
    cursor: () => state.cursor,
    referrals: () => cached('referrals', () => live(state.referrals)),
    referral: (id) => state.referrals.get(id)?.data ?? undefined,
    imagesFor: (referralId) =>
      cached(`images:${referralId}`, () =>
        selectImagesFor(state, state.referrals.get(referralId)?.data ?? undefined, referralId),
      ),
    outcomesFor: (referralId) => cached(`outcomes:${referralId}`, () => selectOutcomesFor(state, referralId)),
    clear: () => commit(EMPTY_STATE),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    revision: () => rev,
  };
}
