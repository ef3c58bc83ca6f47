import type { FastifyInstance } from 'fastify';
import { SignInRequest } from '../../shared/contract';
import type { ServiceContext } from '../context';
import { requireUser } from '../http/require-user';

export function sessionRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post('/sessions', async (req, reply) => {
    const body = SignInRequest.parse(req.body);
    const session = await ctx.sessions.signIn(body.username, body.password);
    return reply.status(201).send(session);
  });

  app.delete('/sessions/current', async (req, reply) => {
    const user = await requireUser(ctx, req);
    await ctx.sessions.signOut(user);
    return reply.status(204).send();
  });
}
