// fake-indexeddb first: Dexie looks up the global IndexedDB when it is loaded.
import 'fake-indexeddb/auto';
import { randomUUID } from 'node:crypto';
import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Referral } from '../../shared/contract';
import type { LocalDraft } from '../../shared/viewer/workbench';
import { generateDataKey } from '../../renderer/src/data/crypto/cipher';
import { RecordDb } from '../../renderer/src/data/db/record-db';
import { applyPage } from '../../renderer/src/data/store/apply-page';
import { EntityCodec } from '../../renderer/src/data/store/entity-codec';
import { WorkbenchStore } from '../../renderer/src/data/store/workbench-store';
import { EMPTY_VALUES } from '../../renderer/src/case/outcome-form-model';
import { feedBuilder, storedText } from '../support/records';

/*
 * The outcome form's local draft (#6): a sealed workbench record per referral, parsed on read,
 * replaced as the clinician types and deleted when the outcome goes into the outbox.
 */

const ADVICE = 'Emollients twice daily; Philomena should return if it weeps.';
const dataKey = await generateDataKey();
const { referral: refCh, page } = feedBuilder();

let db: RecordDb;
let store: WorkbenchStore;

beforeEach(() => {
  db = new RecordDb(`outcome-draft-${randomUUID()}`);
  store = new WorkbenchStore(db, dataKey);
});

afterEach(async () => {
  db.close();
  await Dexie.delete(db.name);
});

async function storedReferral(): Promise<Referral> {
  const r: Referral = {
    id: randomUUID(),
    version: 1,
    status: 'new',
    pathway: 'advice',
    patient: { nhsNumber: '9990000018', name: { given: 'Philomena', family: 'Quagmire' }, birthDate: '1950-02-01', sex: 'female' },
    referrer: { name: 'Dr A Example', practiceCode: 'A12345', userId: '0192f0a0-0000-7000-8000-0000000000d1' },
    question: 'Rash on the forearm.',
    history: {},
    receivedAt: '2026-11-02T09:00:00Z',
    dueAt: '2026-11-04T09:00:00Z',
    assignedTo: null,
    imageIds: [],
    infoRequests: [],
    followUps: [],
  };
  await applyPage(db, new EntityCodec(dataKey), page([refCh(r)]), Date.parse('2026-11-10T12:00:00Z'));
  return r;
}

const draft = (referralId: string, adviceToGp: string, savedAt = '2026-12-01T10:00:00Z'): LocalDraft => ({
  referralId,
  outcomeId: randomUUID(),
  values: { ...EMPTY_VALUES, decision: 'advice', diagnosis: { text: 'Atopic dermatitis', code: '24079001' }, adviceToGp },
  savedAt,
});

describe('WorkbenchStore: outcome drafts', () => {
  it('saves, replaces, reads (any id case) and deletes a referral’s draft, sealed', async () => {
    const r = await storedReferral();
    expect(await store.draft(r.id)).toBeNull();
    await store.saveDraft(draft(r.id, 'first'));
    const second = draft(r.id, ADVICE, '2026-12-01T10:00:05Z');
    await store.saveDraft(second);
    expect(await store.draft(r.id.toUpperCase())).toEqual(second);
    const rows = await db.workbench.toArray();
    expect(rows.map((row) => row.key)).toEqual([`draft:${r.id}`]);
    expect(storedText(rows)).not.toContain('Philomena should return');
    expect(storedText(rows)).not.toContain('Atopic dermatitis');
    await store.deleteDraft(r.id);
    expect(await store.draft(r.id)).toBeNull();
  });

  it('refuses a draft of a referral it does not hold, or one that does not parse', async () => {
    await expect(store.saveDraft(draft(randomUUID(), 'x'))).rejects.toThrow(/not stored/);
    const r = await storedReferral();
    await expect(store.saveDraft({ ...draft(r.id, 'x'), values: { ...EMPTY_VALUES, priority: 'P9' } } as unknown as LocalDraft)).rejects.toThrow();
    expect(await db.workbench.count()).toBe(0);
  });
});
