import type { FastifyInstance } from 'fastify';
import { Metrics, MetricsQuery } from '../../shared/contract';
import { computeMetrics, periodBounds } from '../../shared/domain/metrics';
import type { ServiceContext } from '../context';
import { requireUser } from '../http/require-user';

export function metricsRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  /** The service's figures for a period: consultants and administrators run the service. */
  app.get('/metrics', async (req): Promise<Metrics> => {
    const user = await requireUser(ctx, req, ['consultant', 'admin']);
    // A bad or missing date is a ZodError: 400 with the contract's error body.
    const period = MetricsQuery.parse(req.query);
    const { start, end } = periodBounds(period);
    // One consistent snapshot; a read, so a long period never holds up writers.
    const rows = await ctx.repo.read(async (tx) => ({
      received: await tx.referralsReceivedBetween(start, end),
      decided: await tx.decidedBetween(start, end),
      receivedOutcomes: await tx.finalOutcomesOfReferralsReceivedBetween(start, end),
    }));
    const metrics = Metrics.parse(
      computeMetrics({ period, received: rows.received, decided: rows.decided.referrals, outcomes: [...rows.decided.outcomes, ...rows.receivedOutcomes] }),
    );
    // Who looked at which period: figures only, no patient or clinical detail.
    await ctx.repo.transaction((tx) =>
      tx.appendAudit({ actorId: user.id, action: 'metrics.read', detail: { from: period.from, to: period.to, received: metrics.received.total, decided: metrics.decisions.total } }, ctx.now().toISOString()),
    );
    return metrics;
  });
}
