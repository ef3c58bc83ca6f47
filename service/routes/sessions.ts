import type { FastifyInstance } from 'fastify';
import { SignInRequest } from '../../shared/contract';
import { SignInThrottled } from '../auth/session-service';
import type { ServiceContext } from '../context';
import { requireUser } from '../http/require-user';

export function sessionRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post('/sessions', async (req, reply) => {
    const body = SignInRequest.parse(req.body);
    try {
      // `req.ip` is the socket's peer (`trustProxy` is off): behind a reverse proxy every
      // client shares the proxy's address, and the per-address limit applies to them all.
      const session = await ctx.sessions.signIn(body.username, body.password, req.ip);
      return reply.status(201).send(session);
    } catch (err) {
      // The error handler writes the body; the header must be on the reply first.
      if (err instanceof SignInThrottled) reply.header('retry-after', String(err.retryAfterSeconds));
      throw err;
    }
  });

  app.delete('/sessions/current', async (req, reply) => {
    const user = await requireUser(ctx, req);
    await ctx.sessions.signOut(user);
    return reply.status(204).send();
  });
}
