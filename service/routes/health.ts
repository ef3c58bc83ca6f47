import type { FastifyInstance } from 'fastify';
import type { Health } from '../../shared/contract';
import type { ServiceContext } from '../context';

export function healthRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/health', async (): Promise<Health> => ({ status: 'ok', version: ctx.version, database: ctx.repo.kind }));
}
