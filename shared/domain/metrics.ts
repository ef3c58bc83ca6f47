import { Pathway, type UserRef } from '../contract/common';
import type { Metrics, MetricsQuery } from '../contract/metrics';
import { Decision, type Outcome, type RequestReason } from '../contract/outcome';
import type { Referral } from '../contract/referral';

/**
 * The service's figures for a period (`GET /metrics`), computed from stored referrals and
 * outcomes. Pure: the repository reads the rows, this decides what they mean.
 *
 * Definitions, beyond the contract's doc comments:
 * - The period is whole UTC days, `from` 00:00 inclusive to the day after `to` 00:00
 *   exclusive.
 * - An outcome *became final* when a consultant submitted it or signed it off (`finalAt`);
 *   one later superseded by an amendment was still final then.
 * - A referral is *decided in the period* when its first final outcome became final in the
 *   period: that is when the GP had an answer, so response time runs from receipt to then,
 *   and it is within target when that is no later than the referral's `dueAt`. An amendment
 *   does not decide a referral a second time.
 * - The decision counted for it is the one standing at the end of the period (the latest
 *   outcome final before then), so a report on a past period does not change when a decision
 *   is amended afterwards.
 * - Workload counts every outcome that became final in the period, amendments included: its
 *   author decided it, and the consultant who signed it off (if any) signed it off.
 * - Better images were requested for a referral when a request for information asked for
 *   images (kind `better-images`, or an image reason) or a final outcome decided
 *   `request-info` with an image reason.
 * - Percentiles interpolate linearly between the nearest ranks (as spreadsheets'
 *   PERCENTILE.INC): the median of an even count is the mean of the middle two.
 */

export interface MetricsInput {
  period: MetricsQuery;
  /** Referrals received in the period. */
  received: readonly Referral[];
  /** Referrals with an outcome that became final in the period. */
  decided: readonly Referral[];
  /** Every outcome that has become final (or been superseded) of the referrals above. */
  outcomes: readonly Outcome[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Decisions that keep the patient out of a hospital appointment. */
const WITHOUT_APPOINTMENT: ReadonlySet<Decision> = new Set<Decision>(['advice', 'discharge']);

/** Reasons that are about the images, not the history. */
export const IMAGE_REASONS: ReadonlySet<RequestReason> = new Set<RequestReason>(['blurred', 'poor-lighting', 'no-scale', 'no-dermoscopy', 'lesion-not-identifiable']);

/** The period as half-open instants: [start, end). */
export function periodBounds(period: MetricsQuery): { start: string; end: string } {
  const start = Date.parse(`${period.from}T00:00:00.000Z`);
  const end = Date.parse(`${period.to}T00:00:00.000Z`) + DAY;
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

/** When an outcome became final: its sign-off, or a consultant's submission; null if never. */
export function finalAt(outcome: Pick<Outcome, 'status' | 'signedOff' | 'submittedAt'>): string | null {
  if (outcome.status !== 'final' && outcome.status !== 'superseded') return null;
  return outcome.signedOff?.at ?? outcome.submittedAt;
}

/** Linear interpolation between closest ranks of sorted values; null when there are none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = (sorted.length - 1) * p;
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (rank - lo);
}

const share = (count: number, of: number): number | null => (of === 0 ? null : count / of);

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

interface Decided {
  referral: Referral;
  decision: Decision;
  hours: number;
  withinTarget: boolean;
}

function responseFigures(items: readonly Decided[]) {
  const hours = items.map((d) => d.hours).sort((a, b) => a - b);
  return {
    decided: items.length,
    medianHours: percentile(hours, 0.5),
    p95Hours: percentile(hours, 0.95),
    withinTarget: share(items.filter((d) => d.withinTarget).length, items.length),
  };
}

function imagesRequested(referral: Referral, outcomes: readonly Outcome[]): boolean {
  const asked = referral.infoRequests.some((r) => r.kind === 'better-images' || (r.reasons ?? []).some((x) => IMAGE_REASONS.has(x)));
  return asked || outcomes.some((o) => o.decision === 'request-info' && (o.requestReasons ?? []).some((x) => IMAGE_REASONS.has(x)));
}

export function computeMetrics(input: MetricsInput): Metrics {
  const { start, end } = periodBounds(input.period);
  const startMs = Date.parse(start);
  const endMs = Date.parse(end);
  const inPeriod = (iso: string | null): iso is string => iso !== null && Date.parse(iso) >= startMs && Date.parse(iso) < endMs;

  const finalsByReferral = new Map<string, { outcome: Outcome; at: number }[]>();
  const seen = new Set<string>();
  for (const outcome of input.outcomes) {
    const at = finalAt(outcome);
    if (at === null || seen.has(outcome.id)) continue;
    seen.add(outcome.id);
    const list = finalsByReferral.get(outcome.referralId) ?? [];
    list.push({ outcome, at: Date.parse(at) });
    finalsByReferral.set(outcome.referralId, list);
  }
  for (const list of finalsByReferral.values()) list.sort((a, b) => a.at - b.at);

  // Received
  const receivedRefs = uniqueById(input.received).filter((r) => inPeriod(r.receivedAt));
  const byPathway = zeroes(Pathway.options);
  for (const r of receivedRefs) byPathway[r.pathway]++;

  // Decided
  const decided: Decided[] = [];
  for (const referral of uniqueById(input.decided)) {
    const finals = finalsByReferral.get(referral.id) ?? [];
    const first = finals[0];
    if (!first || first.at < startMs || first.at >= endMs) continue;
    const standing = finals.filter((f) => f.at < endMs).at(-1) ?? first;
    decided.push({
      referral,
      decision: standing.outcome.decision,
      hours: Math.max(0, first.at - Date.parse(referral.receivedAt)) / HOUR,
      withinTarget: first.at <= Date.parse(referral.dueAt),
    });
  }
  const byDecision = zeroes(Decision.options);
  for (const d of decided) byDecision[d.decision]++;
  const withoutAppointment = decided.filter((d) => WITHOUT_APPOINTMENT.has(d.decision)).length;
  const usc = decided.filter((d) => d.referral.pathway === 'usc');
  const uscDischarged = usc.filter((d) => d.decision === 'discharge').length;

  const responseByPathway = Object.fromEntries(
    Pathway.options.map((p) => [p, responseFigures(decided.filter((d) => d.referral.pathway === p))]),
  ) as Metrics['responseTime']['byPathway'];

  // Image rejection
  const rejected = receivedRefs.filter((r) => imagesRequested(r, (finalsByReferral.get(r.id) ?? []).map((f) => f.outcome))).length;

  // Workload
  const workload = new Map<string, { reviewer: UserRef; decided: number; signedOff: number }>();
  const entry = (who: UserRef) => {
    const found = workload.get(who.id);
    if (found) return found;
    const fresh = { reviewer: { id: who.id, name: who.name, role: who.role }, decided: 0, signedOff: 0 };
    workload.set(who.id, fresh);
    return fresh;
  };
  for (const list of finalsByReferral.values()) {
    for (const { outcome, at } of list) {
      if (at < startMs || at >= endMs) continue;
      entry(outcome.author).decided++;
      if (outcome.signedOff) entry(outcome.signedOff.by).signedOff++;
    }
  }

  return {
    period: { from: input.period.from, to: input.period.to },
    received: { total: receivedRefs.length, byPathway },
    decisions: { total: decided.length, byDecision },
    withoutAppointment: { count: withoutAppointment, share: share(withoutAppointment, decided.length) },
    uscDischarge: { decided: usc.length, discharged: uscDischarged, share: share(uscDischarged, usc.length) },
    responseTime: { ...responseFigures(decided), byPathway: responseByPathway },
    imageRejection: { referrals: receivedRefs.length, rejected, share: share(rejected, receivedRefs.length) },
    workload: [...workload.values()].sort(
      (a, b) => b.decided + b.signedOff - (a.decided + a.signedOff) || a.reviewer.name.localeCompare(b.reviewer.name) || a.reviewer.id.localeCompare(b.reviewer.id),
    ),
  };
}

function uniqueById(referrals: readonly Referral[]): Referral[] {
  return [...new Map(referrals.map((r) => [r.id, r])).values()];
}
