/**
 * Maps every error to the wire envelope `{success:false, error, code, details?}`:
 * ApiError as thrown; ZodError → 400 validation_failed with field details; Fastify's own errors
 * (bad JSON, body too large, bad media type) → their coded equivalents; anything else → 500
 * internal_error (logged, never echoed). Unknown routes → 404 route_not_found (JSON, not HTML).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import type { Socket } from 'node:net';
import { ApiError, type ErrorCode, type FieldIssue } from '@retrosync/api';
import { InvalidSaveKeyError } from '@retrosync/core';

export function zodIssues(err: ZodError, where: FieldIssue['in']): FieldIssue[] {
  return err.issues.map((i) => ({ in: where, field: i.path.map(String).join('.') || '(root)', message: i.message }));
}

export function validationError(issues: FieldIssue[]): ApiError {
  const names = [...new Set(issues.map((i) => i.field))].join(', ');
  return new ApiError('validation_failed', `Invalid request: check ${names}.`, { fields: issues });
}

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

export function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (err instanceof InvalidSaveKeyError) return new ApiError('invalid_key', `The save key is not valid: ${err.reason}.`, { key: err.key, reason: err.reason });
  if (err instanceof ZodError) return validationError(zodIssues(err, 'body'));
  const fe = err as Partial<FastifyError> & { statusCode?: number };
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ApiError('payload_too_large');
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new ApiError('unsupported_media_type');
  if (fe.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') return new ApiError('validation_failed', 'Content-Length does not match the body.');
  if (err instanceof SyntaxError || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return new ApiError('invalid_json');
  const status = fe.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = BY_STATUS[status] ?? 'validation_failed';
    return new ApiError(code, typeof fe.message === 'string' && fe.message ? fe.message : undefined);
  }
  return undefined;
}

/** Paths whose tail is a percent-encoded save key: a bad escape there is a bad key. */
const KEY_PATHS = ['/api/sync/saves/', '/api/sync/versions/'];

/**
 * Errors Fastify raises before routing (bad percent-encoding in the URL, …), which bypass the
 * error handler: answered in the same envelope (`frameworkErrors` option of the Fastify factory).
 */
export function frameworkErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  let api: ApiError;
  if (err.code === 'FST_ERR_BAD_URL') {
    const path = req.url.split('?')[0] ?? '';
    api = KEY_PATHS.some((p) => path.startsWith(p))
      ? new ApiError('invalid_key', 'The save key in the URL has a bad percent-encoding: encode each segment with encodeURIComponent.')
      : new ApiError('validation_failed', 'The URL has a bad percent-encoding.');
  } else {
    api = toApiError(err) ?? new ApiError('validation_failed', err.message);
  }
  void reply.code(api.status).send(api.toEnvelope());
}

/**
 * Errors Node's HTTP parser raises before a request exists (duplicate or negative
 * Content-Length, Content-Length with Transfer-Encoding, control characters in headers,
 * oversized headers, headers that never finish): answered in the envelope on the raw socket,
 * which is then closed (the `clientErrorHandler` option of the Fastify factory).
 */
export function clientErrorHandler(this: FastifyInstance, err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const api =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new ApiError('request_timeout')
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? new ApiError('header_too_large')
        : new ApiError('validation_failed', `The request is not valid HTTP (${err.code ?? 'parse error'}).`);
  this.log.debug({ code: err.code }, 'client error');
  if (socket.writable) {
    const body = JSON.stringify(api.toEnvelope());
    socket.end(
      `HTTP/1.1 ${api.status} ${api.code}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
        `x-content-type-options: nosniff\r\ncache-control: no-store\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  // end() flushes the reply; a client that never closes its side is cut a moment later.
  setTimeout(() => socket.destroy(), 1000).unref();
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const api = toApiError(err);
    if (!api) {
      req.log.error({ err }, 'unhandled error');
      const internal = new ApiError('internal_error');
      return reply.code(internal.status).send(internal.toEnvelope());
    }
    if (api.status >= 500) req.log.error({ err }, api.message);
    if (api.headers) reply.headers(api.headers);
    return reply.code(api.status).send(api.toEnvelope());
  });
  app.setNotFoundHandler((req, reply) => {
    const err = new ApiError('route_not_found', `No endpoint ${req.method} ${req.url.split('?')[0]}; see /api/openapi.json.`);
    return reply.code(err.status).send(err.toEnvelope());
  });
}
