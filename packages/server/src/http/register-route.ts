/**
 * `registerRoute(app, route, handler)` — how every endpoint is added.
 *
 *   registerRoute(app, deviceRoutes.list, async ({ auth, query }) => {
 *     return { devices: await devices.list(auth.userId), count };     // → {success:true, data}
 *   });
 *
 * What it does for you, from the contract (`@retrosync/api`):
 * - validates params, query and body with the route's zod schemas (400 `validation_failed`,
 *   `details.fields = [{in, field, message}]`); the handler gets the parsed (defaulted) values;
 * - authenticates per `route.auth` (http/auth.ts) and hands the typed `auth` to the handler;
 * - wraps the returned value as `{success: true, data}` with `route.successStatus` (default 200);
 *   return `ok(data, {message})` to add a message;
 * - answers TSV instead when the route declares `tsv` and the client asks (`?format=tsv` or Accept);
 * - in tests (`validateResponses`), checks the reply against `route.response`.
 *
 * Escape hatches for the sync routes:
 * - Raw request body: declare `rawBody` in the contract and send `Content-Type:
 *   application/octet-stream`; `ctx.rawBody` is the request stream, unparsed and NOT size-limited
 *   by Fastify (enforce your own limit while reading). JSON sent to such a route → 415.
 * - Raw/streamed reply: call `reply.send(stream|buffer)` (set headers first) and return `SENT`;
 *   nothing is wrapped.
 * - Per-route options (`config`, `bodyLimit`, hooks) pass through as Fastify route options.
 */
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { z } from 'zod';
import { ApiError, type AnyRoute, type FieldIssue, type RouteBody, type RouteDataInput, type RouteParams, type RouteQuery } from '@retrosync/api';
import type { AuthFor, Authenticator } from './auth.js';
import { validationError, zodIssues } from './errors.js';
import { toTsv, wantsTsv } from './tsv.js';

export interface RouteContext<Rt extends AnyRoute> {
  req: FastifyRequest;
  reply: FastifyReply;
  auth: AuthFor<Rt['auth']>;
  body: RouteBody<Rt>;
  query: RouteQuery<Rt>;
  params: RouteParams<Rt>;
  /** The request stream, for routes declaring `rawBody`. */
  rawBody: Readable | undefined;
  /** Client address (honours TRUST_PROXY). */
  ip: string;
}

const OK = Symbol('ok');
export interface Ok<T> {
  [OK]: true;
  data: T;
  message?: string;
  status?: number;
}
/** Success with a message and/or a different status. */
export function ok<T>(data: T, options: { message?: string; status?: number } = {}): Ok<T> {
  return { [OK]: true, data, ...options };
}
/**
 * Return this after sending the reply yourself (`reply.send(stream); return SENT;`). Never
 * return the reply: it is a thenable, so the handler would wait for the whole transfer and a
 * client going away mid-download would surface as an "unhandled error".
 */
export const SENT: unique symbol = Symbol('sent');

function isOk(v: unknown): v is Ok<unknown> {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[OK] === true;
}

export type RouteHandler<Rt extends AnyRoute> = (
  ctx: RouteContext<Rt>,
) => Promise<RouteDataInput<Rt> | Ok<RouteDataInput<Rt>> | FastifyReply | typeof SENT>;

/** What registerRoute needs from the app (decorated onto the instance by buildApp). */
export interface RouteEnv {
  authenticator: Authenticator;
  validateResponses: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeEnv: RouteEnv;
  }
}

function parsePart(schema: z.ZodType | undefined, value: unknown, where: FieldIssue['in'], issues: FieldIssue[]): unknown {
  if (!schema) return undefined;
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  issues.push(...zodIssues(r.error, where));
  return undefined;
}

function isStream(v: unknown): v is Readable {
  return typeof v === 'object' && v !== null && typeof (v as Readable).pipe === 'function';
}

export function registerRoute<Rt extends AnyRoute>(
  app: FastifyInstance,
  route: Rt,
  handler: RouteHandler<Rt>,
  options: RouteShorthandOptions = {},
): void {
  const status = route.successStatus ?? 200;
  app.route({
    ...options,
    method: route.method,
    url: route.path,
    handler: async (req, reply) => {
      const env = app.routeEnv;
      const auth = await env.authenticator.authenticate(req, route.auth);

      const issues: FieldIssue[] = [];
      const params = parsePart(route.params, req.params ?? {}, 'params', issues);
      let rawQuery = (req.query ?? {}) as Record<string, unknown>;
      const tsv = route.tsv !== undefined && wantsTsv(req, rawQuery);
      if (route.tsv && 'format' in rawQuery) {
        const { format, ...rest } = rawQuery;
        if (format !== 'tsv' && format !== 'json') issues.push({ in: 'query', field: 'format', message: 'expected "json" or "tsv"' });
        rawQuery = rest;
      }
      const query = parsePart(route.query, rawQuery, 'query', issues);
      let rawBody: Readable | undefined;
      let body: unknown;
      if (route.rawBody) {
        if (!isStream(req.body)) throw new ApiError('unsupported_media_type', `Send the body as ${route.rawBody.contentType}.`);
        rawBody = req.body;
      } else {
        if (isStream(req.body)) throw new ApiError('unsupported_media_type');
        body = parsePart(route.body, req.body, 'body', issues);
      }
      if (issues.length > 0) throw validationError(issues);

      const result = await handler({
        req,
        reply,
        auth: auth as AuthFor<Rt['auth']>,
        body: body as RouteBody<Rt>,
        query: query as RouteQuery<Rt>,
        params: params as RouteParams<Rt>,
        rawBody,
        ip: req.ip,
      });
      if (result === SENT || result === reply || reply.sent) {
        // The handler sent the reply itself (maybe a stream still flowing, maybe with onSend
        // hooks pending). Resolve once it is over, whatever happened: a client that went away
        // mid-download is not a server error. (Returning `reply` would adopt its thenable, which
        // rejects on such errors and logs them; returning early would make Fastify send again.)
        await finished(reply.raw).catch(() => {});
        return undefined;
      }

      const out = isOk(result) ? result : { data: result, message: undefined, status: undefined };
      let data = out.data;
      if (env.validateResponses) {
        const check = route.response.safeParse(data);
        if (!check.success) {
          throw new Error(`response of ${route.id} does not match its contract: ${JSON.stringify(check.error.issues)}`);
        }
        data = check.data as typeof data;
      }
      if (tsv && route.tsv) {
        const rows = (data as Record<string, unknown>)[route.tsv.rows];
        reply.code(out.status ?? status).type('text/tab-separated-values; charset=utf-8');
        return reply.send(toTsv(Array.isArray(rows) ? rows : [], route.tsv.columns));
      }
      const envelope: Record<string, unknown> = { success: true };
      if (out.message) envelope.message = out.message;
      envelope.data = data;
      return reply.code(out.status ?? status).send(envelope);
    },
  });
}
