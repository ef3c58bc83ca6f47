import { describe, expect, it } from 'vitest';
import type { ImageRecord, Outcome } from '../../shared/contract';
import { dziMaxLevel } from '../../shared/dzi';
import { ServiceClient } from '../../shared/client/service-client';
import { ageInYears, formatAge, formatBirthDate, formatDate, formatDateTime } from '../../renderer/src/format/dates';
import { groupImagesByLesion } from '../../renderer/src/case/group-images';
import { historyRows } from '../../renderer/src/case/history-rows';
import { currentOutcome } from '../../renderer/src/case/outcome-select';
import { checkValues, EMPTY_VALUES } from '../../renderer/src/case/outcome-form-model';
import { dziTileSource, singleTileLevel } from '../../renderer/src/case/tile-source';
import { patientName } from '../../renderer/src/format/patient';

describe('dates and age', () => {
  it('formats in UK time with fixed month names', () => {
    expect(formatDate('2026-11-01T10:00:00Z')).toBe('1 Nov 2026');
    expect(formatDate('2026-09-01T10:00:00Z')).toBe('1 Sep 2026');
    expect(formatDateTime('2026-07-01T10:05:00Z')).toBe('1 Jul 2026, 11:05'); // BST
    expect(formatDateTime('2026-12-31T23:30:00Z')).toBe('31 Dec 2026, 23:30');
    expect(formatBirthDate('1950-02-01')).toBe('1 Feb 1950');
  });

  it('counts whole years, turning over on the birthday', () => {
    expect(ageInYears('1950-02-01', new Date('2026-01-31T12:00:00Z'))).toBe(75);
    expect(ageInYears('1950-02-01', new Date('2026-02-01T12:00:00Z'))).toBe(76);
    expect(formatAge('1950-02-01', new Date('2026-02-01T12:00:00Z'))).toBe('76 y');
    expect(formatAge('2026-01-15', new Date('2026-09-20T12:00:00Z'))).toBe('8 mo');
    expect(ageInYears('nonsense', new Date())).toBeNull();
  });

  it('writes the patient name the NHS way', () => {
    expect(patientName({ name: { given: 'Ada', family: 'Example' } })).toBe('EXAMPLE, Ada');
  });
});

function img(id: string, lesion: string, kind: ImageRecord['kind']): ImageRecord {
  return {
    id,
    referralId: 'r',
    patientNhsNumber: '9990000018',
    lesion,
    kind,
    bodySite: 'left lower leg',
    capturedAt: '2026-11-01T10:00:00Z',
    width: 100,
    height: 100,
    tileSize: 254,
    overlap: 1,
    format: 'jpeg',
    mmPerPixel: null,
  };
}

describe('groupImagesByLesion', () => {
  it('groups by lesion in order of first image and numbers across the referral', () => {
    const groups = groupImagesByLesion([img('a', 'L1', 'regional'), img('b', 'L2', 'close-up'), img('c', 'L1', 'dermoscopic')]);
    expect(groups.map((g) => [g.lesion, g.images.map((i) => i.number)])).toEqual([
      ['L1', [1, 3]],
      ['L2', [2]],
    ]);
    expect(groups[0]!.images[1]!.label).toBe('Image 3: dermoscopic, left lower leg, 1 Nov 2026');
  });
});

describe('historyRows', () => {
  it('lists what was sent, as text, flagging positives', () => {
    const rows = historyRows({ duration: '3 months', changed: true, bleeding: false, previousSkinCancer: 'melanoma', fitzpatrick: 'II' });
    expect(rows).toEqual([
      { label: 'Duration', value: '3 months', flag: false },
      { label: 'Changed in size, shape or colour', value: 'Yes', flag: true },
      { label: 'Bleeding', value: 'No', flag: false },
      { label: 'Previous skin cancer', value: 'Melanoma', flag: true },
      { label: 'Fitzpatrick skin type', value: 'II', flag: false },
    ]);
  });
});

describe('outcome form check (the contract minimum, as for a draft)', () => {
  const check = (decision: '' | 'discharge', diagnosis: string, adviceToGp: string) =>
    checkValues({ ...EMPTY_VALUES, decision, diagnosis: { text: diagnosis, code: '' }, adviceToGp }, 'advice', 'draft');

  it('names each missing field in words', () => {
    expect(check('', '  ', '')).toEqual({
      ok: false,
      errors: {
        decision: 'Choose a decision.',
        'diagnosis.text': 'Enter the diagnosis: pick a coded term, or type your own when no code fits.',
        adviceToGp: 'Enter the advice to the GP.',
      },
    });
  });

  it('reports over-long text with the limit', () => {
    const r = check('discharge', 'x'.repeat(501), 'ok');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors['diagnosis.text']).toBe('Shorten this to 500 characters or fewer.');
  });

  it('returns the contract fields, trimmed', () => {
    expect(check('discharge', ' Seborrhoeic keratosis ', 'Benign.')).toEqual({
      ok: true,
      fields: { decision: 'discharge', diagnosis: { text: 'Seborrhoeic keratosis' }, adviceToGp: 'Benign.' },
    });
  });
});

describe('currentOutcome', () => {
  const base = {
    referralId: 'r',
    version: 1,
    author: { id: '0192f0a0-0000-7000-8000-0000000000c1', name: 'Dr R', role: 'registrar' as const },
    decision: 'discharge' as const,
    diagnosis: { text: 'x' },
    adviceToGp: 'y',
    createdAt: '2026-11-01T10:00:00Z',
    updatedAt: '2026-11-01T10:00:00Z',
    supersedes: null,
    supersededBy: null,
    signedOff: null,
    returned: null,
  };
  const o = (id: string, status: Outcome['status'], submittedAt: string | null): Outcome => ({ ...base, id, status, submittedAt });

  it('prefers the latest final outcome, then one awaiting sign-off, never drafts', () => {
    expect(currentOutcome([o('d', 'draft', null)])).toBeNull();
    expect(currentOutcome([o('a', 'awaiting-signoff', '2026-11-02T10:00:00Z'), o('d', 'draft', null)])?.id).toBe('a');
    expect(
      currentOutcome([
        o('a', 'awaiting-signoff', '2026-11-05T10:00:00Z'),
        o('f1', 'final', '2026-11-02T10:00:00Z'),
        o('f2', 'final', '2026-11-03T10:00:00Z'),
      ])?.id,
    ).toBe('f2');
  });
});

describe('tile source', () => {
  const dzi = { format: 'jpeg' as const, tileSize: 254, overlap: 1, width: 8000, height: 6000 };

  it('builds the object OpenSeadragon reads, with tile URLs the client would make', () => {
    const client = new ServiceClient('http://127.0.0.1:8270', () => Promise.reject(new Error('no network')));
    const id = '0192f0a0-0000-7000-8000-0000000000a1';
    const src = dziTileSource(client.url(`/images/${id}/image_files/`), dzi);
    expect(src.Image).toMatchObject({ Format: 'jpeg', Overlap: '1', TileSize: '254', Size: { Width: '8000', Height: '6000' } });
    // OpenSeadragon's DziTileSource.getTileUrl: tilesUrl + level + '/' + x + '_' + y + '.' + format
    expect(`${src.Image.Url}12/3_4.${src.Image.Format}`).toBe(client.tileUrl(id, 12, 3, 4, 'jpeg'));
  });

  it('finds the deepest level that fits in one tile', () => {
    const level = singleTileLevel(8000, 6000, 254);
    const scale = 2 ** (dziMaxLevel(8000, 6000) - level);
    expect(Math.ceil(8000 / scale)).toBeLessThanOrEqual(254);
    expect(Math.ceil(8000 / (scale / 2))).toBeGreaterThan(254);
    expect(singleTileLevel(100, 50, 254)).toBe(dziMaxLevel(100, 50));
  });
});
