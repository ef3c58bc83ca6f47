import { existsSync } from 'node:fs';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import { API_BASE } from '../shared/contract';
import type { ServiceContext } from './context';
import { clientErrorHandler, frameworkErrors, installErrorHandling } from './http/error-handler';
import { auditRoutes } from './routes/audit';
import { changesRoutes } from './routes/changes';
import { healthRoutes } from './routes/health';
import { imageRoutes } from './routes/images';
import { metricsRoutes } from './routes/metrics';
import { mutationRoutes } from './routes/mutations';
import { referralRoutes } from './routes/referrals';
import { sessionRoutes } from './routes/sessions';

/** The web workstation's policy when the service hosts it (the desktop app sets its own). */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  // Workers from this origin only: the offline app shell (sw.js).
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

export interface ServerOptions {
  logger?: boolean;
}

export async function buildServer(ctx: ServiceContext, opts: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ? { level: 'info', redact: ['req.headers.authorization'] } : false,
    // Per-request lines would log ids of every tile; failures are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 8 * 1024 * 1024,
    trustProxy: false,
    // Router errors (undecodable URL, over-long parameter) and requests Node's HTTP parser
    // refuses (oversized headers, bad framing) get the contract's error body too.
    frameworkErrors,
    clientErrorHandler,
  });
  installErrorHandling(app);

  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  await app.register(cors, { origin: ctx.config.allowedOrigins, methods: ['GET', 'POST', 'DELETE'], maxAge: 600 });

  await app.register(
    async (api) => {
      // The API takes JSON and multipart only: a text/plain body is a wrong media type (415).
      api.removeContentTypeParser('text/plain');
      await api.register(multipart, {
        limits: {
          fileSize: ctx.config.limits.imageBytes,
          files: ctx.config.limits.imagesPerReferral,
          fields: 4,
          fieldSize: 1024 * 1024,
          parts: ctx.config.limits.imagesPerReferral + 4,
          headerPairs: 100,
        },
      });
      healthRoutes(api, ctx);
      sessionRoutes(api, ctx);
      changesRoutes(api, ctx);
      mutationRoutes(api, ctx);
      referralRoutes(api, ctx);
      imageRoutes(api, ctx);
      auditRoutes(api, ctx);
      metricsRoutes(api, ctx);
    },
    { prefix: API_BASE },
  );

  const webRoot = ctx.config.webRoot;
  if (webRoot && existsSync(webRoot)) {
    await app.register(fastifyStatic, {
      root: webRoot,
      prefix: '/',
      index: 'index.html',
      // no-cache on everything, sw.js included: the browser must revalidate the worker on
      // every update check, or a clinician could keep an old build's shell for a day.
      setHeaders: (res) => {
        res.header('content-security-policy', WEB_CSP);
        res.header('cache-control', 'no-cache');
      },
    });
  }
  return app;
}
