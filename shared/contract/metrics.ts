import { z } from 'zod';
import { IsoDate, Pathway, UserRef } from './common';
import { Decision } from './outcome';

/**
 * `GET /metrics?from=<date>&to=<date>`: the service's figures for a period of whole days
 * (UTC), `from` inclusive and `to` inclusive. Counts of referrals use when they were received;
 * counts of decisions use when the decision became final (submitted by a consultant, or signed
 * off). A share is null when nothing was counted under it.
 */
export const MetricsQuery = z
  .strictObject({ from: IsoDate, to: IsoDate })
  .refine((q) => q.from <= q.to, { message: '`from` must not be after `to`', path: ['from'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 366 * 2 * 86_400_000, {
    message: 'a period is at most two years',
    path: ['to'],
  });
export type MetricsQuery = z.infer<typeof MetricsQuery>;

const Share = z.number().min(0).max(1).nullable();
const Count = z.number().int().nonnegative();

export const Metrics = z.object({
  period: z.object({ from: IsoDate, to: IsoDate }),
  /** Requests received in the period. */
  received: z.object({ total: Count, byPathway: z.record(Pathway, Count) }),
  /** Final decisions made in the period, by decision. */
  decisions: z.object({ total: Count, byDecision: z.record(Decision, Count) }),
  /** Decisions that kept the patient out of a hospital appointment (advice or discharge). */
  withoutAppointment: z.object({ count: Count, share: Share }),
  /** USC referrals decided in the period that were discharged after virtual triage. */
  uscDischarge: z.object({ decided: Count, discharged: Count, share: Share }),
  /** Time from receipt to final decision, in hours, and the share decided by the target. */
  responseTime: z.object({
    decided: Count,
    medianHours: z.number().nonnegative().nullable(),
    p95Hours: z.number().nonnegative().nullable(),
    withinTarget: Share,
    byPathway: z.record(
      Pathway,
      z.object({ decided: Count, medianHours: z.number().nonnegative().nullable(), p95Hours: z.number().nonnegative().nullable(), withinTarget: Share }),
    ),
  }),
  /** Referrals received in the period for which better images were requested. */
  imageRejection: z.object({ referrals: Count, rejected: Count, share: Share }),
  /** Final decisions per reviewer: outcomes they wrote that became final, and sign-offs. */
  workload: z.array(z.object({ reviewer: UserRef, decided: Count, signedOff: Count })),
});
export type Metrics = z.infer<typeof Metrics>;
