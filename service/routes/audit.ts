import type { FastifyInstance } from 'fastify';
import { AuditQuery, type AuditList, type AuditVerification } from '../../shared/contract';
import type { ServiceContext } from '../context';
import { requireUser } from '../http/require-user';
import { brokenLink, CHAIN_START, type ChainPosition } from '../repo/audit-hash';
import type { Repository } from '../repo/repository';

/** Events read per page while verifying, so memory stays flat however long the chain is. */
export const VERIFY_PAGE = 1000;

export interface ChainCheck {
  result: AuditVerification;
  /** The last event found intact: where the walk ended on an intact chain. */
  head: ChainPosition;
}

/**
 * Walks the whole audit chain from its first event, a page per read, and reports the first
 * broken link (an edited row, a deleted row's gap, a row that does not follow its predecessor).
 *
 * Concurrent appends cannot make an intact chain look broken: events are only ever added at
 * the tail, each linked to the head it saw, inside a write transaction serialised across
 * instances. Each page is one consistent read, so the walk checks a prefix of the chain as it
 * stood when each page was read; events committed meanwhile are checked if the walk reaches
 * them and otherwise left for the next run. Pages are separate reads rather than one long
 * transaction so that verifying a large chain never holds up the service's writers.
 *
 * What a hash chain alone cannot detect: deleting the newest events (truncation at the tail)
 * leaves a shorter chain that is intact, and someone with write access who rewrites an event
 * *and recomputes every hash after it* leaves a consistent chain too. Both need the head
 * (seq + hash) anchored somewhere the database's writers cannot reach (a signed copy, a
 * write-once store, an external timestamping service); that is not built. `events` in the
 * result lets an operator compare against a count recorded earlier.
 */
export async function verifyChain(repo: Repository, pageSize = VERIFY_PAGE): Promise<ChainCheck> {
  let prev = CHAIN_START;
  let events = 0;
  for (;;) {
    const page = await repo.read((tx) => tx.auditPage(prev.seq, pageSize));
    for (const event of page) {
      const reason = brokenLink(prev, event);
      if (reason) {
        // A gap is broken at the first missing seq; anything else at the event itself.
        const brokenAt = event.seq === prev.seq + 1 ? event.seq : prev.seq + 1;
        return { result: { ok: false, brokenAt, reason }, head: prev };
      }
      prev = { seq: event.seq, hash: event.hash };
      events++;
    }
    if (page.length < pageSize) return { result: { ok: true, events }, head: prev };
  }
}

export function auditRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/audit', async (req): Promise<AuditList> => {
    const user = await requireUser(ctx, req, ['consultant', 'admin']);
    const { entityId } = AuditQuery.parse(req.query);
    return ctx.repo.transaction(async (tx) => {
      // Read first, then record the read: the answer lists what existed before this request.
      const events = await tx.auditForEntity(entityId);
      await tx.appendAudit({ actorId: user.id, action: 'audit.read', entityId, detail: { events: events.length } }, ctx.now().toISOString());
      return { events };
    });
  });

  app.get('/audit/verify', async (req): Promise<AuditVerification> => {
    const user = await requireUser(ctx, req, ['admin']);
    const { result, head } = await verifyChain(ctx.repo);
    // Recorded only after the walk, so the event is never part of the chain it vouches for.
    const detail: Record<string, string | number | boolean> = result.ok
      ? { ok: true, events: result.events, headSeq: head.seq, headHash: head.hash }
      : { ok: false, brokenAt: result.brokenAt };
    await ctx.repo.transaction((tx) => tx.appendAudit({ actorId: user.id, action: 'audit.verify', detail }, ctx.now().toISOString()));
    return result;
  });
}
