import { describe, expect, it } from 'vitest';
import type { Change, ChangesPage, ImageRecord, Outcome, Referral } from '../../shared/contract';
import { createMemoryStore, EMPTY_STATE, reduceChanges } from '../../renderer/src/data/local-store';

const R1 = '0192f0a0-0000-7000-8000-000000000001';
const R2 = '0192f0a0-0000-7000-8000-000000000002';
const I1 = '0192f0a0-0000-7000-8000-0000000000a1';
const I2 = '0192f0a0-0000-7000-8000-0000000000a2';
const O1 = '0192f0a0-0000-7000-8000-0000000000b1';
const USER = { id: '0192f0a0-0000-7000-8000-0000000000c1', name: 'Dr C', role: 'consultant' as const };

function referral(id: string, version: number, patch: Partial<Referral> = {}): Referral {
  return {
    id,
    version,
    status: 'new',
    pathway: 'advice',
    patient: { nhsNumber: '9990000018', name: { given: 'Ada', family: 'Example' }, birthDate: '1950-02-01', sex: 'female' },
    referrer: { name: 'Dr A Example', practiceCode: 'A12345', userId: USER.id },
    question: 'Melanoma?',
    history: {},
    receivedAt: '2026-11-02T09:00:00Z',
    dueAt: '2026-11-04T09:00:00Z',
    assignedTo: null,
    imageIds: [I2, I1],
    infoRequests: [],
    followUps: [],
    ...patch,
  };
}

function image(id: string, referralId: string, capturedAt: string): ImageRecord {
  return {
    id,
    referralId,
    patientNhsNumber: '9990000018',
    lesion: 'L1',
    kind: 'dermoscopic',
    bodySite: 'left lower leg',
    capturedAt,
    width: 4000,
    height: 3000,
    tileSize: 254,
    overlap: 1,
    format: 'jpeg',
    mmPerPixel: null,
  };
}

function outcome(id: string, referralId: string, version: number): Outcome {
  return {
    id,
    referralId,
    version,
    status: 'final',
    author: USER,
    decision: 'discharge',
    diagnosis: { text: 'Seborrhoeic keratosis' },
    adviceToGp: 'Benign.',
    createdAt: '2026-11-03T09:00:00Z',
    updatedAt: '2026-11-03T09:00:00Z',
    submittedAt: '2026-11-03T09:00:00Z',
    supersedes: null,
    supersededBy: null,
    signedOff: null,
    returned: null,
  };
}

let seq = 0;
const ch = (c: Omit<Change, 'seq'>): Change => ({ ...c, seq: ++seq }) as Change;
const page = (changes: Change[], cursor = `c${seq}`, hasMore = false): ChangesPage => ({ changes, cursor, hasMore });

describe('reduceChanges', () => {
  it('keeps the highest version of each entity, whatever the order', () => {
    const s = reduceChanges(EMPTY_STATE, [
      ch({ type: 'referral', id: R1, version: 2, data: referral(R1, 2, { status: 'in-review' }) }),
      ch({ type: 'referral', id: R1, version: 1, data: referral(R1, 1) }),
    ]);
    expect(s.referrals.get(R1)?.data?.status).toBe('in-review');
  });

  it('removes deleted entities and does not let an older copy come back', () => {
    let s = reduceChanges(EMPTY_STATE, [ch({ type: 'referral', id: R1, version: 1, data: referral(R1, 1) })]);
    s = reduceChanges(s, [ch({ type: 'referral', id: R1, version: 2, deleted: true, data: null })]);
    s = reduceChanges(s, [ch({ type: 'referral', id: R1, version: 1, data: referral(R1, 1) })]);
    expect(s.referrals.get(R1)?.data).toBeNull();
  });

  it('ignores entity kinds it does not know and returns the same state when nothing changed', () => {
    const s = reduceChanges(EMPTY_STATE, [
      ch({ type: 'annotation', id: R1, version: 1, deleted: true, data: null }),
    ]);
    expect(s).toBe(EMPTY_STATE);
  });
});

describe('createMemoryStore', () => {
  it('applies pages, remembers the cursor and notifies subscribers once per change', () => {
    const store = createMemoryStore();
    let calls = 0;
    store.subscribe(() => calls++);
    store.applyChanges(
      page(
        [
          ch({ type: 'referral', id: R1, version: 1, data: referral(R1, 1) }),
          ch({ type: 'referral', id: R2, version: 1, data: referral(R2, 1, { imageIds: [] }) }),
          ch({ type: 'image', id: I1, version: 1, data: image(I1, R1, '2026-11-01T10:00:00Z') }),
          ch({ type: 'image', id: I2, version: 1, data: image(I2, R1, '2026-11-01T11:00:00Z') }),
          ch({ type: 'outcome', id: O1, version: 1, data: outcome(O1, R1, 1) }),
        ],
        'abc',
      ),
    );
    expect(calls).toBe(1);
    expect(store.cursor()).toBe('abc');
    expect(store.referrals().map((r) => r.id).sort()).toEqual([R1, R2]);
    expect(store.referral(R2)?.imageIds).toEqual([]);
    // images follow the referral's own order, not the feed's
    expect(store.imagesFor(R1).map((i) => i.id)).toEqual([I2, I1]);
    expect(store.imagesFor(R2)).toEqual([]);
    expect(store.outcomesFor(R1).map((o) => o.id)).toEqual([O1]);
  });

  it('gives the same arrays until something changes (stable for useSyncExternalStore)', () => {
    const store = createMemoryStore();
    store.applyChanges(page([ch({ type: 'referral', id: R1, version: 1, data: referral(R1, 1) })]));
    const first = store.referrals();
    const rev = store.revision();
    expect(store.referrals()).toBe(first);
    store.applyChanges(page([ch({ type: 'referral', id: R1, version: 1, data: referral(R1, 1) })], store.cursor()));
    expect(store.revision()).toBe(rev);
    store.applyChanges(page([ch({ type: 'referral', id: R1, version: 2, data: referral(R1, 2) })]));
    expect(store.revision()).toBe(rev + 1);
    expect(store.referrals()).not.toBe(first);
  });

  it('forgets everything on clear', () => {
    const store = createMemoryStore();
    store.applyChanges(page([ch({ type: 'referral', id: R1, version: 1, data: referral(R1, 1) })], 'x'));
    store.clear();
    expect(store.referrals()).toEqual([]);
    expect(store.cursor()).toBeUndefined();
  });
});
