import Dexie, { type DBCore, type Middleware, type DBCoreMutateRequest, type DBCoreTable, type Table, type Transaction } from 'dexie';
import type { Sealed } from '../crypto/cipher';

/** Which feed entities the workstation keeps; each has its own table of the same name. */
export type EntityTable = 'referrals' | 'images' | 'outcomes' | 'annotations';
export const ENTITY_TABLES: readonly EntityTable[] = ['referrals', 'images', 'outcomes', 'annotations'];

/**
 * The clinician's own, not yet confirmed, version of an entity: the effect of an outbox entry
 * shown at once. It is kept while its mutation is in the outbox and, after that, until the
 * feed brings a version newer than the one it was based on.
 */
export interface Overlay {
  readonly mutationId: string;
  /** The server version this effect was made on (0 for an entity that does not exist yet). */
  readonly baseVersion: number;
  /**
   * The version the service gave this mutation, once it answered and before the feed brought
   * that version: an edit made meanwhile is made on top of it, not of the older stored one.
   */
  readonly appliedVersion?: number;
  readonly sealed: Sealed;
}

/**
 * One entity. Only ids, versions and times are stored in the clear; everything clinical is
 * sealed (AES-GCM, bound to "<table>:<id>").
 */
export interface EntityRow {
  readonly id: string;
  /** The referral it belongs to (its own id for a referral): cascades and worklist protection. */
  readonly referralId: string;
  /** The server's version; 0 when only the clinician's overlay exists. */
  readonly version: number;
  /** The server's copy; null until the feed has brought one. */
  readonly sealed: Sealed | null;
  readonly overlay: Overlay | null;
  /** 1 while an overlay exists (IndexedDB cannot index null-ness). */
  readonly hasOverlay: 0 | 1;
  /** When the feed last delivered this entity (ms), for the cache's age limit. */
  readonly storedAt: number;
  /**
   * When this row was last written (ms, fractional, unique per write; any writer): set by the
   * database itself (see `stampChanges`), never by callers. Not clinical. Absent on rows last
   * written before v4.
   */
  readonly changedAt?: number;
}

export type OutboxState = 'pending' | 'conflict' | 'rejected';

/** A clinician's action waiting for the service's answer. */
export interface OutboxRow {
  /** Order of entry; per entity, entries are sent in this order. */
  readonly seq?: number;
  readonly mutationId: string;
  readonly entityId: string;
  /** The mutation type (not clinical) so the status can count by kind without decrypting. */
  readonly type: string;
  readonly state: OutboxState;
  /**
   * True when the entry was made on top of an earlier entry for the same entity: its
   * baseVersion is the version that entry's success produced, filled in when it is applied.
   */
  readonly chained: boolean;
  readonly baseVersion: number | null;
  /** The mutation (payload included), sealed with "outbox:<mutationId>". */
  readonly sealed: Sealed;
  readonly createdAt: number;
  readonly attempts: number;
  /** The service's refusal: codes and messages carry no clinical text. */
  readonly error: { readonly code: string; readonly message: string; readonly currentVersion?: number } | null;
}

/** A conflict or refusal the clinician dealt with, kept so neither version is ever lost. */
export interface ResolutionRow {
  readonly seq?: number;
  readonly at: number;
  readonly entityId: string;
  readonly sealed: Sealed;
}

/**
 * One record of the viewer's workbench (#5): a calibration, an "unusable" mark or a saved
 * comparison, local to this clinician and not part of the service contract. The key says what it
 * is (`calibration:<imageId>`, `mark:<imageId>`, `comparison:<comparisonKey>`); the value is
 * sealed with "workbench:<key>". It belongs to a referral and is deleted with it.
 */
export interface WorkbenchRow {
  readonly key: string;
  readonly referralId: string;
  readonly sealed: Sealed;
  /** When the clinician last changed it (ms). */
  readonly updatedAt: number;
}

export interface MetaRow {
  readonly key: string;
  readonly value: unknown;
}

/**
 * The schema history. Each entry is what that version declared, so tests can open a database
 * as any earlier version created it and check the upgrade to the latest. Never edit an entry:
 * add a new one.
 */
export const SCHEMA_VERSIONS = [
  {
    version: 1,
    stores: {
      meta: '&key',
      referrals: '&id, storedAt',
      images: '&id, referralId',
      outcomes: '&id, referralId',
      outbox: '++seq, &mutationId, entityId',
    },
  },
  {
    // Annotations arrive in the feed (#3); overlays become indexable so they can be settled
    // without a scan; outbox entries get a state index for the Conflicts view; resolutions
    // are kept.
    version: 2,
    stores: {
      referrals: '&id, storedAt, hasOverlay',
      images: '&id, referralId, storedAt, hasOverlay',
      outcomes: '&id, referralId, storedAt, hasOverlay',
      annotations: '&id, referralId, storedAt, hasOverlay',
      outbox: '++seq, &mutationId, entityId, state',
      resolutions: '++seq, entityId',
    },
  },
  {
    // The viewer's workbench (#5): calibrations, unusable-image marks and saved comparisons,
    // sealed, indexed by referral so they go with it.
    version: 3,
    stores: {
      workbench: '&key, referralId',
    },
  },
  {
    // The worklist index (#6) keeps a decrypted summary of every referral in memory and must
    // not re-read and re-decrypt 50,000 rows after each pull: every entity row carries the time
    // it was last written, indexed, so only rows changed since the last look are read. No
    // upgrade function: rows from before v4 carry no stamp and stay out of the index until they
    // are next written, which is fine because the worklist index reads every row once when it
    // is built and only needs the stamp for what changed after.
    // The index is [changedAt+id] so "what changed since t" is one key-only read (stamp and
    // id from the index, no values), and only the rows whose stamp moved are then fetched.
    version: 4,
    stores: {
      referrals: '&id, storedAt, hasOverlay, [changedAt+id]',
      images: '&id, referralId, storedAt, hasOverlay, [changedAt+id]',
      outcomes: '&id, referralId, storedAt, hasOverlay, [changedAt+id]',
      annotations: '&id, referralId, storedAt, hasOverlay, [changedAt+id]',
    },
  },
] as const;

/** The entity tables whose rows carry `changedAt` from v4 on. */
const STAMPED_TABLES: ReadonlySet<string> = new Set<EntityTable>(ENTITY_TABLES);

/**
 * Stamps every entity row written, by any writer (feed pages, outbox effects, resolutions,
 * retention, upgrades), with the time of the write, as middleware under Dexie's API so no
 * writer can forget it. Why a time and why it is safe to read "changed since t": IndexedDB runs
 * read-write transactions on the same store one at a time, and a read-only transaction sees all
 * or none of one, so a reader that has seen a stamp t has seen every row stamped before t,
 * unless the clock stepped back; readers look back a few seconds for that
 * (`worklist-index.ts`).
 */
function stampChanges(): Middleware<DBCore> {
  return {
    stack: 'dbcore',
    name: 'loupe-change-stamp',
    create(down: DBCore): DBCore {
      return {
        ...down,
        table(name: string): DBCoreTable {
          const table = down.table(name);
          if (!STAMPED_TABLES.has(name)) return table;
          return {
            ...table,
            mutate(req: DBCoreMutateRequest) {
              if (req.type !== 'add' && req.type !== 'put') return table.mutate(req);
              const changedAt = nextStamp();
              const values = req.values.map((v: object) => ({ ...v, changedAt }));
              if (req.type === 'add') return table.mutate({ ...req, values });
              return table.mutate({
                ...req,
                values,
                ...(req.changeSpec ? { changeSpec: { ...req.changeSpec, changedAt } } : {}),
                ...(req.updates ? { updates: { keys: req.updates.keys, changeSpecs: req.updates.changeSpecs.map((c) => ({ ...c, changedAt })) } } : {}),
              });
            },
          };
        },
      };
    },
  };
}

let lastStamp = 0;

/**
 * The time in ms, strictly increasing in this window, with a random sub-millisecond part so two
 * windows writing the same row in the same millisecond still leave different stamps: a reader
 * that compares a row's stamp with the one it saw never mistakes a new write for the old one.
 */
function nextStamp(): number {
  const now = Date.now();
  lastStamp = now > lastStamp ? now + Math.random() * 0.001 : lastStamp + 0.001;
  return lastStamp;
}

/** The schema version that introduced `changedAt`. */
const CHANGE_STAMP_VERSION = 4;

export const LATEST_VERSION = SCHEMA_VERSIONS[SCHEMA_VERSIONS.length - 1]!.version;

/** Rows written by version 1, before overlays and outbox states existed. */
interface V1EntityRow {
  id: string;
  referralId?: string;
  version: number;
  sealed: Sealed | null;
  overlay?: Overlay | null;
  storedAt: number;
}
interface V1OutboxRow {
  state?: OutboxState;
  chained?: boolean;
  error?: OutboxRow['error'];
  attempts?: number;
}

export class RecordDb extends Dexie {
  meta!: Table<MetaRow, string>;
  referrals!: Table<EntityRow, string>;
  images!: Table<EntityRow, string>;
  outcomes!: Table<EntityRow, string>;
  annotations!: Table<EntityRow, string>;
  outbox!: Table<OutboxRow, number>;
  resolutions!: Table<ResolutionRow, number>;
  workbench!: Table<WorkbenchRow, string>;

  constructor(name: string, upTo: number = LATEST_VERSION, options?: ConstructorParameters<typeof Dexie>[1]) {
    // Decisions must survive a power cut, not only a crashed browser: strict durability
    // makes Chromium flush each commit before reporting it.
    super(name, { chromeTransactionDurability: 'strict', ...options });
    for (const v of SCHEMA_VERSIONS) {
      if (v.version > upTo) break;
      const declared = this.version(v.version).stores(v.stores);
      if (v.version === 2) declared.upgrade(upgradeToV2);
    }
    // Tests open earlier versions as they were: those never stamped their rows.
    if (upTo >= CHANGE_STAMP_VERSION) this.use(stampChanges());
  }
}

/** v1 → v2: every entity row gets an explicit overlay flag, every outbox entry a state. */
async function upgradeToV2(tx: Transaction): Promise<void> {
  for (const table of ['referrals', 'images', 'outcomes'] as const) {
    await tx
      .table(table)
      .toCollection()
      .modify((row: V1EntityRow & { hasOverlay?: 0 | 1 }) => {
        row.overlay ??= null;
        row.referralId ??= row.id;
        row.hasOverlay = row.overlay ? 1 : 0;
      });
  }
  await tx
    .table('outbox')
    .toCollection()
    .modify((row: V1OutboxRow) => {
      row.state ??= 'pending';
      row.chained ??= false;
      row.error ??= null;
      row.attempts ??= 0;
    });
}

/** One database per user: a shared workstation never mixes two clinicians' caches or outboxes. */
export function recordDbName(userId: string): string {
  return `loupe-records-${userId}`;
}

export function openRecordDb(userId: string): RecordDb {
  return new RecordDb(recordDbName(userId));
}
