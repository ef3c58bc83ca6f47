/**
 * The demo data set: 44 synthetic referrals across the three pathways. Every patient, GP and
 * practice is invented; NHS numbers come from the 999 range, never issued to real people.
 * Dates are relative to `now`, so the worklist always shows a realistic mix of new, due-soon
 * and overdue work; three patients have one lesion photographed a year ago, six months ago and
 * now, visibly changed.
 */
import type { ClinicalHistory, ImageSubmissionMeta, OutcomeFields, Pathway, ReferralSubmission } from '../../shared/contract';
import { syntheticNhsNumber } from '../../shared/domain/nhs-number';
import {
  evolveLesion,
  imageLayout,
  renderImage,
  type Fitzpatrick,
  type ImageSpec,
  type LesionSpec,
  type SyntheticImageKind,
} from './synthetic-images';

export interface DemoReferral {
  key: string; // stable slug, e.g. 'advice-01'
  submission: ReferralSubmission; // from shared/contract
  receivedAt: Date; // computed from the `now` argument
  /** one JPEG producer per images[].part */
  files: Record<string, () => Promise<Buffer>>;
  /** for historical referrals already decided: the outcome a consultant gave */
  priorOutcome?: OutcomeFields;
}

/** One image of the data set and the spec it is rendered from (for tests and timing). */
export interface DemoImage {
  key: string;
  part: string;
  spec: ImageSpec;
}

export function demoReferrals(now: Date): DemoReferral[] {
  return buildCases(now).map(({ referral }) => referral);
}

export function demoImageSpecs(now: Date): DemoImage[] {
  return buildCases(now).flatMap(({ referral, specs }) => Object.entries(specs).map(([part, spec]) => ({ key: referral.key, part, spec })));
}

// ---------------------------------------------------------------------------------------------
// People

type Sex = ReferralSubmission['patient']['sex'];

interface PersonDef {
  given: string;
  family: string;
  birthDate: string;
  sex: Sex;
  fitzpatrick: Fitzpatrick;
}

const GPS = {
  whitfield: { name: 'Dr Sarah Whitfield', practiceCode: 'A12345' },
  qureshi: { name: 'Dr Imran Qureshi', practiceCode: 'B23456' },
  lowe: { name: 'Dr Fiona Lowe', practiceCode: 'C34567' },
  adebayo: { name: 'Dr Tunde Adebayo', practiceCode: 'D45678' },
  marsh: { name: 'Dr Rachel Marsh', practiceCode: 'E56789' },
} as const;

// Invented people. Index order fixes each patient's NHS number, so append, never reorder.
const PEOPLE = {
  whitcombe: { given: 'Eleanor', family: 'Whitcombe', birthDate: '1971-03-14', sex: 'female', fitzpatrick: 'II' },
  pettifer: { given: 'Graham', family: 'Pettifer', birthDate: '1949-08-02', sex: 'male', fitzpatrick: 'I' },
  raman: { given: 'Priya', family: 'Raman', birthDate: '1958-11-23', sex: 'female', fitzpatrick: 'IV' },
  lisowski: { given: 'Hannah', family: 'Lisowski', birthDate: '1988-06-30', sex: 'female', fitzpatrick: 'III' },
  okonkwo: { given: 'Amara', family: 'Okonkwo', birthDate: '2016-05-19', sex: 'female', fitzpatrick: 'V' },
  halloran: { given: 'Derek', family: 'Halloran', birthDate: '1944-01-09', sex: 'male', fitzpatrick: 'I' },
  marchetti: { given: 'Sofia', family: 'Marchetti', birthDate: '1979-09-12', sex: 'female', fitzpatrick: 'III' },
  asante: { given: 'Kwame', family: 'Asante', birthDate: '1966-02-27', sex: 'male', fitzpatrick: 'VI' },
  pemberton: { given: 'Oliver', family: 'Pemberton', birthDate: '1992-12-04', sex: 'male', fitzpatrick: 'II' },
  brennan: { given: 'Thomas', family: 'Brennan', birthDate: '1976-04-21', sex: 'male', fitzpatrick: 'I' },
  firth: { given: 'Leonard', family: 'Firth', birthDate: '1940-10-15', sex: 'male', fitzpatrick: 'I' },
  ashdown: { given: 'Walter', family: 'Ashdown', birthDate: '1937-07-03', sex: 'male', fitzpatrick: 'II' },
  adeyemi: { given: 'Grace', family: 'Adeyemi', birthDate: '1957-03-08', sex: 'female', fitzpatrick: 'V' },
  pell: { given: 'Margaret', family: 'Pell', birthDate: '1941-05-26', sex: 'female', fitzpatrick: 'I' },
  mehta: { given: 'Rajesh', family: 'Mehta', birthDate: '1953-08-17', sex: 'male', fitzpatrick: 'IV' },
  barrington: { given: 'Chloe', family: 'Barrington', birthDate: '2001-02-11', sex: 'female', fitzpatrick: 'II' },
  mcallister: { given: 'Stuart', family: 'McAllister', birthDate: '1962-11-30', sex: 'male', fitzpatrick: 'III' },
  fenwick: { given: 'Laura', family: 'Fenwick', birthDate: '1984-07-07', sex: 'female', fitzpatrick: 'II' },
  langford: { given: 'Peter', family: 'Langford', birthDate: '1947-09-19', sex: 'male', fitzpatrick: 'I' },
  quinn: { given: 'Deborah', family: 'Quinn', birthDate: '1970-01-28', sex: 'female', fitzpatrick: 'II' },
  thorpe: { given: 'Megan', family: 'Thorpe', birthDate: '1990-10-02', sex: 'female', fitzpatrick: 'III' },
  cartwright: { given: 'Ian', family: 'Cartwright', birthDate: '1959-04-13', sex: 'male', fitzpatrick: 'II' },
  whitaker: { given: 'Joan', family: 'Whitaker', birthDate: '1943-12-22', sex: 'female', fitzpatrick: 'I' },
  osei: { given: 'Daniel', family: 'Osei', birthDate: '1983-06-05', sex: 'male', fitzpatrick: 'IV' },
  // The quick cases' patients (a full queue of advice requests to clear).
  hartley: { given: 'Ruth', family: 'Hartley', birthDate: '1968-04-09', sex: 'female', fitzpatrick: 'II' },
  kowalczyk: { given: 'Marek', family: 'Kowalczyk', birthDate: '1975-10-18', sex: 'male', fitzpatrick: 'II' },
  doherty: { given: 'Siobhan', family: 'Doherty', birthDate: '1994-01-25', sex: 'female', fitzpatrick: 'II' },
  greenwood: { given: 'Alan', family: 'Greenwood', birthDate: '1951-07-30', sex: 'male', fitzpatrick: 'III' },
  patel: { given: 'Anjali', family: 'Patel', birthDate: '1963-03-03', sex: 'female', fitzpatrick: 'III' },
  norris: { given: 'Keith', family: 'Norris', birthDate: '1946-12-12', sex: 'male', fitzpatrick: 'III' },
  mensah: { given: 'Abena', family: 'Mensah', birthDate: '1987-08-21', sex: 'female', fitzpatrick: 'IV' },
  chaudhry: { given: 'Farah', family: 'Chaudhry', birthDate: '2009-05-14', sex: 'female', fitzpatrick: 'IV' },
  lindqvist: { given: 'Erik', family: 'Lindqvist', birthDate: '1981-02-06', sex: 'male', fitzpatrick: 'II' },
  bryant: { given: 'Janet', family: 'Bryant', birthDate: '1972-09-27', sex: 'female', fitzpatrick: 'II' },
  ogilvie: { given: 'Hamish', family: 'Ogilvie', birthDate: '1938-06-01', sex: 'male', fitzpatrick: 'I' },
  pendlebury: { given: 'Valerie', family: 'Pendlebury', birthDate: '1944-11-08', sex: 'female', fitzpatrick: 'I' },
  sorensen: { given: 'Ingrid', family: 'Sorensen', birthDate: '1978-03-19', sex: 'female', fitzpatrick: 'II' },
  walsh: { given: 'Connor', family: 'Walsh', birthDate: '1965-12-30', sex: 'male', fitzpatrick: 'II' },
} as const satisfies Record<string, PersonDef>;

type PersonKey = keyof typeof PEOPLE;
const PERSON_ORDER = Object.keys(PEOPLE) as PersonKey[];

/** Spaced out so the generator's skip over impossible check digits never yields a duplicate. */
function nhsNumberOf(person: PersonKey): string {
  return syntheticNhsNumber(104_729 + PERSON_ORDER.indexOf(person) * 7_919);
}

// ---------------------------------------------------------------------------------------------
// Dates

type When = { workingDaysAgo: number; at: string } | { monthsAgo: number; at: string };

/** UTC throughout: the data set must not depend on the machine's time zone. */
function receivedAt(now: Date, when: When, order: number): Date {
  const [hh, mm] = when.at.split(':').map(Number);
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hh ?? 9, mm ?? 0));
  if ('monthsAgo' in when) {
    d.setUTCMonth(d.getUTCMonth() - when.monthsAgo);
    // Referrals are sent on working days.
    while (isWeekend(d)) d.setUTCDate(d.getUTCDate() - 1);
    return d;
  }
  let left = when.workingDaysAgo;
  while (isWeekend(d)) d.setUTCDate(d.getUTCDate() - 1);
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() - 1);
    if (!isWeekend(d)) left--;
  }
  // "Today" at a time still to come would be in the future: make it a little while ago instead.
  const latest = now.getTime() - (25 + order * 9) * 60_000;
  return d.getTime() > latest ? new Date(latest) : d;
}

const isWeekend = (d: Date): boolean => d.getUTCDay() === 0 || d.getUTCDay() === 6;

// ---------------------------------------------------------------------------------------------
// Cases

type View = 'regional' | 'close-up' | 'close-up-2' | 'dermoscopic';

interface LesionPlan {
  id: string;
  bodySite: string;
  lesion: LesionSpec;
  views: readonly View[];
  /** Regional framing: field width in mm and anything else about the wider photograph. */
  regional?: Partial<Pick<ImageSpec, 'width' | 'height' | 'fieldMm' | 'backgroundSpots' | 'marked' | 'bodyEdge'>>;
  closeFieldMm?: number;
  /** Same value on every date of a series, so the wider photograph is framed alike. */
  regionalSeed?: number;
  /**
   * A quick case's small stock photograph: every case showing this look (same lesion, same
   * skin type) gets the same bytes, drawn once, so the extra cases add little to seeding.
   */
  stock?: true;
}

interface CaseDef {
  key: string;
  pathway: Pathway;
  person: PersonKey;
  referrer: (typeof GPS)[keyof typeof GPS];
  when: When;
  question: string;
  history: Omit<ClinicalHistory, 'fitzpatrick'>;
  lesions: readonly LesionPlan[];
  priorOutcome?: OutcomeFields;
}

// The three series: one lesion each, a year ago, six months ago and now.
const WHITCOMBE_L1: LesionSpec = { seed: 101, morphology: 'pigmented', diameterMm: 5, irregularity: 0.2, colours: ['tan', 'brown'] };
const PETTIFER_L1: LesionSpec = { seed: 202, morphology: 'nodule', diameterMm: 3.2, irregularity: 0.15, colours: ['pink'] };
const RAMAN_L1: LesionSpec = { seed: 303, morphology: 'keratosis', diameterMm: 8, irregularity: 0.2, colours: ['tan'] };

const BACK_REGIONAL = { fieldMm: 420, backgroundSpots: 14, marked: true } as const;
const TEMPLE_REGIONAL = { fieldMm: 200, bodyEdge: true } as const;
const LOWER_BACK_REGIONAL = { fieldMm: 380, backgroundSpots: 6 } as const;

/** Stock looks for the quick cases, each drawn once at a small size and shared. */
const STOCK: Readonly<Record<'naevus' | 'keratosis' | 'eczema' | 'plaque' | 'actinic' | 'angioma' | 'atypical', { lesion: LesionSpec; views: readonly View[] }>> = {
  naevus: { lesion: { seed: 3_001, morphology: 'pigmented', diameterMm: 4, irregularity: 0.12, colours: ['tan', 'brown'] }, views: ['close-up', 'dermoscopic'] },
  keratosis: { lesion: { seed: 3_002, morphology: 'keratosis', diameterMm: 9, irregularity: 0.25, colours: ['tan', 'brown'] }, views: ['close-up', 'dermoscopic'] },
  eczema: { lesion: { seed: 3_003, morphology: 'eczema', diameterMm: 30, irregularity: 0.5, colours: ['brown', 'red'], satellites: 3 }, views: ['close-up'] },
  plaque: { lesion: { seed: 3_004, morphology: 'scaly-plaque', diameterMm: 25, irregularity: 0.45, colours: ['red', 'white'], satellites: 2 }, views: ['close-up'] },
  actinic: { lesion: { seed: 3_005, morphology: 'scaly-plaque', diameterMm: 7, irregularity: 0.35, colours: ['pink'] }, views: ['close-up'] },
  angioma: { lesion: { seed: 3_006, morphology: 'nodule', diameterMm: 3, irregularity: 0.1, colours: ['red'] }, views: ['close-up', 'dermoscopic'] },
  atypical: { lesion: { seed: 3_007, morphology: 'pigmented', diameterMm: 8, irregularity: 0.55, colours: ['tan', 'brown', 'dark-brown', 'black'] }, views: ['close-up', 'dermoscopic'] },
};

const CASES: readonly CaseDef[] = [
  // --- Series 1: a naevus on the upper back becoming a suspected melanoma -----------------------
  {
    key: 'advice-01',
    pathway: 'advice',
    person: 'whitcombe',
    referrer: GPS.whitfield,
    when: { monthsAgo: 12, at: '10:20' },
    question:
      'Her partner has noticed a mole on her upper back that she cannot see herself. No symptoms. I think this is a benign naevus but, given her mother had melanoma, would value a dermoscopy opinion before reassuring her.',
    history: { duration: 'At least 2 years', changed: false, itch: false, bleeding: false, raised: false, previousSkinCancer: 'none', familyHistory: 'Mother: melanoma aged 62.' },
    lesions: [{ id: 'L1', bodySite: 'upper back', lesion: WHITCOMBE_L1, views: ['regional', 'close-up', 'dermoscopic'], regional: BACK_REGIONAL, closeFieldMm: 32, regionalSeed: 1_101 }],
    priorOutcome: {
      decision: 'advice',
      diagnosis: { text: 'Melanocytic naevus, benign appearance' },
      adviceToGp:
        'Symmetrical naevus with a regular pigment network and peripheral globules. Nothing to suggest melanoma. Given the family history, please re-photograph with dermoscopy in 6 months, sooner if she notices any change in size, shape or colour.',
    },
  },
  {
    key: 'advice-02',
    pathway: 'advice',
    person: 'whitcombe',
    referrer: GPS.whitfield,
    when: { monthsAgo: 6, at: '11:45' },
    question: 'Repeat images as advised six months ago. She thinks the mole may be slightly bigger: about 6 mm today against 5 mm before. Is monitoring still appropriate?',
    history: {
      duration: 'At least 2½ years',
      changed: true,
      changeDetails: 'About 1 mm larger; a darker area has appeared towards one edge.',
      itch: false,
      bleeding: false,
      previousSkinCancer: 'none',
      familyHistory: 'Mother: melanoma aged 62.',
    },
    lesions: [
      {
        id: 'L1',
        bodySite: 'upper back',
        lesion: evolveLesion(WHITCOMBE_L1, { growMm: 0.9, irregularity: 0.35, addColours: ['dark-brown'] }),
        views: ['regional', 'close-up', 'dermoscopic'],
        regional: BACK_REGIONAL,
        closeFieldMm: 32,
        regionalSeed: 1_101,
      },
    ],
    priorOutcome: {
      decision: 'advice',
      diagnosis: { text: 'Changing melanocytic naevus, under surveillance' },
      adviceToGp:
        'Slight asymmetric enlargement with an eccentric darker area; the network is still largely regular and there are no melanoma-specific structures. Please re-image in 6 months. Refer on the suspected cancer pathway if it keeps changing or develops new colours.',
    },
  },
  {
    key: 'usc-01',
    pathway: 'usc',
    person: 'whitcombe',
    referrer: GPS.whitfield,
    when: { workingDaysAgo: 1, at: '09:05' },
    question:
      'Known changing mole on the upper back, monitored through advice and guidance for a year. Now 7–8 mm with an irregular edge and a new blue-grey area. I suspect melanoma.',
    history: {
      duration: 'Over 3 years; changing for 12 months',
      changed: true,
      changeDetails: 'Grown from 5 mm to about 8 mm over a year; edge now notched; new blue-grey and pink areas.',
      moreThanTwoColours: true,
      raised: false,
      itch: true,
      bleeding: false,
      previousSkinCancer: 'none',
      familyHistory: 'Mother: melanoma aged 62.',
    },
    lesions: [
      {
        id: 'L1',
        bodySite: 'upper back',
        lesion: evolveLesion(WHITCOMBE_L1, { growMm: 2.6, irregularity: 0.7, addColours: ['dark-brown', 'blue-grey', 'pink'] }),
        views: ['regional', 'close-up', 'dermoscopic'],
        regional: BACK_REGIONAL,
        closeFieldMm: 32,
        regionalSeed: 1_101,
      },
    ],
  },

  // --- Series 2: a small papule at the temple becoming an ulcerated BCC on the waiting list -----
  {
    key: 'advice-03',
    pathway: 'advice',
    person: 'pettifer',
    referrer: GPS.qureshi,
    when: { monthsAgo: 12, at: '14:10' },
    question: 'Small pearly papule at the left temple for about 6 months. Early BCC or intradermal naevus? Happy to keep an eye on it if you think it is benign.',
    history: { duration: '6 months', changed: false, bleeding: false, itch: false, raised: true, previousSkinCancer: 'none', notes: 'Retired roofer; a lot of sun exposure.' },
    lesions: [{ id: 'L1', bodySite: 'left temple', lesion: PETTIFER_L1, views: ['regional', 'close-up'], regional: TEMPLE_REGIONAL, closeFieldMm: 30, regionalSeed: 2_202 }],
    priorOutcome: {
      decision: 'advice',
      diagnosis: { text: 'Possible early basal cell carcinoma' },
      adviceToGp:
        'Too small to be certain; a pearly edge raises the possibility of an early BCC. This is low risk. Please repeat the photographs in 6 months and refer routinely if it grows, bleeds or ulcerates.',
    },
  },
  {
    key: 'advice-04',
    pathway: 'advice',
    person: 'pettifer',
    referrer: GPS.qureshi,
    when: { monthsAgo: 6, at: '15:30' },
    question: 'Repeat images of the left temple lesion. A little larger and it occasionally bleeds when he shaves.',
    history: { duration: '1 year', changed: true, changeDetails: 'Slightly larger with visible vessels.', bleeding: true, raised: true, previousSkinCancer: 'none' },
    lesions: [
      {
        id: 'L1',
        bodySite: 'left temple',
        lesion: evolveLesion(PETTIFER_L1, { growMm: 1.4, irregularity: 0.25 }),
        views: ['regional', 'close-up'],
        regional: TEMPLE_REGIONAL,
        closeFieldMm: 30,
        regionalSeed: 2_202,
      },
    ],
    priorOutcome: {
      decision: 'routine-appointment',
      diagnosis: { text: 'Nodular basal cell carcinoma' },
      adviceToGp: 'Appearances are now those of a nodular BCC: pearly, with arborising vessels. Listed for a routine appointment for excision. No need to refer separately.',
    },
  },
  {
    key: 'waiting-list-01',
    pathway: 'waiting-list',
    person: 'pettifer',
    referrer: GPS.qureshi,
    when: { workingDaysAgo: 2, at: '13:15' },
    question: 'Waiting-list validation. He has waited 6 months for excision of the left temple BCC. It has now ulcerated and bleeds most days. Please review his priority.',
    history: { duration: '18 months', changed: true, changeDetails: 'Now 7 mm and ulcerated, with a crust.', bleeding: true, soreness: true, raised: true, previousSkinCancer: 'none' },
    lesions: [
      {
        id: 'L1',
        bodySite: 'left temple',
        lesion: evolveLesion(PETTIFER_L1, { growMm: 3.8, irregularity: 0.4, addColours: ['red'], ulcerated: true }),
        views: ['regional', 'close-up', 'dermoscopic'],
        regional: TEMPLE_REGIONAL,
        closeFieldMm: 30,
        regionalSeed: 2_202,
      },
    ],
  },

  // --- Series 3: a seborrhoeic keratosis slowly growing and darkening --------------------------
  {
    key: 'advice-05',
    pathway: 'advice',
    person: 'raman',
    referrer: GPS.lowe,
    when: { monthsAgo: 12, at: '09:50' },
    question: "Raised 'stuck-on' lesion on the right lower back that catches on clothing. Seborrhoeic keratosis? Would cryotherapy in the practice be reasonable?",
    history: { duration: '1 year', changed: false, raised: true, itch: false, bleeding: false, previousSkinCancer: 'none' },
    lesions: [{ id: 'L1', bodySite: 'right lower back', lesion: RAMAN_L1, views: ['regional', 'close-up', 'dermoscopic'], regional: LOWER_BACK_REGIONAL, closeFieldMm: 45, regionalSeed: 3_303 }],
    priorOutcome: {
      decision: 'advice',
      diagnosis: { text: 'Seborrhoeic keratosis' },
      adviceToGp:
        'Typical seborrhoeic keratosis: sharp edge, milia-like cysts and comedo-like openings. Benign. Cryotherapy is reasonable if it is troublesome; otherwise reassure. Re-photograph if it changes in an unexpected way.',
    },
  },
  {
    key: 'advice-06',
    pathway: 'advice',
    person: 'raman',
    referrer: GPS.lowe,
    when: { monthsAgo: 6, at: '10:40' },
    question: 'The same lesion as before. It has darkened and grown a little, and she is anxious. Still a seborrhoeic keratosis?',
    history: { duration: '18 months', changed: true, changeDetails: 'Darker and about 2 mm larger.', raised: true, itch: false, bleeding: false, previousSkinCancer: 'none' },
    lesions: [
      {
        id: 'L1',
        bodySite: 'right lower back',
        lesion: evolveLesion(RAMAN_L1, { growMm: 2, irregularity: 0.25, addColours: ['brown'] }),
        views: ['regional', 'close-up', 'dermoscopic'],
        regional: LOWER_BACK_REGIONAL,
        closeFieldMm: 45,
        regionalSeed: 3_303,
      },
    ],
    priorOutcome: {
      decision: 'advice',
      diagnosis: { text: 'Seborrhoeic keratosis' },
      adviceToGp:
        'Still a seborrhoeic keratosis: darkening and slow growth are common. No concerning features on dermoscopy. Please reassure her; re-photograph in 6 months if she remains worried.',
    },
  },
  {
    key: 'advice-07',
    pathway: 'advice',
    person: 'raman',
    referrer: GPS.lowe,
    when: { workingDaysAgo: 2, at: '16:05' },
    question: 'Continues to enlarge (now about 12 mm) and is itchy and inflamed at times. Still a seborrhoeic keratosis? Can it be removed on the NHS given the irritation?',
    history: { duration: '2 years', changed: true, changeDetails: 'Now about 12 mm, darker in places; itchy and occasionally inflamed.', raised: true, itch: true, bleeding: false, previousSkinCancer: 'none', treatmentsTried: 'Emollient; 1% hydrocortisone for the itch.' },
    lesions: [
      {
        id: 'L1',
        bodySite: 'right lower back',
        lesion: evolveLesion(RAMAN_L1, { growMm: 4.5, irregularity: 0.35, addColours: ['brown', 'dark-brown'] }),
        views: ['regional', 'close-up', 'dermoscopic'],
        regional: LOWER_BACK_REGIONAL,
        closeFieldMm: 45,
        regionalSeed: 3_303,
      },
    ],
  },

  // --- Advice and guidance ----------------------------------------------------------------------
  {
    key: 'advice-08',
    pathway: 'advice',
    person: 'lisowski',
    referrer: GPS.marsh,
    when: { workingDaysAgo: 0, at: '08:40' },
    question:
      'Plaques on both elbows and knees for 3 years. Partial response to betamethasone valerate 0.1% and then Dovobet gel. What is the next step in primary care before considering referral for phototherapy or systemic treatment?',
    history: { duration: '3 years', changed: true, changeDetails: 'Slowly spreading.', itch: true, scaling: true, bleeding: false, treatmentsTried: 'Emollients; betamethasone valerate 0.1% ointment; calcipotriol/betamethasone gel for 8 weeks.', familyHistory: 'Father has psoriasis.' },
    lesions: [
      {
        id: 'L1',
        bodySite: 'right elbow (extensor surface)',
        lesion: { seed: 408, morphology: 'scaly-plaque', diameterMm: 38, irregularity: 0.5, colours: ['red', 'white'], satellites: 4 },
        views: ['regional', 'close-up'],
        regional: { fieldMm: 260, bodyEdge: true },
        closeFieldMm: 90,
      },
      {
        // A second site, so the body map has something to filter.
        id: 'L2',
        bodySite: 'left knee (extensor surface)',
        lesion: { seed: 418, morphology: 'scaly-plaque', diameterMm: 46, irregularity: 0.45, colours: ['red', 'white'], satellites: 3 },
        views: ['regional', 'close-up'],
        regional: { fieldMm: 280, bodyEdge: true },
        closeFieldMm: 100,
      },
    ],
  },
  {
    key: 'advice-09',
    pathway: 'advice',
    person: 'okonkwo',
    referrer: GPS.adebayo,
    when: { workingDaysAgo: 1, at: '12:25' },
    question:
      '9-year-old with flexural eczema. Using emollients & 1% hydrocortisone; flares return < 2 weeks after stopping. Is it appropriate to step up to clobetasone butyrate 0.05%, & for how long?',
    history: { duration: 'Since infancy; worse this year', changed: true, itch: true, scaling: true, soreness: true, treatmentsTried: 'Emollients (Epimax, Diprobase); 1% hydrocortisone ointment in 7-day courses.', familyHistory: 'Mother has asthma and hay fever.' },
    lesions: [
      {
        id: 'L1',
        bodySite: 'left antecubital fossa',
        lesion: { seed: 509, morphology: 'eczema', diameterMm: 42, irregularity: 0.55, colours: ['brown', 'red'], satellites: 3 },
        views: ['regional', 'close-up'],
        regional: { fieldMm: 220, bodyEdge: true, width: 1500, height: 2000 },
        closeFieldMm: 90,
      },
    ],
  },
  {
    key: 'advice-10',
    pathway: 'advice',
    person: 'halloran',
    referrer: GPS.whitfield,
    when: { workingDaysAgo: 3, at: '11:10' },
    question: 'Several rough, scaly patches on his bald scalp, sore when he wears a hat. Actinic keratoses? Would you suggest 5-fluorouracil cream in the practice, or does he need to be seen?',
    history: { duration: '1 year', changed: true, changeDetails: 'More patches than last year.', scaling: true, soreness: true, bleeding: false, previousSkinCancer: 'non-melanoma', notes: 'BCC excised from the nose in 2019.' },
    lesions: [
      {
        id: 'L1',
        bodySite: 'scalp (vertex)',
        lesion: { seed: 610, morphology: 'scaly-plaque', diameterMm: 9, irregularity: 0.4, colours: ['pink'], satellites: 4 },
        views: ['regional', 'close-up'],
        regional: { fieldMm: 240, bodyEdge: true },
        closeFieldMm: 45,
      },
    ],
  },
  {
    key: 'advice-11',
    pathway: 'advice',
    person: 'marchetti',
    referrer: GPS.lowe,
    when: { workingDaysAgo: 4, at: '10:05' },
    question: 'Firm brownish papule on the right thigh for several years; dimples when pinched. Dermatofibroma? She would like reassurance. Any need to see her?',
    history: { duration: 'Several years', changed: false, raised: true, itch: false, bleeding: false, previousSkinCancer: 'none' },
    lesions: [
      {
        id: 'L1',
        bodySite: 'right thigh (anterior)',
        lesion: { seed: 711, morphology: 'pigmented', diameterMm: 6, irregularity: 0.15, colours: ['pink', 'tan'] },
        views: ['close-up', 'dermoscopic'],
        closeFieldMm: 30,
      },
    ],
  },
  {
    key: 'advice-12',
    pathway: 'advice',
    person: 'asante',
    referrer: GPS.adebayo,
    when: { workingDaysAgo: 1, at: '15:50' },
    question:
      'Coin-shaped itchy patches on the left shin for 4 months, some weeping. Skin scrapings negative for fungus. Discoid eczema? Two weeks of mometasone has helped only a little. Advice on treatment please.',
    history: { duration: '4 months', changed: true, changeDetails: 'New patches appearing.', itch: true, scaling: true, soreness: true, bleeding: false, treatmentsTried: 'Emollient; mometasone 0.1% ointment once daily for 2 weeks.' },
    lesions: [
      {
        id: 'L1',
        bodySite: 'left lower leg (anterior shin)',
        lesion: { seed: 812, morphology: 'eczema', diameterMm: 30, irregularity: 0.45, colours: ['brown', 'red'], satellites: 5 },
        views: ['regional', 'close-up', 'close-up-2'],
        regional: { fieldMm: 330, bodyEdge: true, width: 1500, height: 2200 },
        closeFieldMm: 80,
      },
    ],
  },
  {
    key: 'advice-13',
    pathway: 'advice',
    person: 'pemberton',
    referrer: GPS.marsh,
    when: { workingDaysAgo: 5, at: '09:30' },
    question: 'Several bright red papules on the trunk; one bled after catching on a seatbelt. Campbell de Morgan spots? Happy to reassure if you agree.',
    history: { duration: '2 years', changed: false, raised: true, bleeding: true, itch: false, previousSkinCancer: 'none' },
    lesions: [
      {
        id: 'L1',
        bodySite: 'left upper abdomen',
        lesion: { seed: 913, morphology: 'nodule', diameterMm: 3, irregularity: 0.1, colours: ['red'] },
        views: ['close-up', 'dermoscopic'],
        closeFieldMm: 30,
      },
    ],
  },

  // --- Urgent suspected skin cancer -------------------------------------------------------------
  {
    key: 'usc-02',
    pathway: 'usc',
    person: 'brennan',
    referrer: GPS.marsh,
    when: { workingDaysAgo: 0, at: '07:55' },
    question:
      'More than 50 moles on his back. His wife noticed that one (ringed in the photograph) has darkened and changed shape over 3 months. Weighted 7-point checklist score 4.',
    history: {
      duration: 'Lifelong moles; this one changing for 3 months',
      changed: true,
      changeDetails: 'Darker, with an irregular edge.',
      moreThanTwoColours: true,
      raised: false,
      itch: false,
      bleeding: false,
      previousSkinCancer: 'none',
      familyHistory: 'None known.',
      notes: 'Sunburn on holidays as a child.',
    },
    lesions: [
      {
        id: 'L1',
        bodySite: 'upper back',
        lesion: { seed: 1_014, morphology: 'pigmented', diameterMm: 8, irregularity: 0.55, colours: ['tan', 'brown', 'dark-brown', 'black'] },
        views: ['regional', 'close-up', 'dermoscopic'],
        // The one very large photograph: a whole back at 24 MP, to exercise deep zoom.
        regional: { width: 6000, height: 4000, fieldMm: 560, backgroundSpots: 55, marked: true },
        closeFieldMm: 36,
      },
    ],
  },
  {
    key: 'usc-03',
    pathway: 'usc',
    person: 'firth',
    referrer: GPS.qureshi,
    when: { workingDaysAgo: 2, at: '10:35' },
    question: 'Rapidly growing crusted nodule on the back of the right hand over 6 weeks in a renal transplant recipient on tacrolimus. Squamous cell carcinoma?',
    history: { duration: '6 weeks', changed: true, changeDetails: 'Doubled in size in a month.', raised: true, soreness: true, bleeding: true, scaling: true, immunosuppressed: true, previousSkinCancer: 'non-melanoma', notes: 'Renal transplant 2009; two previous SCCs excised.' },
    lesions: [
      {
        id: 'L1',
        bodySite: 'dorsum of right hand',
        lesion: { seed: 1_115, morphology: 'nodule', diameterMm: 12, irregularity: 0.45, colours: ['pink', 'white'], ulcerated: true },
        views: ['regional', 'close-up'],
        regional: { fieldMm: 200, bodyEdge: true },
        closeFieldMm: 50,
      },
    ],
  },
  {
    key: 'usc-04',
    pathway: 'usc',
    person: 'ashdown',
    referrer: GPS.lowe,
    when: { workingDaysAgo: 3, at: '14:45' },
    question: 'Tender keratotic lesion on the left helix for 2 months, painful at night when he lies on it. SCC, or chondrodermatitis?',
    history: { duration: '2 months', changed: true, raised: true, soreness: true, scaling: true, bleeding: false, previousSkinCancer: 'non-melanoma' },
    lesions: [
      {
        id: 'L1',
        bodySite: 'left ear (helix)',
        lesion: { seed: 1_216, morphology: 'nodule', diameterMm: 8, irregularity: 0.4, colours: ['pink', 'white'], ulcerated: true },
        views: ['regional', 'close-up'],
        regional: { fieldMm: 140, bodyEdge: true },
        closeFieldMm: 40,
      },
    ],
  },
  {
    key: 'usc-05',
    pathway: 'usc',
    person: 'adeyemi',
    referrer: GPS.adebayo,
    when: { workingDaysAgo: 1, at: '11:20' },
    question: 'Enlarging pigmented patch on the sole, first noticed by her podiatrist. Irregular, more than 1 cm, with several shades of brown and black.',
    history: { duration: 'About 1 year', changed: true, changeDetails: 'Enlarging; darker at one edge.', moreThanTwoColours: true, raised: false, bleeding: false, itch: false, previousSkinCancer: 'none' },
    lesions: [
      {
        id: 'L1',
        bodySite: 'sole of right foot (heel)',
        lesion: { seed: 1_317, morphology: 'pigmented', diameterMm: 11, irregularity: 0.6, colours: ['brown', 'dark-brown', 'black'] },
        views: ['regional', 'close-up', 'dermoscopic'],
        regional: { fieldMm: 260, bodyEdge: true },
        closeFieldMm: 50,
      },
    ],
  },
  {
    key: 'usc-06',
    pathway: 'usc',
    person: 'pell',
    referrer: GPS.whitfield,
    when: { workingDaysAgo: 4, at: '13:00' },
    question: 'Slowly enlarging flat brown patch on the left cheek over 2 years, now irregular with darker areas. Lentigo maligna?',
    history: { duration: '2 years', changed: true, changeDetails: 'Larger and more irregular, with darker flecks.', moreThanTwoColours: true, raised: false, bleeding: false, itch: false, previousSkinCancer: 'non-melanoma' },
    lesions: [
      {
        id: 'L1',
        bodySite: 'left cheek',
        lesion: { seed: 1_418, morphology: 'pigmented', diameterMm: 16, irregularity: 0.65, colours: ['tan', 'brown', 'dark-brown'] },
        views: ['regional', 'close-up', 'dermoscopic'],
        regional: { fieldMm: 200, bodyEdge: true },
        closeFieldMm: 60,
      },
    ],
  },
  {
    key: 'usc-07',
    pathway: 'usc',
    person: 'mehta',
    referrer: GPS.qureshi,
    when: { workingDaysAgo: 2, at: '09:15' },
    question: 'Dark raised lesion on the right temple, recently noticed. He is worried about melanoma. I suspect a seborrhoeic keratosis but cannot exclude melanoma.',
    history: { duration: 'Noticed 2 months ago', changed: true, raised: true, itch: true, bleeding: false, previousSkinCancer: 'none' },
    lesions: [
      {
        id: 'L1',
        bodySite: 'right temple',
        lesion: { seed: 1_519, morphology: 'keratosis', diameterMm: 9, irregularity: 0.3, colours: ['brown', 'dark-brown'] },
        views: ['regional', 'close-up', 'dermoscopic'],
        regional: { fieldMm: 200, bodyEdge: true },
        closeFieldMm: 40,
      },
    ],
  },
  {
    key: 'usc-08',
    pathway: 'usc',
    person: 'barrington',
    referrer: GPS.marsh,
    when: { workingDaysAgo: 5, at: '16:40' },
    question: 'New mole noticed in the last year. No symptoms. She is very anxious because a friend has just been diagnosed with melanoma.',
    history: { duration: '1 year', changed: false, raised: false, itch: false, bleeding: false, previousSkinCancer: 'none' },
    lesions: [
      {
        id: 'L1',
        bodySite: 'left side of abdomen',
        lesion: { seed: 1_620, morphology: 'pigmented', diameterMm: 4, irregularity: 0.15, colours: ['tan', 'brown'] },
        views: ['regional', 'close-up', 'dermoscopic'],
        regional: { fieldMm: 320, backgroundSpots: 5 },
        closeFieldMm: 30,
      },
    ],
  },
  {
    key: 'usc-09',
    pathway: 'usc',
    person: 'mcallister',
    referrer: GPS.adebayo,
    when: { workingDaysAgo: 0, at: '10:10' },
    question: 'Rapidly growing raised dark lesion on the left upper arm for 8 weeks; bled twice. Elevated, firm and growing. Nodular melanoma?',
    history: { duration: '8 weeks', changed: true, changeDetails: 'New; growing week by week.', moreThanTwoColours: true, raised: true, bleeding: true, itch: false, soreness: false, previousSkinCancer: 'none' },
    lesions: [
      {
        id: 'L1',
        bodySite: 'left upper arm (lateral)',
        lesion: { seed: 1_721, morphology: 'pigmented', diameterMm: 9, irregularity: 0.35, colours: ['dark-brown', 'black', 'red', 'blue-grey'] },
        views: ['regional', 'close-up', 'close-up-2', 'dermoscopic'],
        regional: { fieldMm: 280, bodyEdge: true },
        closeFieldMm: 40,
      },
    ],
  },
  {
    key: 'usc-10',
    pathway: 'usc',
    person: 'fenwick',
    referrer: GPS.lowe,
    when: { workingDaysAgo: 3, at: '08:30' },
    question: 'Mole on the right calf has changed shape over 6 months. Irregular border and two shades of brown, with a pink area.',
    history: { duration: 'Years; changing for 6 months', changed: true, changeDetails: 'Irregular border and new pink area.', moreThanTwoColours: true, raised: false, itch: false, bleeding: false, previousSkinCancer: 'none' },
    lesions: [
      {
        id: 'L1',
        bodySite: 'right calf',
        lesion: { seed: 1_822, morphology: 'pigmented', diameterMm: 7, irregularity: 0.5, colours: ['tan', 'brown', 'dark-brown', 'pink'] },
        views: ['regional', 'close-up', 'dermoscopic'],
        regional: { fieldMm: 300, bodyEdge: true, width: 1500, height: 2200 },
        closeFieldMm: 32,
      },
    ],
  },

  // --- Waiting-list validation ------------------------------------------------------------------
  {
    key: 'waiting-list-02',
    pathway: 'waiting-list',
    person: 'langford',
    referrer: GPS.whitfield,
    when: { workingDaysAgo: 4, at: '11:55' },
    question: 'Waiting-list validation: listed 20 weeks ago for Mohs surgery for a nodular BCC on the left side of the nose. New images attached; he reports no change.',
    history: { duration: '1 year', changed: false, raised: true, bleeding: false, previousSkinCancer: 'non-melanoma' },
    lesions: [
      {
        id: 'L1',
        bodySite: 'left nasal sidewall',
        lesion: { seed: 1_923, morphology: 'nodule', diameterMm: 5, irregularity: 0.2, colours: ['pink'] },
        views: ['regional', 'close-up'],
        regional: { fieldMm: 160, bodyEdge: true },
        closeFieldMm: 30,
      },
    ],
  },
  {
    key: 'waiting-list-03',
    pathway: 'waiting-list',
    person: 'quinn',
    referrer: GPS.qureshi,
    when: { workingDaysAgo: 1, at: '14:20' },
    question: 'Listed for routine excision of an atypical naevus on the right shoulder. She asks whether it is still needed. Photographs taken at the practice today.',
    history: { duration: 'Several years', changed: false, moreThanTwoColours: true, raised: false, bleeding: false, previousSkinCancer: 'none' },
    lesions: [
      {
        id: 'L1',
        bodySite: 'right shoulder (posterior)',
        lesion: { seed: 2_024, morphology: 'pigmented', diameterMm: 6, irregularity: 0.4, colours: ['tan', 'brown', 'dark-brown'] },
        views: ['regional', 'close-up', 'dermoscopic'],
        regional: { fieldMm: 320, bodyEdge: true, backgroundSpots: 8 },
        closeFieldMm: 30,
      },
    ],
  },
  {
    key: 'waiting-list-04',
    pathway: 'waiting-list',
    person: 'thorpe',
    referrer: GPS.marsh,
    when: { workingDaysAgo: 0, at: '09:45' },
    question: 'On the routine list for psoriasis review (26 weeks). Now a widespread flare despite Dovobet; she is struggling to work. Can she be seen sooner?',
    history: { duration: '5 years; flaring for 2 months', changed: true, changeDetails: 'Much more extensive.', itch: true, scaling: true, soreness: true, treatmentsTried: 'Calcipotriol/betamethasone gel; coal tar shampoo; emollients.' },
    lesions: [
      {
        id: 'L1',
        bodySite: 'lower back',
        lesion: { seed: 2_125, morphology: 'scaly-plaque', diameterMm: 55, irregularity: 0.6, colours: ['red', 'white'], satellites: 7 },
        views: ['regional', 'close-up'],
        regional: { fieldMm: 450 },
        closeFieldMm: 110,
      },
    ],
  },
  {
    key: 'waiting-list-05',
    pathway: 'waiting-list',
    person: 'cartwright',
    referrer: GPS.lowe,
    when: { workingDaysAgo: 3, at: '15:15' },
    question: 'Awaiting a routine appointment for a possible superficial BCC on the central chest. New photographs for validation; slightly larger, he thinks.',
    history: { duration: '1 year', changed: true, changeDetails: 'Perhaps slightly larger.', scaling: true, bleeding: false, previousSkinCancer: 'none' },
    lesions: [
      {
        id: 'L1',
        bodySite: 'central upper chest',
        lesion: { seed: 2_226, morphology: 'scaly-plaque', diameterMm: 14, irregularity: 0.35, colours: ['pink'] },
        views: ['regional', 'close-up'],
        regional: { fieldMm: 360, backgroundSpots: 4 },
        closeFieldMm: 50,
      },
    ],
  },
  {
    key: 'waiting-list-06',
    pathway: 'waiting-list',
    person: 'whitaker',
    referrer: GPS.whitfield,
    when: { workingDaysAgo: 5, at: '10:25' },
    question: 'Referred for a scaly lesion on the forehead; treated with 5-fluorouracil in the meantime and it seems to have settled. Is the appointment still needed?',
    history: { duration: '8 months', changed: true, changeDetails: 'Much less scaly after treatment.', scaling: true, previousSkinCancer: 'none', treatmentsTried: '5-fluorouracil 5% cream twice daily for 3 weeks.' },
    lesions: [
      {
        id: 'L1',
        bodySite: 'forehead (right side)',
        lesion: { seed: 2_327, morphology: 'scaly-plaque', diameterMm: 6, irregularity: 0.3, colours: ['pink'] },
        views: ['regional', 'close-up'],
        regional: { fieldMm: 180, bodyEdge: true },
        closeFieldMm: 30,
      },
    ],
  },
  {
    key: 'waiting-list-07',
    pathway: 'waiting-list',
    person: 'osei',
    referrer: GPS.adebayo,
    when: { workingDaysAgo: 2, at: '12:50' },
    question: 'Waiting-list validation for chronic hand eczema; patch testing was requested. No better despite a potent steroid; he works as a mechanic.',
    history: { duration: '14 months', changed: false, itch: true, scaling: true, soreness: true, treatmentsTried: 'Emollients; soap substitute; mometasone 0.1%; cotton-lined gloves at work.' },
    lesions: [
      {
        id: 'L1',
        bodySite: 'dorsum of left hand',
        lesion: { seed: 2_428, morphology: 'eczema', diameterMm: 38, irregularity: 0.5, colours: ['brown', 'red'], satellites: 3 },
        views: ['regional', 'close-up'],
        regional: { fieldMm: 220, bodyEdge: true },
        closeFieldMm: 80,
      },
    ],
  },

  // --- Quick cases: a queue of everyday advice requests, and two more USC referrals ------------
  ...quickCases(),
];

function quickCases(): CaseDef[] {
  const quick = (
    key: string,
    pathway: Pathway,
    person: PersonKey,
    referrer: (typeof GPS)[keyof typeof GPS],
    when: When,
    look: keyof typeof STOCK,
    bodySite: string,
    question: string,
    history: CaseDef['history'],
  ): CaseDef => ({
    key,
    pathway,
    person,
    referrer,
    when,
    question,
    history,
    lesions: [{ id: 'L1', bodySite, lesion: STOCK[look].lesion, views: STOCK[look].views, closeFieldMm: 40, stock: true }],
  });
  return [
    quick('advice-14', 'advice', 'hartley', GPS.whitfield, { workingDaysAgo: 0, at: '08:15' }, 'naevus', 'left upper arm (lateral)',
      'Small regular brown mole on the upper arm, unchanged for years by her account. She would like reassurance before a holiday. Benign naevus?',
      { duration: 'Many years', changed: false, itch: false, bleeding: false, previousSkinCancer: 'none' }),
    quick('advice-15', 'advice', 'kowalczyk', GPS.qureshi, { workingDaysAgo: 0, at: '09:20' }, 'naevus', 'upper back',
      'Mole noticed by his wife; he cannot say whether it is new. Symmetrical, one colour on my dermatoscope. Can I reassure?',
      { duration: 'Unknown', changed: false, itch: false, bleeding: false, previousSkinCancer: 'none' }),
    quick('advice-16', 'advice', 'doherty', GPS.marsh, { workingDaysAgo: 1, at: '10:05' }, 'naevus', 'right calf',
      'New mole on the calf this year, 4 mm, even colour. Under 25 and many naevi elsewhere. Monitoring in practice appropriate?',
      { duration: '6 months', changed: false, raised: false, itch: false, bleeding: false, previousSkinCancer: 'none' }),
    quick('advice-17', 'advice', 'greenwood', GPS.lowe, { workingDaysAgo: 1, at: '11:40' }, 'keratosis', 'left temple',
      'Warty stuck-on lesion on the temple, slowly growing; it catches on his glasses. Seborrhoeic keratosis? Cryotherapy here reasonable?',
      { duration: '2 years', changed: true, changeDetails: 'Slowly larger.', raised: true, itch: true, bleeding: false, previousSkinCancer: 'none' }),
    quick('advice-18', 'advice', 'patel', GPS.adebayo, { workingDaysAgo: 2, at: '09:10' }, 'keratosis', 'lower back',
      'Several brown warty lesions on the back; the largest itches. Seborrhoeic keratoses? Anything to offer beyond reassurance?',
      { duration: 'Years', changed: false, raised: true, itch: true, bleeding: false, previousSkinCancer: 'none' }),
    quick('advice-19', 'advice', 'norris', GPS.whitfield, { workingDaysAgo: 3, at: '14:35' }, 'keratosis', 'central upper chest',
      'Darker raised lesion on the chest which he says appeared over a few months. Seborrhoeic keratosis on my dermoscopy, but please confirm.',
      { duration: '4 months', changed: true, changeDetails: 'New this year.', raised: true, itch: false, bleeding: false, previousSkinCancer: 'none' }),
    quick('advice-20', 'advice', 'mensah', GPS.qureshi, { workingDaysAgo: 0, at: '10:30' }, 'eczema', 'left antecubital fossa',
      'Itchy flexural rash since childhood, flaring now despite emollients and 1% hydrocortisone. Step up to a moderate steroid?',
      { duration: 'Since childhood', changed: true, itch: true, scaling: true, soreness: false, treatmentsTried: 'Emollients; 1% hydrocortisone ointment.' }),
    quick('advice-21', 'advice', 'chaudhry', GPS.marsh, { workingDaysAgo: 2, at: '15:25' }, 'eczema', 'dorsum of left hand',
      '16-year-old with eczema on the backs of both hands, worse with exams. Sleep disturbed by itch. Treatment advice please.',
      { duration: '3 years', changed: true, itch: true, scaling: true, soreness: true, treatmentsTried: 'Emollients; clobetasone butyrate 0.05% for 1 week.' }),
    quick('advice-22', 'advice', 'lindqvist', GPS.lowe, { workingDaysAgo: 1, at: '13:50' }, 'plaque', 'left knee (extensor surface)',
      'Well-demarcated scaly plaques on both knees. Psoriasis? Which topical treatment first, and for how long?',
      { duration: '8 months', changed: true, itch: false, scaling: true, bleeding: false, familyHistory: 'Mother has psoriasis.' }),
    quick('advice-23', 'advice', 'bryant', GPS.adebayo, { workingDaysAgo: 4, at: '08:55' }, 'plaque', 'lower back',
      'Scaly plaque on the lower back, not responding to clotrimazole. Psoriasis or tinea? Scrapings sent last week.',
      { duration: '5 months', changed: false, itch: true, scaling: true, treatmentsTried: 'Clotrimazole 1% cream for 4 weeks.' }),
    quick('advice-24', 'advice', 'ogilvie', GPS.whitfield, { workingDaysAgo: 2, at: '11:15' }, 'actinic', 'scalp (vertex)',
      'Rough pink patches on a bald scalp in a retired farmer. Actinic keratoses? Field treatment in the practice reasonable?',
      { duration: '1 year', changed: true, scaling: true, soreness: false, bleeding: false, previousSkinCancer: 'none' }),
    quick('advice-25', 'advice', 'pendlebury', GPS.qureshi, { workingDaysAgo: 3, at: '10:45' }, 'angioma', 'left upper abdomen',
      'Bright red dome-shaped spots on the trunk, a few new each year. Campbell de Morgan spots? Happy to reassure if you agree.',
      { duration: 'Years', changed: false, raised: true, bleeding: false, itch: false, previousSkinCancer: 'none' }),
    quick('usc-11', 'usc', 'sorensen', GPS.lowe, { workingDaysAgo: 0, at: '11:05' }, 'atypical', 'right thigh (anterior)',
      'Changing mole on the front of the thigh: asymmetric, several colours, about 8 mm. 7-point checklist score 5.',
      { duration: 'Years; changing for 4 months', changed: true, changeDetails: 'Larger and darker at one edge.', moreThanTwoColours: true, raised: false, bleeding: false, itch: true, previousSkinCancer: 'none' }),
    quick('usc-12', 'usc', 'walsh', GPS.marsh, { workingDaysAgo: 1, at: '16:20' }, 'atypical', 'upper back',
      'Irregular dark mole on the upper back noticed by his barber; uneven pigment and border. Melanoma cannot be excluded.',
      { duration: 'Unknown', changed: true, moreThanTwoColours: true, raised: false, bleeding: false, itch: false, previousSkinCancer: 'none', familyHistory: 'Brother: melanoma aged 50.' }),
  ];
}

/** Stock photographs are small: enough to review, quick to draw and to build into pyramids. */
const STOCK_SIZE: Readonly<Record<SyntheticImageKind, readonly [number, number]>> = {
  regional: [1200, 900],
  'close-up': [1200, 900],
  dermoscopic: [900, 900],
};

/** Stock photographs drawn so far, by spec: each is drawn once however many cases show it. */
const stockRenders = new Map<string, Promise<Buffer>>();

function stockRender(spec: ImageSpec): Promise<Buffer> {
  const key = JSON.stringify(spec);
  let render = stockRenders.get(key);
  if (!render) {
    render = renderImage(spec).then((r) => r.jpeg);
    // A failed drawing is not kept: the next case tries again.
    render.catch(() => stockRenders.delete(key));
    stockRenders.set(key, render);
  }
  return render;
}

// ---------------------------------------------------------------------------------------------
// Building

const VIEW_KIND: Readonly<Record<View, SyntheticImageKind>> = {
  regional: 'regional',
  'close-up': 'close-up',
  'close-up-2': 'close-up',
  dermoscopic: 'dermoscopic',
};

/** A stable seed from text, so photographs do not depend on the order cases are listed in. */
function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function imageSpec(def: CaseDef, plan: LesionPlan, view: View): ImageSpec {
  const fitzpatrick = PEOPLE[def.person].fitzpatrick;
  if (plan.stock) {
    const [width, height] = STOCK_SIZE[VIEW_KIND[view]];
    const stock: ImageSpec = { kind: VIEW_KIND[view], seed: seedOf(`stock/${plan.lesion.seed}/${view}`), fitzpatrick, lesion: plan.lesion, width, height };
    return view === 'dermoscopic' ? stock : { ...stock, fieldMm: plan.closeFieldMm };
  }
  const seed = view === 'regional' && plan.regionalSeed !== undefined ? plan.regionalSeed : seedOf(`${def.key}/${plan.id}/${view}`);
  const base = { kind: VIEW_KIND[view], seed, fitzpatrick, lesion: plan.lesion };
  switch (view) {
    case 'regional':
      return { ...base, ...plan.regional };
    case 'close-up':
    case 'close-up-2':
      return { ...base, fieldMm: plan.closeFieldMm };
    case 'dermoscopic':
      return base;
  }
}

function buildCases(now: Date): { referral: DemoReferral; specs: Record<string, ImageSpec> }[] {
  return CASES.map((def, order) => {
    const received = receivedAt(now, def.when, order);
    // Photographs are taken in the surgery a day or so before the referral is sent.
    const captured = received.getTime() - (20 + (seedOf(def.key) % 10)) * 3_600_000;
    const specs: Record<string, ImageSpec> = {};
    const images: ImageSubmissionMeta[] = [];
    for (const plan of def.lesions) {
      for (const view of plan.views) {
        const part = `${plan.id.toLowerCase()}-${view}`;
        const spec = imageSpec(def, plan, view);
        const layout = imageLayout(spec);
        specs[part] = spec;
        images.push({
          part,
          kind: spec.kind,
          lesion: plan.id,
          bodySite: plan.bodySite,
          capturedAt: new Date(captured + images.length * 90_000).toISOString(),
          ...(layout.scaleKnown ? { mmPerPixel: layout.mmPerPixel } : {}),
        });
      }
    }
    const person = PEOPLE[def.person];
    const submission: ReferralSubmission = {
      patient: {
        nhsNumber: nhsNumberOf(def.person),
        name: { given: person.given, family: person.family },
        birthDate: person.birthDate,
        sex: person.sex,
      },
      pathway: def.pathway,
      referrer: { ...def.referrer },
      question: def.question,
      history: { ...def.history, fitzpatrick: person.fitzpatrick },
      images,
    };
    const files: Record<string, () => Promise<Buffer>> = {};
    const stock = def.lesions.every((plan) => plan.stock);
    for (const [part, spec] of Object.entries(specs)) files[part] = stock ? () => stockRender(spec) : async () => (await renderImage(spec)).jpeg;
    const referral: DemoReferral = { key: def.key, submission, receivedAt: received, files };
    if (def.priorOutcome) referral.priorOutcome = def.priorOutcome;
    return { referral, specs };
  });
}
