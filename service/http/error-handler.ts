import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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
  FST_MP_PREMATURE_CLOSE: { status: 400, code: 'malformed_multipart' },
  // Raised by the router before any route runs (see `frameworkErrors` below).
  FST_ERR_BAD_URL: { status: 400, code: 'malformed_url' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'uri_too_long' },
};

/**
 * busboy (under @fastify/multipart) reports a malformed multipart body (no or bad boundary,
 * truncated data) with plain errors that carry no code, so they are known by their messages.
 */
const MALFORMED_MULTIPART =
  /^(Unexpected end of multipart data|.* terminated early due to unexpected end of multipart data|Multipart: Boundary not found|Boundary required|Unsupported Content-Type\.|The needle cannot .*)$/;

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
  if (err instanceof Error && fe.code === undefined && MALFORMED_MULTIPART.test(err.message)) {
    return { status: 400, code: 'malformed_multipart', message: `The multipart body is malformed: ${err.message}` };
  }
  if (fe.name === 'SyntaxError' && fe.statusCode === 400) return { status: 400, code: 'malformed_json', message: 'Body is not valid JSON' };
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, code: 'bad_request', message: fe.message ?? 'Bad request' };
  }
  return { status: 500, code: 'internal_error', message: 'Internal error' };
}

function sendError(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const m = mapError(err);
  // Log the failure, never the body: requests carry clinical text.
  if (m.status >= 500) request.log.error({ err }, 'request failed');
  else request.log.info({ code: m.code, status: m.status }, 'request rejected');
  void reply.status(m.status).send({ error: { code: m.code, message: m.message, ...(m.details ?? {}) } });
}

/**
 * Fastify's `frameworkErrors` option: errors its router raises before any route or error
 * handler runs (an undecodable URL, an over-long path parameter). Without it they are
 * answered with Fastify's own body instead of the contract's. No hook runs for these
 * replies, so the headers every API answer carries are set here.
 */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer').header('cache-control', 'no-store');
  sendError(err, request, reply);
}

/**
 * Fastify's `clientErrorHandler` option: a request Node's HTTP parser refused (headers over the
 * size limit, a malformed request line or Content-Length, a body shorter than declared). There
 * is no request to reply to, so the answer is written to the socket, as Fastify's default does,
 * but with the contract's error body; then the connection is closed.
 */
export function clientErrorHandler(err: ConnectionError, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'request_timeout', 'The request took too long to arrive']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'headers_too_large', 'The request line or headers are too large']
        : [400, 'malformed_request', 'The request is not well-formed HTTP'];
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => sendError(err, request, reply));
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: { code: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}` } });
  });
}
