import { Decision } from '../contract/outcome';
import { Pathway } from '../contract/common';
import type { Metrics } from '../contract/metrics';

/**
 * The dashboard's figures as CSV (RFC 4180): a header, then one row per figure as
 * `section,measure,value`, lines ending CRLF. Shares are fractions (0.25, not 25%), hours
 * are hours, and a figure with nothing to measure (a null share or median) has an empty value.
 */
export function metricsToCsv(metrics: Metrics): string {
  const rows: [string, string, string | number | null][] = [
    ['period', 'from', metrics.period.from],
    ['period', 'to', metrics.period.to],
    ['received', 'total', metrics.received.total],
    ...Pathway.options.map((p): [string, string, number] => ['received', p, metrics.received.byPathway[p] ?? 0]),
    ['decisions', 'total', metrics.decisions.total],
    ...Decision.options.map((d): [string, string, number] => ['decisions', d, metrics.decisions.byDecision[d] ?? 0]),
    ['withoutAppointment', 'count', metrics.withoutAppointment.count],
    ['withoutAppointment', 'share', metrics.withoutAppointment.share],
    ['uscDischarge', 'decided', metrics.uscDischarge.decided],
    ['uscDischarge', 'discharged', metrics.uscDischarge.discharged],
    ['uscDischarge', 'share', metrics.uscDischarge.share],
    ...responseRows('responseTime', metrics.responseTime),
    ...Pathway.options.flatMap((p) => {
      const figures = metrics.responseTime.byPathway[p];
      return figures ? responseRows(`responseTime.${p}`, figures) : [];
    }),
    ['imageRejection', 'referrals', metrics.imageRejection.referrals],
    ['imageRejection', 'rejected', metrics.imageRejection.rejected],
    ['imageRejection', 'share', metrics.imageRejection.share],
    ...metrics.workload.flatMap((w): [string, string, number][] => {
      const who = `${w.reviewer.name} (${w.reviewer.role})`;
      return [
        ['workload', `${who}: decided`, w.decided],
        ['workload', `${who}: signed off`, w.signedOff],
      ];
    }),
  ];
  return [['section', 'measure', 'value'], ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function responseRows(section: string, f: Metrics['responseTime']['byPathway'][Pathway]): [string, string, number | null][] {
  return [
    [section, 'decided', f.decided],
    [section, 'medianHours', f.medianHours],
    [section, 'p95Hours', f.p95Hours],
    [section, 'withinTarget', f.withinTarget],
  ];
}

/**
 * One field: quoted when it holds a comma, quote or line break, quotes doubled. Text that a
 * spreadsheet would run as a formula (a reviewer's name starting `=`, `+`, `-` or `@`) is
 * prefixed with an apostrophe so opening the export runs nothing.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
