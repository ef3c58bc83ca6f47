/**
 * Small fixtures for the renderer's data-layer tests: an image record with sensible defaults,
 * change-feed entries as the service sends them, and every stored value flattened to text for
 * the "no plaintext at rest" checks.
 */
import type { Annotation, Change, ChangesPage, ImageRecord, Outcome, Referral } from '../../shared/contract';

/** A 4000 × 3000 dermoscopic image of lesion L1 (the fields a test cares about override these). */
export function imageRecord(fields: Pick<ImageRecord, 'id' | 'referralId'> & Partial<ImageRecord>): ImageRecord {
  return {
    patientNhsNumber: '9990000018',
    lesion: 'L1',
    kind: 'dermoscopic',
    bodySite: 'left lower leg',
    capturedAt: '2026-11-01T10:00:00Z',
    width: 4000,
    height: 3000,
    tileSize: 254,
    overlap: 1,
    format: 'jpeg',
    mmPerPixel: null,
    ...fields,
  };
}

/**
 * Every stored value as text: strings as they are, binary (ciphertexts, nonces) as Latin-1 and
 * as UTF-8, so plaintext stored in a buffer would show up as well as plaintext in a field.
 */
export function storedText(value: unknown): string {
  const parts: string[] = [];
  const walk = (v: unknown): void => {
    if (v === null || v === undefined) return;
    if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
      const bytes = v instanceof ArrayBuffer ? Buffer.from(v) : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      parts.push(bytes.toString('latin1'), bytes.toString('utf8'));
      return;
    }
    if (Array.isArray(v)) return v.forEach(walk);
    if (typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) {
        parts.push(k);
        walk(inner);
      }
      return;
    }
    parts.push(String(v));
  };
  walk(value);
  return parts.join('\n');
}

/** Change-feed entries and pages, numbered in order as the service numbers them (one counter per builder). */
export function feedBuilder() {
  let seq = 0;
  return {
    referral: (r: Referral): Change => ({ seq: ++seq, type: 'referral', id: r.id, version: r.version, data: r }),
    image: (i: ImageRecord, version = 1): Change => ({ seq: ++seq, type: 'image', id: i.id, version, data: i }),
    outcome: (o: Outcome): Change => ({ seq: ++seq, type: 'outcome', id: o.id, version: o.version, data: o }),
    annotation: (a: Annotation): Change => ({ seq: ++seq, type: 'annotation', id: a.id, version: a.version, data: a }),
    deleted: (type: Change['type'], id: string, version: number): Change => ({ seq: ++seq, type, id, version, deleted: true, data: null }),
    page: (changes: Change[], hasMore = false): ChangesPage => ({ changes, cursor: String(++seq), hasMore }),
  };
}
