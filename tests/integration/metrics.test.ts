import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody, Metrics, ReferralCreated, type Mutation, type MutationResult, type Pathway } from '../../shared/contract';
import type { ServiceClient } from '../../shared/client/service-client';
import { postReferral, referralBody, startService, testJpeg, type RunningService } from './harness';

/**
 * `GET /metrics` on a small week of work, driven through the real API on the service's own
 * clock, with the turnaround targets configured (advice 3 working days, not the default 2).
 */

let clock = new Date('2026-03-02T09:00:00.000Z'); // a Monday
let svc: RunningService;
let gp: ServiceClient;
let consultant: ServiceClient;
let registrar: ServiceClient;
let admin: ServiceClient;
let jpeg: Buffer;
const ids: Record<string, string> = {};

const at = (iso: string) => {
  clock = new Date(iso);
};
const tokenOf = (c: ServiceClient | null) => c?.currentToken() ?? '';
const SAFETY = 'Return if it bleeds, grows or changes colour.';
const base = { diagnosis: { text: 'Seborrhoeic keratosis' }, adviceToGp: 'Benign.' };

async function newReferral(pathway: Pathway): Promise<string> {
  const res = await postReferral(svc, tokenOf(gp), referralBody(['a'], { pathway }), { a: jpeg });
  expect(res.status).toBe(201);
  return ReferralCreated.parse(await res.json()).id;
}

async function one(c: ServiceClient, m: Omit<Mutation, 'id' | 'clientTime'>): Promise<MutationResult> {
  const { results } = await c.mutate([{ id: randomUUID(), clientTime: clock.toISOString(), ...m }]);
  expect(results[0], JSON.stringify(results[0])).toMatchObject({ status: 'applied' });
  return results[0]!;
}

async function get(c: ServiceClient | null, query: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${svc.url}/api/v1/metrics${query}`, { headers: c ? { authorization: `Bearer ${tokenOf(c)}` } : {} });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  // Sessions long enough to live through the week the clock jumps across.
  svc = await startService(
    { sessionIdleMinutes: 100_000, sessionAbsoluteMinutes: 100_000, targetWorkingDays: { advice: 3, usc: 1, 'waiting-list': 10 } },
    { now: () => clock },
  );
  [gp, consultant, registrar, admin] = await Promise.all([svc.signedIn('gp'), svc.signedIn('consultant'), svc.signedIn('registrar'), svc.signedIn('admin')]);
  jpeg = await testJpeg(320, 240);

  at('2026-03-02T09:00:00.000Z');
  ids.a1 = await newReferral('advice');
  ids.u1 = await newReferral('usc');
  // A consultant advises 6 h after receipt: within target.
  at('2026-03-02T15:00:00.000Z');
  await one(consultant, { type: 'outcome.submit', entityId: randomUUID(), payload: { referralId: ids.a1, ...base, decision: 'advice' } });
  // A registrar discharges the USC referral; the consultant signs it off 28 h after receipt,
  // past its 1-working-day target.
  at('2026-03-02T16:00:00.000Z');
  const u1Outcome = randomUUID();
  await one(registrar, {
    type: 'outcome.submit',
    entityId: u1Outcome,
    payload: { referralId: ids.u1, ...base, decision: 'discharge', safetyNetting: SAFETY, referrerAgreement: { name: 'Dr A Example', on: '2026-03-02' } },
  });
  at('2026-03-03T13:00:00.000Z');
  await one(consultant, { type: 'outcome.sign-off', entityId: u1Outcome, baseVersion: 1, payload: { comment: 'Agreed.' } });
  // Better images asked for on a third referral.
  at('2026-03-04T09:00:00.000Z');
  ids.a2 = await newReferral('advice');
  await one(consultant, { type: 'referral.request-info', entityId: ids.a2, baseVersion: 1, payload: { kind: 'better-images', message: 'In focus, please.', reasons: ['blurred'] } });
  // The next week: outside the period.
  at('2026-03-09T10:00:00.000Z');
  ids.a3 = await newReferral('advice');
  await one(consultant, { type: 'outcome.submit', entityId: randomUUID(), payload: { referralId: ids.a3, ...base, decision: 'advice' } });
});

afterAll(async () => {
  await svc?.close();
});

describe('turnaround targets', () => {
  it('set each referral\'s dueAt from the configured working days at receipt', async () => {
    expect((await consultant.referral(ids.a1!)).referral.dueAt).toBe('2026-03-05T09:00:00.000Z'); // Monday + 3 working days
    expect((await consultant.referral(ids.u1!)).referral.dueAt).toBe('2026-03-03T09:00:00.000Z');
    expect((await consultant.referral(ids.a3!)).referral.dueAt).toBe('2026-03-12T10:00:00.000Z');
  });
});

describe('GET /metrics', () => {
  it('answers the week\'s figures', async () => {
    const { status, body } = await get(consultant, '?from=2026-03-02&to=2026-03-06');
    expect(status).toBe(200);
    const m = Metrics.parse(body);
    expect(m.period).toEqual({ from: '2026-03-02', to: '2026-03-06' });
    expect(m.received).toEqual({ total: 3, byPathway: { advice: 2, usc: 1, 'waiting-list': 0 } });
    expect(m.decisions.total).toBe(2);
    expect(m.decisions.byDecision).toMatchObject({ advice: 1, discharge: 1, 'usc-appointment': 0 });
    expect(m.withoutAppointment).toEqual({ count: 2, share: 1 });
    expect(m.uscDischarge).toEqual({ decided: 1, discharged: 1, share: 1 });
    // 6 h and 28 h: median 17, p95 6 + 0.95 × 22.
    expect(m.responseTime).toMatchObject({ decided: 2, medianHours: 17, withinTarget: 0.5 });
    expect(m.responseTime.p95Hours).toBeCloseTo(26.9, 10);
    expect(m.responseTime.byPathway.advice).toEqual({ decided: 1, medianHours: 6, p95Hours: 6, withinTarget: 1 });
    expect(m.responseTime.byPathway.usc).toEqual({ decided: 1, medianHours: 28, p95Hours: 28, withinTarget: 0 });
    expect(m.imageRejection.referrals).toBe(3);
    expect(m.imageRejection.rejected).toBe(1);
    expect(m.imageRejection.share).toBeCloseTo(1 / 3, 10);
    expect(m.workload).toEqual([
      { reviewer: expect.objectContaining({ role: 'consultant' }), decided: 1, signedOff: 1 },
      { reviewer: expect.objectContaining({ role: 'registrar' }), decided: 1, signedOff: 0 },
    ]);
  });

  it('counts a day by its whole UTC day, to inclusive', async () => {
    const monday = Metrics.parse((await get(admin, '?from=2026-03-02&to=2026-03-02')).body);
    expect(monday.received.total).toBe(2);
    expect(monday.decisions.total).toBe(1);
    const next = Metrics.parse((await get(admin, '?from=2026-03-07&to=2026-03-13')).body);
    expect(next.received.total).toBe(1);
    expect(next.decisions.total).toBe(1);
    const quiet = Metrics.parse((await get(admin, '?from=2025-01-01&to=2025-01-31')).body);
    expect(quiet).toMatchObject({ received: { total: 0 }, decisions: { total: 0 }, withoutAppointment: { share: null }, responseTime: { medianHours: null } });
  });

  it('is for consultants and administrators only', async () => {
    const q = '?from=2026-03-02&to=2026-03-06';
    expect((await get(consultant, q)).status).toBe(200);
    expect((await get(admin, q)).status).toBe(200);
    expect((await get(registrar, q)).status).toBe(403);
    expect((await get(gp, q)).status).toBe(403);
    expect((await get(null, q)).status).toBe(401);
  });

  it.each([
    ['', 'no period'],
    ['?from=2026-03-02', 'no end'],
    ['?from=2026-03-06&to=2026-03-02', 'a reversed period'],
    ['?from=2024-01-01&to=2026-03-02', 'over two years'],
    ['?from=2026-02-30&to=2026-03-02', 'an impossible date'],
    ['?from=2026-03-02T00:00:00Z&to=2026-03-06', 'a time instead of a date'],
    ['?from=2026-03-02&to=2026-03-06&to=2026-03-07', 'a repeated key'],
    ['?from=2026-03-02&to=2026-03-06&pathway=usc', 'an unknown key'],
  ])('refuses %s (%s) with 400 and the contract\'s error body', async (query) => {
    const { status, body } = await get(consultant, query);
    expect(status).toBe(400);
    expect(ErrorBody.parse(body).error.code).toBe('invalid_request');
  });

  it('is audited as an action with the period and counts, no clinical detail', async () => {
    await get(admin, '?from=2026-03-02&to=2026-03-06');
    const events = await svc.ctx.repo.read((tx) => tx.auditPage(0, 10_000));
    const reads = events.filter((e) => e.action === 'metrics.read');
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.at(-1)?.detail).toEqual({ from: '2026-03-02', to: '2026-03-06', received: 3, decided: 2 });
    expect(JSON.stringify(reads)).not.toContain('keratosis');
  });
});
