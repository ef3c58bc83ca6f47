/*
 * Pure: what the dashboard shows, from the service's `Metrics`. Each chart and the table
 * beside it are drawn from the same rows, so what is seen and what is read aloud agree.
 */
import { DECISION_LABELS, Decision, Pathway, type Metrics } from '../../../shared/contract';
import { DEFAULT_TARGET_WORKING_DAYS } from '../../../shared/domain/pathway-targets';
import { PATHWAY_DESCRIPTIONS, PATHWAY_LABELS } from '../format/labels';

/** "42%" (whole per cent below 10 shows one decimal); an em dash when nothing was counted. */
export function formatShare(share: number | null): string {
  if (share === null) return '—';
  const pct = share * 100;
  return `${pct > 0 && pct < 10 ? pct.toFixed(1) : Math.round(pct)}%`;
}

/** Hours with one decimal ("18.5 h"); an em dash when nothing was decided. */
export function formatHours(hours: number | null): string {
  return hours === null ? '—' : `${hours.toFixed(1)} h`;
}

export interface SummaryFigure {
  readonly label: string;
  readonly value: string;
  /** What the figure is out of, in words. */
  readonly detail: string;
}

export function summaryFigures(m: Metrics): SummaryFigure[] {
  return [
    { label: 'Requests received', value: String(m.received.total), detail: 'referrals received in the period' },
    { label: 'Decisions', value: String(m.decisions.total), detail: 'final decisions made in the period' },
    {
      label: 'Answered without a hospital appointment',
      value: formatShare(m.withoutAppointment.share),
      detail: `${m.withoutAppointment.count} of ${m.decisions.total} decisions (advice or discharge)`,
    },
    {
      label: 'USC discharged after virtual triage',
      value: formatShare(m.uscDischarge.share),
      detail: `${m.uscDischarge.discharged} of ${m.uscDischarge.decided} USC referrals decided`,
    },
    {
      label: 'Median response time',
      value: formatHours(m.responseTime.medianHours),
      detail: `95th percentile ${formatHours(m.responseTime.p95Hours)}; ${m.responseTime.decided} decided`,
    },
    {
      label: 'Decided within target',
      value: formatShare(m.responseTime.withinTarget),
      detail: `of ${m.responseTime.decided} referrals decided`,
    },
    {
      label: 'Image rejection rate',
      value: formatShare(m.imageRejection.share),
      detail: `better images asked for ${m.imageRejection.rejected} of ${m.imageRejection.referrals} referrals`,
    },
  ];
}

export interface CountRow {
  readonly key: string;
  /** In the table. */
  readonly label: string;
  /** On the chart's axis, where the full label would be cut off. */
  readonly short: string;
  readonly count: number;
}

export const DECISION_SHORT_LABELS: Readonly<Record<Decision, string>> = {
  advice: 'Advice to GP',
  'request-info': 'More information',
  'routine-appointment': 'Routine appt',
  'urgent-appointment': 'Urgent appt',
  'usc-appointment': 'USC appt',
  'biopsy-routine': 'Biopsy (routine)',
  'biopsy-urgent': 'Biopsy (urgent)',
  redirect: 'Redirect',
  discharge: 'Discharge',
};

export function receivedRows(m: Metrics): CountRow[] {
  return Pathway.options.map((p) => ({ key: p, label: PATHWAY_DESCRIPTIONS[p], short: PATHWAY_LABELS[p], count: m.received.byPathway[p] ?? 0 }));
}

export function decisionRows(m: Metrics): CountRow[] {
  return Decision.options.map((d) => ({ key: d, label: DECISION_LABELS[d], short: DECISION_SHORT_LABELS[d], count: m.decisions.byDecision[d] ?? 0 }));
}

export interface ResponseRow {
  readonly key: Pathway;
  readonly label: string;
  readonly short: string;
  readonly target: string;
  readonly decided: number;
  readonly medianHours: number | null;
  readonly p95Hours: number | null;
  readonly withinTarget: number | null;
}

/** Per pathway; the target shown is the default (the service applies the trust's own). */
export function responseRows(m: Metrics): ResponseRow[] {
  return Pathway.options.map((p) => {
    const f = m.responseTime.byPathway[p];
    const days = DEFAULT_TARGET_WORKING_DAYS[p];
    return {
      key: p,
      label: PATHWAY_DESCRIPTIONS[p],
      short: PATHWAY_LABELS[p],
      target: `${days} working day${days === 1 ? '' : 's'}`,
      decided: f?.decided ?? 0,
      medianHours: f?.medianHours ?? null,
      p95Hours: f?.p95Hours ?? null,
      withinTarget: f?.withinTarget ?? null,
    };
  });
}

export interface WorkloadRow {
  readonly key: string;
  readonly label: string;
  readonly decided: number;
  readonly signedOff: number;
}

/** Busiest first, then by name, so the chart reads top down. */
export function workloadRows(m: Metrics): WorkloadRow[] {
  return m.workload
    .map((w) => ({ key: w.reviewer.id, label: w.reviewer.name, decided: w.decided, signedOff: w.signedOff }))
    .sort((a, b) => b.decided + b.signedOff - (a.decided + a.signedOff) || a.label.localeCompare(b.label));
}
