import { describe, expect, it } from 'vitest';
import { ServiceClient, ServiceError, type FetchLike } from '../../shared/client/service-client';
import type { Metrics } from '../../shared/contract';
import { decisionRows, formatHours, formatShare, receivedRows, responseRows, summaryFigures, workloadRows } from '../../renderer/src/metrics/figures';
import { presetOf, presetPeriod } from '../../renderer/src/metrics/period';

const CONSULTANT = { id: '0192f0a0-0000-7000-8000-0000000000a1', name: 'Dr Helen Carter', role: 'consultant' as const };
const REGISTRAR = { id: '0192f0a0-0000-7000-8000-0000000000a2', name: 'Dr Tom Okafor', role: 'registrar' as const };

const METRICS: Metrics = {
  period: { from: '2026-11-01', to: '2026-11-30' },
  received: { total: 12, byPathway: { advice: 7, usc: 4, 'waiting-list': 1 } },
  decisions: {
    total: 10,
    byDecision: {
      advice: 3,
      'request-info': 1,
      'routine-appointment': 1,
      'urgent-appointment': 0,
      'usc-appointment': 1,
      'biopsy-routine': 0,
      'biopsy-urgent': 1,
      redirect: 0,
      discharge: 3,
    },
  },
  withoutAppointment: { count: 6, share: 0.6 },
  uscDischarge: { decided: 4, discharged: 2, share: 0.5 },
  responseTime: {
    decided: 10,
    medianHours: 20.25,
    p95Hours: 46,
    withinTarget: 0.9,
    byPathway: {
      advice: { decided: 6, medianHours: 22, p95Hours: 40, withinTarget: 1 },
      usc: { decided: 4, medianHours: 9.5, p95Hours: 30, withinTarget: 0.75 },
      'waiting-list': { decided: 0, medianHours: null, p95Hours: null, withinTarget: null },
    },
  },
  imageRejection: { referrals: 12, rejected: 1, share: 1 / 12 },
  workload: [
    { reviewer: REGISTRAR, decided: 4, signedOff: 0 },
    { reviewer: CONSULTANT, decided: 6, signedOff: 4 },
  ],
};

/** A fetch that answers one response and records the request. */
function fakeFetch(status: number, body: unknown) {
  const calls: { url: string; method: string; headers: Record<string, string> }[] = [];
  const fetchFn: FetchLike = async (url, init) => {
    calls.push({ url, method: init.method, headers: init.headers });
    const text = JSON.stringify(body);
    return { status, ok: status >= 200 && status < 300, json: async () => JSON.parse(text) as unknown, text: async () => text };
  };
  return { fetchFn, calls };
}

describe('ServiceClient.metrics', () => {
  it('asks GET /api/v1/metrics for the period with the token and parses the figures', async () => {
    const { fetchFn, calls } = fakeFetch(200, METRICS);
    const client = new ServiceClient('http://127.0.0.1:8270', fetchFn, 'tok');
    expect(await client.metrics({ from: '2026-11-01', to: '2026-11-30' })).toEqual(METRICS);
    expect(calls).toEqual([
      { url: 'http://127.0.0.1:8270/api/v1/metrics?from=2026-11-01&to=2026-11-30', method: 'GET', headers: { authorization: 'Bearer tok' } },
    ]);
  });

  it('refuses an answer that breaks the contract', async () => {
    for (const broken of [
      { ...METRICS, received: { total: -1, byPathway: {} } },
      { ...METRICS, withoutAppointment: { count: 6, share: 1.5 } },
      { ...METRICS, responseTime: { ...METRICS.responseTime, medianHours: 'soon' } },
      { ...METRICS, workload: [{ reviewer: { id: 'x', name: 'Nobody', role: 'consultant' }, decided: 1, signedOff: 0 }] },
      { ...METRICS, decisions: { total: 1, byDecision: { 'lunch-break': 1 } } },
    ]) {
      const client = new ServiceClient('http://s', fakeFetch(200, broken).fetchFn, 'tok');
      await expect(client.metrics({ from: '2026-11-01', to: '2026-11-30' })).rejects.toMatchObject({ name: 'ZodError' });
    }
  });

  it('checks the period before asking: reversed, over two years or not a date', async () => {
    const { fetchFn, calls } = fakeFetch(200, METRICS);
    const client = new ServiceClient('http://s', fetchFn, 'tok');
    for (const q of [
      { from: '2026-11-30', to: '2026-11-01' },
      { from: '2023-01-01', to: '2026-01-01' },
      { from: '2026-11-01', to: 'tomorrow' },
      { from: '2026-11-01&x=1', to: '2026-11-02' },
    ]) {
      await expect(client.metrics(q)).rejects.toMatchObject({ name: 'ZodError' });
    }
    expect(calls).toEqual([]);
  });

  it('turns a refusal into a ServiceError with the contract’s code', async () => {
    const client = new ServiceClient('http://s', fakeFetch(403, { error: { code: 'forbidden', message: 'Consultants and administrators only' } }).fetchFn, 'tok');
    const error: unknown = await client.metrics({ from: '2026-11-01', to: '2026-11-30' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({ status: 403, code: 'forbidden' });
  });
});

describe('metrics dashboard figures', () => {
  it('formats shares and hours, with a dash when nothing was counted', () => {
    expect(formatShare(0.6)).toBe('60%');
    expect(formatShare(1 / 12)).toBe('8.3%');
    expect(formatShare(0)).toBe('0%');
    expect(formatShare(null)).toBe('—');
    expect(formatHours(20.25)).toBe('20.3 h');
    expect(formatHours(null)).toBe('—');
  });

  it('summarises the period', () => {
    expect(Object.fromEntries(summaryFigures(METRICS).map((f) => [f.label, f.value]))).toEqual({
      'Requests received': '12',
      Decisions: '10',
      'Answered without a hospital appointment': '60%',
      'USC discharged after virtual triage': '50%',
      'Median response time': '20.3 h',
      'Decided within target': '90%',
      'Image rejection rate': '8.3%',
    });
  });

  it('gives every pathway and decision a row (zeros included) and the busiest reviewer first', () => {
    expect(receivedRows(METRICS).map((r) => r.count)).toEqual([7, 4, 1]);
    expect(decisionRows(METRICS)).toHaveLength(9);
    expect(decisionRows(METRICS).reduce((n, r) => n + r.count, 0)).toBe(10);
    expect(responseRows(METRICS).map((r) => [r.key, r.target, r.medianHours])).toEqual([
      ['advice', '2 working days', 22],
      ['usc', '1 working day', 9.5],
      ['waiting-list', '10 working days', null],
    ]);
    expect(workloadRows(METRICS).map((r) => r.label)).toEqual(['Dr Helen Carter', 'Dr Tom Okafor']);
  });

  it('makes presets on the UTC calendar, inclusive of today', () => {
    const now = new Date('2026-12-06T23:30:00Z');
    expect(presetPeriod('last-7-days', now)).toEqual({ from: '2026-11-30', to: '2026-12-06' });
    expect(presetPeriod('last-30-days', now)).toEqual({ from: '2026-11-07', to: '2026-12-06' });
    expect(presetPeriod('this-month', now)).toEqual({ from: '2026-12-01', to: '2026-12-06' });
    expect(presetOf({ from: '2026-12-01', to: '2026-12-06' }, now)).toBe('this-month');
    expect(presetOf({ from: '2026-12-02', to: '2026-12-06' }, now)).toBeNull();
  });
});
