import type { ClinicalHistory } from '../../../shared/contract';

const YES_NO: ReadonlyArray<[keyof ClinicalHistory, string]> = [
  ['changed', 'Changed in size, shape or colour'],
  ['moreThanTwoColours', 'More than two colours'],
  ['raised', 'Raised'],
  ['itch', 'Itch'],
  ['bleeding', 'Bleeding'],
  ['scaling', 'Scaling'],
  ['soreness', 'Soreness'],
  ['immunosuppressed', 'Immunosuppressed'],
];

const PREVIOUS_SKIN_CANCER: Record<NonNullable<ClinicalHistory['previousSkinCancer']>, string> = {
  none: 'None',
  melanoma: 'Melanoma',
  'melanoma-in-situ': 'Melanoma in situ',
  'non-melanoma': 'Non-melanoma skin cancer',
};

export interface HistoryRow {
  readonly label: string;
  readonly value: string;
  /** A positive finding worth the eye (yes to a symptom, a previous cancer). */
  readonly flag: boolean;
}

/** The GP's structured history as label/value text, in the order the domain brief lists it. */
export function historyRows(h: ClinicalHistory): HistoryRow[] {
  const rows: HistoryRow[] = [];
  const text = (label: string, value: string | undefined) => {
    if (value !== undefined) rows.push({ label, value, flag: false });
  };
  text('Duration', h.duration);
  for (const [key, label] of YES_NO) {
    const v = h[key];
    if (typeof v === 'boolean') rows.push({ label, value: v ? 'Yes' : 'No', flag: v });
    if (key === 'changed') text('Change details', h.changeDetails);
  }
  if (h.previousSkinCancer)
    rows.push({
      label: 'Previous skin cancer',
      value: PREVIOUS_SKIN_CANCER[h.previousSkinCancer],
      flag: h.previousSkinCancer !== 'none',
    });
  text('Family history', h.familyHistory);
  if (h.fitzpatrick) text('Fitzpatrick skin type', h.fitzpatrick);
  text('Treatments tried', h.treatmentsTried);
  text('Notes', h.notes);
  return rows;
}
