/**
 * Synthetic referrals and outcomes for `bench worklist`: a plausible mix of pathways, statuses,
 * practices, ages and outcome priorities, deterministic for a seed (ids aside). Names and NHS
 * numbers are invented (NHS numbers from the 999 range, modulus-11 valid).
 */
import type { Outcome, Pathway, Priority, Referral, ReferralStatus, UserRef } from '../../shared/contract';
import { syntheticNhsNumber } from '../../shared/domain/nhs-number';
import { mulberry32 } from '../../shared/seeded-random';

const FAMILY = [
  'Abbott', 'Ahmed', 'Baker', 'Banerjee', 'Bell', 'Brown', 'Campbell', 'Chen', 'Clarke', 'Cooper', 'Davies', 'Desai', 'Evans', 'Fisher',
  'Fletcher', 'Garcia', 'Green', 'Hall', 'Harris', 'Hughes', 'Iqbal', 'Jackson', 'James', 'Jones', 'Kaur', 'Khan', 'King', 'Lee', 'Lewis',
  'Lloyd', 'Martin', 'Mason', 'Miller', 'Mitchell', 'Moore', 'Morgan', 'Murphy', 'Nguyen', 'Novak', 'Obi', 'Owen', 'Parker', 'Patel',
  'Phillips', 'Price', 'Quinn', 'Rahman', 'Roberts', 'Robinson', 'Rossi', 'Shah', 'Singh', 'Smith', 'Taylor', 'Thomas', 'Thompson',
  'Turner', 'Walker', 'Ward', 'Watson', 'White', 'Williams', 'Wilson', 'Wood', 'Wright', 'Young', 'Zielinski',
];
const GIVEN = [
  'Ada', 'Aisha', 'Alex', 'Amir', 'Anna', 'Ben', 'Bilal', 'Chloe', 'Daniel', 'Deepa', 'Ella', 'Emma', 'Farah', 'George', 'Grace', 'Hana',
  'Harry', 'Isla', 'Jack', 'Jo', 'Kai', 'Leah', 'Liam', 'Maya', 'Mei', 'Noah', 'Olivia', 'Omar', 'Priya', 'Rosa', 'Ruth', 'Sam', 'Sara',
  'Tom', 'Uma', 'Yusuf', 'Zoe',
];
const STATUSES: readonly [ReferralStatus, number][] = [
  ['new', 0.35],
  ['in-review', 0.15],
  ['awaiting-signoff', 0.08],
  ['waiting-info', 0.07],
  ['done', 0.35],
];
const PATHWAYS: readonly [Pathway, number][] = [
  ['advice', 0.6],
  ['usc', 0.25],
  ['waiting-list', 0.15],
];
/** Calendar approximations of the working-day targets (advice 2, USC 1, waiting list 10). */
const TARGET_MS: Readonly<Record<Pathway, number>> = { advice: 2 * 86_400_000, usc: 86_400_000, 'waiting-list': 14 * 86_400_000 };
const PRIORITIES: Readonly<Record<Pathway, readonly Priority[]>> = {
  advice: ['routine', 'urgent'],
  usc: ['usc', 'urgent', 'routine'],
  'waiting-list': ['P1a', 'P1b', 'P2', 'P3', 'P4'],
};
const GP = '0192f0a0-0000-7000-8000-0000000000d1';

function weighted<T>(rand: () => number, table: readonly [T, number][]): T {
  let x = rand();
  for (const [v, w] of table) if ((x -= w) < 0) return v;
  return table[table.length - 1]![0];
}

export interface Synthetic {
  referrals: Referral[];
  outcomes: Outcome[];
}

export function synthesise(count: number, me: UserRef, colleagues: readonly UserRef[], nowMs: number, seed = 6): Synthetic {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const referrals: Referral[] = [];
  const outcomes: Outcome[] = [];
  const registrar = colleagues.find((c) => c.role === 'registrar') ?? colleagues[0]!;
  let nhs = 1000;
  for (let i = 0; i < count; i++) {
    const pathway = weighted(rand, PATHWAYS);
    const status = weighted(rand, STATUSES);
    const received = nowMs - Math.floor(rand() * rand() * 60 * 86_400_000);
    const due = received + TARGET_MS[pathway];
    const holder = status === 'in-review' || status === 'awaiting-signoff' ? (rand() < 0.3 ? me : pick(colleagues)) : status === 'done' ? pick([me, ...colleagues]) : null;
    const nhsNumber = syntheticNhsNumber(nhs);
    nhs = Number(nhsNumber.slice(3, 9)) + 1;
    const r: Referral = {
      id: crypto.randomUUID(),
      version: 1 + Math.floor(rand() * 3),
      status,
      pathway,
      patient: { nhsNumber, name: { given: pick(GIVEN), family: pick(FAMILY) }, birthDate: `19${40 + Math.floor(rand() * 60)}-0${1 + Math.floor(rand() * 9)}-1${Math.floor(rand() * 9)}`, sex: rand() < 0.5 ? 'female' : 'male' },
      referrer: { name: 'Dr Synthetic GP', practiceCode: `A8${String(1000 + Math.floor(rand() * 60))}`, userId: GP },
      question: 'Synthetic referral for the worklist benchmark.',
      history: { duration: '3 months' },
      receivedAt: new Date(received).toISOString(),
      dueAt: new Date(due).toISOString(),
      assignedTo: holder,
      imageIds: [],
      infoRequests: [],
      followUps: [],
    };
    referrals.push(r);
    const priority = rand() < 0.8 ? pick(PRIORITIES[pathway]) : undefined;
    const base = {
      referralId: r.id,
      version: 1,
      decision: 'advice' as const,
      diagnosis: { text: 'Seborrhoeic keratosis' },
      adviceToGp: 'Synthetic advice.',
      ...(priority ? { priority } : {}),
      supersedes: null,
      supersededBy: null,
      returned: null,
    };
    const at = new Date(Math.min(nowMs, received + rand() * TARGET_MS[pathway])).toISOString();
    if (status === 'done') {
      const byRegistrar = rand() < 0.3;
      outcomes.push({
        ...base,
        id: crypto.randomUUID(),
        status: 'final',
        author: byRegistrar ? registrar : (holder ?? me),
        createdAt: at,
        updatedAt: at,
        submittedAt: at,
        signedOff: byRegistrar ? { by: rand() < 0.5 ? me : pick(colleagues), at, amended: false } : null,
      });
    } else if (status === 'awaiting-signoff') {
      outcomes.push({ ...base, id: crypto.randomUUID(), status: 'awaiting-signoff', author: registrar, createdAt: at, updatedAt: at, submittedAt: at, signedOff: null });
    } else if (status === 'in-review' && rand() < 0.4) {
      const returned = rand() < 0.2;
      outcomes.push({
        ...base,
        id: crypto.randomUUID(),
        status: returned ? 'returned' : 'draft',
        author: holder ?? registrar,
        createdAt: at,
        updatedAt: at,
        submittedAt: returned ? at : null,
        signedOff: null,
        returned: returned ? { by: me, at, comment: 'Synthetic return.' } : null,
      });
    }
  }
  return { referrals, outcomes };
}
