import type { FastifyError, FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError } from './http-error';

interface Mapped {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

// Fastify's own codes for client mistakes, mapped to the contract's statuses and codes.
const FASTIFY_CODES: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'malformed_request' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'malformed_json' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'malformed_json' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_FILES_LIMIT: { status: 413, code: 'too_many_images' },
  FST_PARTS_LIMIT: { status: 413, code: 'too_many_parts' },
  FST_FIELDS_LIMIT: { status: 413, code: 'too_many_fields' },
  FST_REQ_FILE_TOO_LARGE: { status: 413, code: 'image_too_large' },
  FST_PROTO_VIOLATION: { status: 400, code: 'malformed_request' },
};

export function mapError(err: unknown): Mapped {
  if (err instanceof HttpError) return { status: err.status, code: err.code, message: err.message, details: err.details };
  if (err instanceof z.ZodError) {
    return {
      status: 400,
      code: 'invalid_request',
      message: z.prettifyError(err),
      details: { issues: err.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })) },
    };
  }
  const fe = err as Partial<FastifyError> & { name?: string };
  const m = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (m) {
    return { status: m.status, code: m.code, message: fe.message ?? m.code };
  }
  if (fe.name === 'SyntaxError' && fe.statusCode === 400) return { status: 400, code: 'malformed_json', message: 'Body is not valid JSON' };
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, code: 'bad_request', message: fe.message ?? 'Bad request' };
  }
  return { status: 500, code: 'internal_error', message: 'Internal error' };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const m = mapError(err);
    // Log the failure, never the body: requests carry clinical text.
    if (m.status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: m.code, status: m.status }, 'request rejected');
    void reply.status(m.status).send({ error: { code: m.code, message: m.message, ...(m.details ?? {}) } });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: { code: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}` } });
  });
}
