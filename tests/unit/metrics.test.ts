import { describe, expect, it } from 'vitest';
import { Metrics, type Decision, type Outcome, type Pathway, type Referral, type UserRef } from '../../shared/contract';
import { computeMetrics, finalAt, percentile, periodBounds } from '../../shared/domain/metrics';

const CONSULTANT: UserRef = { id: '00000000-0000-4000-8000-0000000000c1', name: 'Dr C', role: 'consultant' };
const REGISTRAR: UserRef = { id: '00000000-0000-4000-8000-0000000000a1', name: 'Dr R', role: 'registrar' };
const GP_ID = '00000000-0000-4000-8000-0000000000f1';

let n = 0;
const id = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

function referral(pathway: Pathway, receivedAt: string, dueAt: string, extra: Partial<Referral> = {}): Referral {
  return {
    id: id(),
    version: 1,
    status: 'new',
    pathway,
    patient: { nhsNumber: '9990000018', name: { given: 'Ada', family: 'Example' }, birthDate: '1950-02-01', sex: 'female' },
    referrer: { name: 'Dr A Example', practiceCode: 'A12345', userId: GP_ID },
    question: 'Question',
    history: {},
    receivedAt,
    dueAt,
    assignedTo: null,
    imageIds: [],
    infoRequests: [],
    followUps: [],
    ...extra,
  };
}

/** A consultant's own final outcome (submitted at `at`), or a registrar's signed off at `at`. */
function outcome(r: Referral, decision: Decision, at: string, opts: { by?: UserRef; status?: Outcome['status']; signedOffAt?: string; extra?: Partial<Outcome> } = {}): Outcome {
  const by = opts.by ?? CONSULTANT;
  return {
    id: id(),
    referralId: r.id,
    version: 1,
    status: opts.status ?? 'final',
    decision,
    diagnosis: { text: 'Diagnosis' },
    adviceToGp: 'Advice',
    author: by,
    createdAt: at,
    updatedAt: at,
    submittedAt: at,
    supersedes: null,
    supersededBy: null,
    signedOff: opts.signedOffAt ? { by: CONSULTANT, at: opts.signedOffAt, amended: false } : null,
    returned: null,
    ...opts.extra,
  };
}

// The week of Monday 2 March 2026 (hand-computed figures below).
const period = { from: '2026-03-02', to: '2026-03-06' };

const r1 = referral('advice', '2026-03-02T09:00:00.000Z', '2026-03-04T09:00:00.000Z');
const r2 = referral('advice', '2026-03-02T10:00:00.000Z', '2026-03-04T10:00:00.000Z');
const r3 = referral('usc', '2026-03-03T08:00:00.000Z', '2026-03-04T08:00:00.000Z');
const r4 = referral('usc', '2026-03-03T09:00:00.000Z', '2026-03-04T09:00:00.000Z');
const r5 = referral('waiting-list', '2026-02-20T09:00:00.000Z', '2026-03-06T09:00:00.000Z'); // received before the period
const r6 = referral('advice', '2026-02-25T09:00:00.000Z', '2026-02-27T09:00:00.000Z'); // decided before, amended in it
const r7 = referral('advice', '2026-03-05T09:00:00.000Z', '2026-03-09T09:00:00.000Z', {
  infoRequests: [{ id: id(), at: '2026-03-05T11:00:00.000Z', by: CONSULTANT, kind: 'better-images', message: 'Images please' }],
});
const r8 = referral('advice', '2026-03-06T23:59:59.999Z', '2026-03-10T23:59:59.999Z');
const r9 = referral('advice', '2026-03-07T00:00:00.000Z', '2026-03-10T00:00:00.000Z'); // just after the period
const r10 = referral('advice', '2026-03-04T09:00:00.000Z', '2026-03-06T09:00:00.000Z'); // decided just after the period
const r11 = referral('advice', '2026-03-04T10:00:00.000Z', '2026-03-06T10:00:00.000Z'); // amended after the period

const o1 = outcome(r1, 'advice', '2026-03-03T09:00:00.000Z');
const o2 = outcome(r2, 'discharge', '2026-03-02T12:00:00.000Z', { by: REGISTRAR, signedOffAt: '2026-03-05T10:00:00.000Z' });
const o3 = outcome(r3, 'discharge', '2026-03-03T14:00:00.000Z');
const o4 = outcome(r4, 'usc-appointment', '2026-03-04T09:00:00.000Z');
const o5 = outcome(r5, 'routine-appointment', '2026-03-06T21:00:00.000Z');
const o6a = outcome(r6, 'advice', '2026-02-26T09:00:00.000Z', { status: 'superseded' });
const o6b = outcome(r6, 'biopsy-urgent', '2026-03-04T10:00:00.000Z');
const o10 = outcome(r10, 'request-info', '2026-03-07T00:00:00.000Z', { extra: { requestReasons: ['blurred'] } });
const o11a = outcome(r11, 'advice', '2026-03-04T12:00:00.000Z', { status: 'superseded' });
const o11b = outcome(r11, 'routine-appointment', '2026-03-09T12:00:00.000Z');
// Never final: drafts and outcomes awaiting sign-off count for nothing.
const draft = outcome(r8, 'advice', '2026-03-06T12:00:00.000Z', { status: 'draft', extra: { submittedAt: null } });
const waiting = outcome(r7, 'discharge', '2026-03-05T12:00:00.000Z', { by: REGISTRAR, status: 'awaiting-signoff' });

const metrics = computeMetrics({
  period,
  received: [r1, r2, r3, r4, r7, r8, r9, r10, r11],
  decided: [r1, r2, r3, r4, r5, r6, r11],
  outcomes: [o1, o2, o3, o4, o5, o6a, o6b, o10, o11a, o11b, draft, waiting],
});

describe('computeMetrics on a hand-computed week', () => {
  it('answers the contract', () => {
    expect(Metrics.safeParse(metrics).success).toBe(true);
    expect(metrics.period).toEqual(period);
  });

  it('counts referrals received from Monday 00:00 up to, not including, Saturday 00:00 UTC, by pathway', () => {
    expect(metrics.received).toEqual({ total: 8, byPathway: { advice: 6, usc: 2, 'waiting-list': 0 } });
  });

  it('counts a referral decided when its first outcome became final in the period, with the decision standing at its end', () => {
    // r1 advice, r2 discharge (signed off in the period), r3 discharge, r4 USC appointment,
    // r5 routine appointment (received earlier), r11 advice (amended only after the period).
    // Not r6 (decided before, only amended in the period) nor r10 (decided just after).
    expect(metrics.decisions).toEqual({
      total: 6,
      byDecision: {
        advice: 2,
        'request-info': 0,
        'routine-appointment': 1,
        'urgent-appointment': 0,
        'usc-appointment': 1,
        'biopsy-routine': 0,
        'biopsy-urgent': 0,
        redirect: 0,
        discharge: 2,
      },
    });
    expect(metrics.withoutAppointment.count).toBe(4);
    expect(metrics.withoutAppointment.share).toBeCloseTo(4 / 6, 10);
    expect(metrics.uscDischarge).toEqual({ decided: 2, discharged: 1, share: 0.5 });
  });

  it('measures response time from receipt to the first final decision: median, p95 and the share by dueAt', () => {
    // Hours: r11 2, r3 6, r1 24, r4 24 (exactly at dueAt: within), r2 72 (signed off late), r5 348.
    const t = metrics.responseTime;
    expect(t.decided).toBe(6);
    expect(t.medianHours).toBe(24);
    // rank 0.95 × 5 = 4.75: 72 + 0.75 × (348 − 72)
    expect(t.p95Hours).toBeCloseTo(279, 10);
    expect(t.withinTarget).toBeCloseTo(4 / 6, 10);
    expect(t.byPathway.advice.decided).toBe(3);
    expect(t.byPathway.advice.medianHours).toBe(24);
    // [2, 24, 72]: rank 1.9 → 24 + 0.9 × 48
    expect(t.byPathway.advice.p95Hours).toBeCloseTo(67.2, 10);
    expect(t.byPathway.advice.withinTarget).toBeCloseTo(2 / 3, 10);
    expect(t.byPathway.usc.medianHours).toBe(15);
    expect(t.byPathway.usc.p95Hours).toBeCloseTo(23.1, 10);
    expect(t.byPathway.usc.withinTarget).toBe(1);
    expect(t.byPathway['waiting-list']).toEqual({ decided: 1, medianHours: 348, p95Hours: 348, withinTarget: 0 });
  });

  it('counts referrals received in the period for which better images were asked, by request or by outcome', () => {
    // r7 (a better-images request) and r10 (a request-info outcome for blurred images).
    expect(metrics.imageRejection).toEqual({ referrals: 8, rejected: 2, share: 0.25 });
  });

  it('credits each outcome that became final in the period to its author, and sign-offs to the consultant', () => {
    // Consultant: o1, o3, o4, o5, o6b (an amendment), o11a; and o2's sign-off. Registrar: o2.
    expect(metrics.workload).toEqual([
      { reviewer: CONSULTANT, decided: 6, signedOff: 1 },
      { reviewer: REGISTRAR, decided: 1, signedOff: 0 },
    ]);
  });

  it('gives the same figures when rows arrive twice or in another order', () => {
    const again = computeMetrics({
      period,
      received: [r11, r10, r9, r8, r7, r4, r3, r2, r1, r1],
      decided: [r11, r6, r5, r4, r3, r2, r1, r2],
      outcomes: [waiting, draft, o11b, o11a, o10, o6b, o6a, o5, o4, o3, o2, o1, o1],
    });
    expect(again).toEqual(metrics);
  });
});

describe('computeMetrics with nothing to count', () => {
  it('answers zero counts and null shares, medians and percentiles', () => {
    const empty = computeMetrics({ period, received: [], decided: [], outcomes: [] });
    expect(Metrics.safeParse(empty).success).toBe(true);
    expect(empty.received).toEqual({ total: 0, byPathway: { advice: 0, usc: 0, 'waiting-list': 0 } });
    expect(empty.decisions.total).toBe(0);
    expect(Object.values(empty.decisions.byDecision).every((v) => v === 0)).toBe(true);
    expect(empty.withoutAppointment).toEqual({ count: 0, share: null });
    expect(empty.uscDischarge).toEqual({ decided: 0, discharged: 0, share: null });
    expect(empty.responseTime).toMatchObject({ decided: 0, medianHours: null, p95Hours: null, withinTarget: null });
    for (const p of ['advice', 'usc', 'waiting-list'] as const) {
      expect(empty.responseTime.byPathway[p]).toEqual({ decided: 0, medianHours: null, p95Hours: null, withinTarget: null });
    }
    expect(empty.imageRejection).toEqual({ referrals: 0, rejected: 0, share: null });
    expect(empty.workload).toEqual([]);
  });
});

describe('metrics building blocks', () => {
  it('interpolates percentiles between closest ranks', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([5], 0.95)).toBe(5);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([1, 2, 3], 0.5)).toBe(2);
    expect(percentile([0, 10], 0.95)).toBeCloseTo(9.5, 10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21], 0.95)).toBe(20);
  });

  it('takes a period as whole UTC days, the last one included', () => {
    expect(periodBounds({ from: '2026-03-02', to: '2026-03-06' })).toEqual({ start: '2026-03-02T00:00:00.000Z', end: '2026-03-07T00:00:00.000Z' });
    expect(periodBounds({ from: '2028-02-29', to: '2028-02-29' })).toEqual({ start: '2028-02-29T00:00:00.000Z', end: '2028-03-01T00:00:00.000Z' });
  });

  it('knows when an outcome became final: its sign-off, else its submission; never for drafts or outcomes awaiting sign-off', () => {
    expect(finalAt(o1)).toBe('2026-03-03T09:00:00.000Z');
    expect(finalAt(o2)).toBe('2026-03-05T10:00:00.000Z');
    expect(finalAt(o6a)).toBe('2026-02-26T09:00:00.000Z');
    expect(finalAt(draft)).toBeNull();
    expect(finalAt(waiting)).toBeNull();
    expect(finalAt({ ...o1, status: 'returned' })).toBeNull();
  });
});
