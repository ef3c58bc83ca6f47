import type { FastifyRequest } from 'fastify';
import type { Role } from '../../shared/contract';
import type { AuthUser } from '../auth/session-service';
import type { ServiceContext } from '../context';
import { forbidden } from './http-error';

export const CLINICIANS: readonly Role[] = ['consultant', 'registrar'];

/** The caller's identity and role come from the token alone, never from the request body. */
export async function requireUser(ctx: ServiceContext, req: FastifyRequest, roles?: readonly Role[]): Promise<AuthUser> {
  const user = await ctx.sessions.authenticate(req.headers.authorization);
  if (roles && !roles.includes(user.role)) throw forbidden();
  return user;
}
