import type { z } from 'zod';
import { Calibration, Comparison, comparisonKey, ImageMark, LocalDraft } from '../../../../shared/viewer/workbench';
import { openJson, sealJson, type Sealed } from '../crypto/cipher';
import type { RecordDb, WorkbenchRow } from '../db/record-db';

const calibrationKey = (imageId: string) => `calibration:${imageId.toLowerCase()}`;
const markKey = (imageId: string) => `mark:${imageId.toLowerCase()}`;
const draftKey = (referralId: string) => `draft:${referralId.toLowerCase()}`;
const comparisonRowKey = (imageIds: readonly string[]) => `comparison:${comparisonKey(imageIds)}`;
const workbenchAad = (key: string) => `workbench:${key}`;

const MARK_PREFIX = 'mark:';

/**
 * The viewer's per-clinician workbench (#5): calibrations, unusable-image marks and saved
 * comparisons. Local records only (never sent to the service), sealed with the user's data key
 * and bound to their row ("workbench:<key>"), each belonging to a referral and deleted with it
 * (retention). Every value is checked with its schema when written and again when opened; a
 * record that does not open or parse is treated as absent.
 *
 * Reads run inside Dexie live queries like `Queries`: the IndexedDB read first, the decryption
 * wrapped in `Promise.resolve`.
 */
export class WorkbenchStore {
  /** What was opened, by row and nonce (unique per seal), so live queries do not decrypt again. */
  private readonly opened = new Map<string, unknown>();

  constructor(
    private readonly db: RecordDb,
    private readonly dataKey: CryptoKey,
  ) {}

  /** Saves the image's scale (replacing an earlier one). The image must be stored locally. */
  async setCalibration(calibration: Calibration): Promise<void> {
    const value = Calibration.parse(calibration);
    const key = calibrationKey(value.imageId);
    const sealed = await this.seal(key, value);
    // Sealed first: IndexedDB commits a transaction that waits on anything but its own requests.
    await this.db.transaction('rw', [this.db.images, this.db.referrals, this.db.workbench], async () => {
      const image = await this.db.images.get(value.imageId);
      if (!image) throw new Error('The image is not stored on this workstation.');
      await this.put(key, image.referralId, sealed);
    });
  }

  async clearCalibration(imageId: string): Promise<void> {
    await this.db.workbench.delete(calibrationKey(imageId));
  }

  /** Marks an image as unusable (replacing an earlier mark). Its referral must be stored locally. */
  async markUnusable(mark: ImageMark): Promise<void> {
    const value = ImageMark.parse(mark);
    const key = markKey(value.imageId);
    const sealed = await this.seal(key, value);
    await this.db.transaction('rw', [this.db.images, this.db.referrals, this.db.workbench], async () => {
      const image = await this.db.images.get(value.imageId);
      if (image && image.referralId !== value.referralId) throw new Error('The image belongs to another referral.');
      await this.put(key, value.referralId, sealed);
    });
  }

  async clearMark(imageId: string): Promise<void> {
    await this.db.workbench.delete(markKey(imageId));
  }

  /** Saves a comparison under the key of its set of images (replacing an earlier one). */
  async saveComparison(comparison: Comparison): Promise<void> {
    const value = Comparison.parse(comparison);
    const key = comparisonRowKey(value.imageIds);
    const sealed = await this.seal(key, value);
    await this.db.transaction('rw', [this.db.referrals, this.db.workbench], async () => {
      await this.put(key, value.referralId, sealed);
    });
  }

  /**
   * Keeps the outcome form as typed (#6), replacing the referral's earlier local draft. Its
   * referral must be stored locally; it is deleted with it, and when the outcome is sent.
   */
  async saveDraft(draft: LocalDraft): Promise<void> {
    const value = LocalDraft.parse(draft);
    const key = draftKey(value.referralId);
    const sealed = await this.seal(key, value);
    await this.db.transaction('rw', [this.db.referrals, this.db.workbench], async () => {
      await this.put(key, value.referralId, sealed);
    });
  }

  /** The referral's local form draft, or null (also when it does not open or parse). */
  async draft(referralId: string): Promise<LocalDraft | null> {
    const row = await this.db.workbench.get(draftKey(referralId));
    return row ? Promise.resolve(this.open(LocalDraft, row)) : null;
  }

  async deleteDraft(referralId: string): Promise<void> {
    await this.db.workbench.delete(draftKey(referralId));
  }

  /** The image's saved scale, or null. */
  async calibration(imageId: string): Promise<Calibration | null> {
    const row = await this.db.workbench.get(calibrationKey(imageId));
    return row ? Promise.resolve(this.open(Calibration, row)) : null;
  }

  /** The referral's images marked unusable, oldest mark first. */
  async marksFor(referralId: string): Promise<ImageMark[]> {
    const rows = await this.db.workbench
      .where('referralId')
      .equals(referralId.toLowerCase())
      .filter((r) => r.key.startsWith(MARK_PREFIX))
      .toArray();
    const marks = await Promise.resolve(Promise.all(rows.map((r) => this.open(ImageMark, r))));
    return marks
      .filter((m): m is ImageMark => m !== null)
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.imageId.localeCompare(b.imageId));
  }

  /**
   * The comparison saved for this set of images, whichever order they are given in, or null.
   * Its `imageIds` are in the order it was saved in (the first is the reference).
   */
  async comparison(imageIds: readonly string[]): Promise<Comparison | null> {
    if (imageIds.length < 2) return null;
    const row = await this.db.workbench.get(comparisonRowKey(imageIds));
    return row ? Promise.resolve(this.open(Comparison, row)) : null;
  }

  private seal(key: string, value: unknown): Promise<Sealed> {
    return sealJson(this.dataKey, value, workbenchAad(key));
  }

  /** Inside a transaction over referrals and workbench: a record never outlives its referral. */
  private async put(key: string, referralId: string, sealed: Sealed): Promise<void> {
    if (!(await this.db.referrals.get(referralId))) throw new Error('The referral is not stored on this workstation.');
    const row: WorkbenchRow = { key, referralId, sealed, updatedAt: Date.now() };
    await this.db.workbench.put(row);
  }

  /** The row's value, or null (logged, without its content) when it does not open or parse. */
  private async open<T>(schema: z.ZodType<T>, row: WorkbenchRow): Promise<T | null> {
    const memo = `${row.key}:${hex(row.sealed.iv)}`;
    if (this.opened.has(memo)) return this.opened.get(memo) as T;
    try {
      const value = schema.parse(await openJson(this.dataKey, row.sealed, workbenchAad(row.key)));
      if (this.opened.size > 5_000) this.opened.clear();
      this.opened.set(memo, value);
      return value;
    } catch (err) {
      // The error's name only: a zod message could quote what was stored.
      console.warn(`Workbench record ${kindOf(row.key)} ignored: it could not be opened (${err instanceof Error ? err.name : 'unknown error'}).`);
      return null;
    }
  }
}

function kindOf(key: string): string {
  return key.slice(0, Math.max(0, key.indexOf(':'))) || 'record';
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
