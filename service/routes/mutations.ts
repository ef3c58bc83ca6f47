import type { FastifyInstance } from 'fastify';
import { MutationBatch, type MutationResults } from '../../shared/contract';
import type { ServiceContext } from '../context';
import { applyMutation } from '../domain/apply-mutation';
import { CLINICIANS, requireUser } from '../http/require-user';

export function mutationRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post('/mutations', async (req): Promise<MutationResults> => {
    const user = await requireUser(ctx, req, CLINICIANS);
    const batch = MutationBatch.parse(req.body);
    const results: MutationResults['results'] = [];
    // A batch is not a transaction: each mutation commits (or not) on its own.
    for (const m of batch.mutations) {
      results.push(await ctx.repo.transaction((tx) => applyMutation(tx, user, m, ctx.now())));
    }
    return { results };
  });
}
