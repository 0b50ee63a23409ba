/**
 * The API contract: one definition per endpoint, used by the server to validate requests, by
 * the typed client and by the OpenAPI generator.
 *
 * Conventions
 * - Route objects are grouped per area in plain exported objects (`authRoutes`, …) and listed
 *   once, explicitly, in `allRoutes` (routes/index.ts). No registration by import side effect.
 * - Schemas describe the wire: dates are ISO 8601 strings, ids are strings.
 * - `response` is the schema of `data` inside `{success: true, data}`.
 * - `rawBody` marks a route whose request body is a byte stream (no JSON parsing); `rawResponse`
 *   a route that replies with bytes/text instead of the JSON envelope.
 * - `tsv` lets a listing endpoint also answer `text/tab-separated-values` (via `Accept` or
 *   `?format=tsv`): the rows are `data[tsv.rows]`, one line each, `tsv.columns` in order.
 * - `example` is a well-formed request used by the authorization-matrix test (and as docs), so
 *   every route joins that test automatically. Path params in the example may use the
 *   placeholders `{ownDeviceId}` / `{otherDeviceId}` the test fills in.
 */
import type { z } from 'zod';
import type { ErrorCode } from './errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call a route:
 * - `none`: anyone (rate limits may apply);
 * - `user`: a user JWT (Authorization: Bearer <jwt> or the `retrosync_token` cookie);
 * - `device`: a device API key (X-API-Key: <64 hex> or Authorization: Bearer <64 hex>);
 * - `user_or_device`: either.
 */
export type AuthMode = 'none' | 'user' | 'device' | 'user_or_device';

export interface RouteExample {
  body?: unknown;
  query?: Record<string, string>;
  params?: Record<string, string>;
  headers?: Record<string, string>;
}

export interface RouteDef<
  B extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  P extends z.ZodType | undefined = z.ZodType | undefined,
  R extends z.ZodType = z.ZodType,
  A extends AuthMode = AuthMode,
> {
  /** Stable identifier, camelCase, unique (`auth.login`). Used as the OpenAPI operationId. */
  id: string;
  method: HttpMethod;
  /** Fastify-style path: `/api/devices/:deviceId`. */
  path: string;
  auth: A;
  summary: string;
  description?: string;
  tags?: string[];
  body?: B;
  query?: Q;
  params?: P;
  response: R;
  /** Status of a success reply (default 200). */
  successStatus?: number;
  /** Request body is a raw byte stream of this content type (no JSON parsing). */
  rawBody?: { contentType: string; description?: string };
  /** Reply is raw bytes/text of this content type, not the JSON envelope. */
  rawResponse?: { contentType: string; description?: string };
  /** The listing is also served as TSV: rows from `data[rows]`, these columns in order. */
  tsv?: { rows: string; columns: readonly string[] };
  /** Error codes this route may answer besides the generic ones (docs only). */
  errors?: readonly ErrorCode[];
  example?: RouteExample;
}

export type AnyRoute = RouteDef<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined, z.ZodType, AuthMode>;

/** Identity function that keeps the literal types of a route definition. */
export function defineRoute<
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  P extends z.ZodType | undefined = undefined,
  R extends z.ZodType = z.ZodType,
  const A extends AuthMode = AuthMode,
>(def: RouteDef<B, Q, P, R, A>): RouteDef<B, Q, P, R, A> {
  return def;
}

type InputOf<S> = S extends z.ZodType ? z.input<S> : undefined;
type OutputOf<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a client sends (before defaults are applied). */
export type RouteBodyInput<Rt> = Rt extends RouteDef<infer B, any, any, any, any> ? InputOf<B> : never;
export type RouteQueryInput<Rt> = Rt extends RouteDef<any, infer Q, any, any, any> ? InputOf<Q> : never;
export type RouteParamsInput<Rt> = Rt extends RouteDef<any, any, infer P, any, any> ? InputOf<P> : never;
/** What a server handler receives (after validation and defaults). */
export type RouteBody<Rt> = Rt extends RouteDef<infer B, any, any, any, any> ? OutputOf<B> : never;
export type RouteQuery<Rt> = Rt extends RouteDef<any, infer Q, any, any, any> ? OutputOf<Q> : never;
export type RouteParams<Rt> = Rt extends RouteDef<any, any, infer P, any, any> ? OutputOf<P> : never;
/** The `data` of a success reply. */
export type RouteData<Rt> = Rt extends RouteDef<any, any, any, infer R, any> ? z.output<R> : never;
/** What a server handler may return before serialisation. */
export type RouteDataInput<Rt> = Rt extends RouteDef<any, any, any, infer R, any> ? z.input<R> : never;

/** Fills `:name` segments of a path from params, percent-encoding each value. */
export function buildPath(path: string, params: Record<string, string | number> | undefined): string {
  return path.replace(/:([A-Za-z0-9_]+)(\*)?/g, (_m, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`missing path parameter "${name}" for ${path}`);
    return encodeURIComponent(String(value));
  }).replace(/\*$/, () => {
    const rest = params?.['*'];
    if (rest === undefined) throw new Error(`missing wildcard parameter for ${path}`);
    return String(rest).split('/').map(encodeURIComponent).join('/');
  });
}
