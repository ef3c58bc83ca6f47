import type { UserRef } from '../../../shared/contract';
import type { WorkstationSettings } from '../../../shared/workstation-settings';
import type { RecordDb } from './db/record-db';
import { EntityCodec } from './store/entity-codec';
import { OutboxStore, type Action } from './store/outbox-store';
import { Queries } from './store/queries';
import { WorkbenchStore } from './store/workbench-store';
import type { SessionAuth } from './sync/session-auth';
import { SyncEngine } from './sync/sync-engine';

/**
 * Everything one unlocked user works with: their decrypted view of the local database, their
 * outbox, and the background sync. Made at sign-in or unlock, dropped (with the key) at
 * sign-out.
 */
export class Workspace {
  readonly codec: EntityCodec;
  readonly queries: Queries;
  readonly outbox: OutboxStore;
  /** The viewer's local calibrations, unusable-image marks and comparisons (never sent). */
  readonly workbench: WorkbenchStore;
  readonly sync: SyncEngine;
  private readonly pulledListeners = new Set<() => void>();

  constructor(
    readonly user: UserRef,
    readonly db: RecordDb,
    readonly dataKey: CryptoKey,
    readonly auth: SessionAuth,
    readonly settings: WorkstationSettings,
  ) {
    this.codec = new EntityCodec(dataKey);
    this.queries = new Queries(db, this.codec);
    this.outbox = new OutboxStore(db, this.codec);
    this.workbench = new WorkbenchStore(db, dataKey);
    this.sync = new SyncEngine({
      db,
      codec: this.codec,
      outbox: this.outbox,
      auth,
      userId: user.id,
      onPulled: () => {
        for (const l of [...this.pulledListeners]) l();
      },
    });
  }

  /** Records an action: stored with its local effect before this resolves, then sent. */
  async act(action: Action): Promise<void> {
    await this.outbox.enqueue(action);
    void this.sync.kickPush();
  }

  onPulled(listener: () => void): () => void {
    this.pulledListeners.add(listener);
    return () => this.pulledListeners.delete(listener);
  }

  close(): void {
    this.sync.stop();
    this.pulledListeners.clear();
    this.db.close();
  }
}
