import type { Annotation, ImageRecord, Outcome, Referral } from '../../../../shared/contract';
import type { EntityRow, EntityTable, RecordDb } from '../db/record-db';
import type { EntityCodec, EntityTypes } from './entity-codec';

/** One image of a lesion's history, with the referral it came with. */
export interface TimelineEntry {
  readonly image: ImageRecord;
  readonly referral: Referral;
}

/**
 * Reads for the screens. Each runs inside a Dexie live query: the IndexedDB reads come first,
 * and the decryption (WebCrypto, not Dexie) is wrapped in `Promise.resolve` as Dexie asks, so
 * the query is still re-run whenever the rows it read change, in this tab or another.
 */
export class Queries {
  constructor(
    private readonly db: RecordDb,
    private readonly codec: EntityCodec,
  ) {}

  private async visible<T extends EntityTable>(table: T, rows: readonly EntityRow[]): Promise<EntityTypes[T][]> {
    const values = await Promise.resolve(Promise.all(rows.map((r) => this.codec.visible(table, r))));
    return values.filter((v): v is Awaited<EntityTypes[T]> => v !== null) as EntityTypes[T][];
  }

  async referrals(): Promise<Referral[]> {
    return this.visible('referrals', await this.db.referrals.toArray());
  }

  async referral(id: string): Promise<Referral | null> {
    const row = await this.db.referrals.get(id);
    return row ? (await this.visible('referrals', [row]))[0] ?? null : null;
  }

  /** Images of one referral in the order the referrer sent them (then by capture time). */
  async imagesFor(referralId: string): Promise<ImageRecord[]> {
    const referralRow = await this.db.referrals.get(referralId);
    const rows = await this.db.images.where('referralId').equals(referralId).toArray();
    const [referral] = referralRow ? await this.visible('referrals', [referralRow]) : [];
    return orderImages(await this.visible('images', rows), referral);
  }

  async outcomesFor(referralId: string): Promise<Outcome[]> {
    const rows = await this.db.outcomes.where('referralId').equals(referralId).toArray();
    return (await this.visible('outcomes', rows)).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /**
   * The referral's annotations as the clinician sees them: one they deleted is gone at once
   * (its overlay is a tombstone, which `visible` drops) as is one the service deleted.
   */
  async annotationsFor(referralId: string): Promise<Annotation[]> {
    const rows = await this.db.annotations.where('referralId').equals(referralId).toArray();
    return this.visible('annotations', rows);
  }

  /**
   * Every stored image of one lesion of the referral's patient, across all the patient's
   * referrals on this workstation (same NHS number), oldest capture first: how the lesion
   * changed. Empty when the referral is not stored.
   */
  async lesionTimeline(referralId: string, lesion: string): Promise<TimelineEntry[]> {
    const referrals = await this.referrals();
    const current = referrals.find((r) => r.id === referralId);
    if (!current) return [];
    const nhsNumber = current.patient.nhsNumber;
    const patientReferrals = new Map(referrals.filter((r) => r.patient.nhsNumber === nhsNumber).map((r) => [r.id, r]));
    const rows = await this.db.images.where('referralId').anyOf([...patientReferrals.keys()]).toArray();
    const entries: TimelineEntry[] = [];
    for (const image of await this.visible('images', rows)) {
      const referral = patientReferrals.get(image.referralId);
      if (referral && image.lesion === lesion && image.patientNhsNumber === nhsNumber) entries.push({ image, referral });
    }
    return entries.sort(
      (a, b) => Date.parse(a.image.capturedAt) - Date.parse(b.image.capturedAt) || a.image.id.localeCompare(b.image.id),
    );
  }

  /** The server's copy of an entity (for the Conflicts view's "current version"). */
  async serverVersion<T extends EntityTable>(table: T, id: string): Promise<EntityTypes[T] | null> {
    const row = await this.db[table].get(id);
    return row ? Promise.resolve(this.codec.server(table, row)) : null;
  }
}

export function orderImages(images: ImageRecord[], referral: Referral | undefined): ImageRecord[] {
  const order = new Map((referral?.imageIds ?? []).map((id, i) => [id, i]));
  return images.sort(
    (a, b) =>
      (order.get(a.id) ?? Number.MAX_SAFE_INTEGER) - (order.get(b.id) ?? Number.MAX_SAFE_INTEGER) ||
      a.capturedAt.localeCompare(b.capturedAt) ||
      a.id.localeCompare(b.id),
  );
}
