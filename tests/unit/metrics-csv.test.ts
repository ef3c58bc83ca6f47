import { describe, expect, it } from 'vitest';
import type { Metrics } from '../../shared/contract';
import { csvField, metricsToCsv } from '../../shared/domain/metrics-csv';

const figures = (decided: number, median: number | null) => ({ decided, medianHours: median, p95Hours: median, withinTarget: decided ? 0.5 : null });

const METRICS: Metrics = {
  period: { from: '2026-03-02', to: '2026-03-06' },
  received: { total: 8, byPathway: { advice: 6, usc: 2, 'waiting-list': 0 } },
  decisions: {
    total: 6,
    byDecision: { advice: 2, 'request-info': 0, 'routine-appointment': 1, 'urgent-appointment': 0, 'usc-appointment': 1, 'biopsy-routine': 0, 'biopsy-urgent': 0, redirect: 0, discharge: 2 },
  },
  withoutAppointment: { count: 4, share: 0.75 },
  uscDischarge: { decided: 2, discharged: 1, share: 0.5 },
  responseTime: { decided: 6, medianHours: 24, p95Hours: 279, withinTarget: 0.25, byPathway: { advice: figures(3, 24), usc: figures(2, 15), 'waiting-list': figures(0, null) } },
  imageRejection: { referrals: 8, rejected: 2, share: 0.25 },
  workload: [
    { reviewer: { id: '00000000-0000-4000-8000-0000000000c1', name: 'Carter, Helen "Nell"', role: 'consultant' }, decided: 6, signedOff: 1 },
    { reviewer: { id: '00000000-0000-4000-8000-0000000000a1', name: '=HYPERLINK("x")', role: 'registrar' }, decided: 1, signedOff: 0 },
  ],
};

/** A minimal RFC 4180 reader, to check the export parses back to the same cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

describe('metricsToCsv', () => {
  const csv = metricsToCsv(METRICS);
  const rows = parseCsv(csv);

  it('has a header and three columns on every line, each line ending CRLF', () => {
    expect(rows[0]).toEqual(['section', 'measure', 'value']);
    expect(rows.every((r) => r.length === 3)).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.replaceAll('\r\n', '').includes('\n')).toBe(false);
  });

  it('writes one row per figure, shares as fractions and nulls as empty values', () => {
    const value = (section: string, measure: string) => rows.find((r) => r[0] === section && r[1] === measure)?.[2];
    expect(value('period', 'from')).toBe('2026-03-02');
    expect(value('period', 'to')).toBe('2026-03-06');
    expect(value('received', 'total')).toBe('8');
    expect(value('received', 'waiting-list')).toBe('0');
    expect(value('decisions', 'discharge')).toBe('2');
    expect(value('decisions', 'redirect')).toBe('0');
    expect(value('withoutAppointment', 'share')).toBe('0.75');
    expect(value('uscDischarge', 'share')).toBe('0.5');
    expect(value('responseTime', 'p95Hours')).toBe('279');
    expect(value('responseTime.usc', 'medianHours')).toBe('15');
    expect(value('responseTime.waiting-list', 'medianHours')).toBe('');
    expect(value('responseTime.waiting-list', 'withinTarget')).toBe('');
    expect(value('imageRejection', 'rejected')).toBe('2');
    // 2 period + 4 received + 10 decisions + 2 + 3 + 4 × 4 response + 3 image + 2 × 2 workload
    expect(rows.length - 1).toBe(2 + 4 + 10 + 2 + 3 + 16 + 3 + 4);
  });

  it('quotes commas and quotes (doubled), and defuses a name a spreadsheet would run as a formula', () => {
    expect(csv).toContain('workload,"Carter, Helen ""Nell"" (consultant): decided",6\r\n');
    expect(rows.find((r) => r[1]?.startsWith('Carter'))?.[1]).toBe('Carter, Helen "Nell" (consultant): decided');
    expect(rows.filter((r) => r[1]?.includes('HYPERLINK')).map((r) => r[1])).toEqual(['\'=HYPERLINK("x") (registrar): decided', '\'=HYPERLINK("x") (registrar): signed off']);
  });
});

describe('csvField', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r', '"cr\r"'],
    ['+44', "'+44"],
    ['-1', "'-1"],
    ['@sum', "'@sum"],
    ['', ''],
  ])('%j → %j', (input, output) => {
    expect(csvField(input)).toBe(output);
  });

  it('writes numbers as numbers and null as nothing', () => {
    expect(csvField(0)).toBe('0');
    expect(csvField(0.125)).toBe('0.125');
    expect(csvField(null)).toBe('');
  });
});
