import type { FastifyInstance } from 'fastify';
import { ChangesQuery, type ChangesPage } from '../../shared/contract';
import type { ServiceContext } from '../context';
import { badRequest } from '../http/http-error';
import { requireUser } from '../http/require-user';
import { viewOfChange } from '../domain/referrer-view';

/**
 * The cursor is opaque to clients; it is the last sequence number delivered. That is safe on
 * both backends because write transactions are serialised (see `service/repo/repository.ts`),
 * so `seq` follows commit order and no change can commit later with a lower one.
 */
export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  if (!/^\d{1,15}$/.test(cursor)) throw badRequest('invalid_cursor', 'The cursor is not one this service issued');
  return Number(cursor);
}

export function changesRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/changes', async (req): Promise<ChangesPage> => {
    const user = await requireUser(ctx, req);
    const query = ChangesQuery.parse(req.query);
    const after = decodeCursor(query.after);
    const rows = await ctx.repo.read((tx) => tx.listChanges(after, query.limit + 1, { userId: user.id, role: user.role }));
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      changes: page.map((c) => (c.deleted ? { seq: c.seq, type: c.type, id: c.id, version: c.version, deleted: true, data: null } : { seq: c.seq, type: c.type, id: c.id, version: c.version, data: viewOfChange(c.type, c.data, user.role) })) as ChangesPage['changes'],
      cursor: String(last ? last.seq : after),
      hasMore: rows.length > query.limit,
    };
  });
}
