/**
 * A small typed fetch client over the contract, for the dashboard and the desktop client.
 *
 *   const api = createApiClient({ baseUrl, apiKey });
 *   const { devices } = await api.call(deviceRoutes.list, {});
 *
 * Resolves with the typed `data` of the success envelope, or throws {@link ApiError} with the
 * server's code, status and details. Network failures reject with the fetch error unchanged.
 */
import {
  buildPath,
  type AnyRoute,
  type RouteBodyInput,
  type RouteData,
  type RouteParamsInput,
  type RouteQueryInput,
} from './contract.js';
import { ApiError, isErrorCode, type ErrorDetails } from './errors.js';

export interface ApiClientOptions {
  baseUrl: string;
  /** User JWT, sent as `Authorization: Bearer`. */
  token?: string;
  /** Device API key, sent as `X-API-Key`. */
  apiKey?: string;
  fetch?: typeof fetch;
  /** Extra headers on every request (e.g. `X-Client-Time` is added per call by the caller). */
  headers?: Record<string, string>;
  /** Send cookies (dashboard on the same origin). Default `same-origin`. */
  credentials?: 'include' | 'same-origin' | 'omit';
}

type Drop<T, K extends string> = T extends undefined ? { [P in K]?: undefined } : { [P in K]: T };

export type CallInput<Rt extends AnyRoute> = Drop<RouteBodyInput<Rt>, 'body'> &
  Drop<RouteQueryInput<Rt>, 'query'> &
  Drop<RouteParamsInput<Rt>, 'params'> & { headers?: Record<string, string>; signal?: AbortSignal };

export interface ApiClient {
  call<Rt extends AnyRoute>(route: Rt, input: CallInput<Rt>): Promise<RouteData<Rt>>;
  /** A copy with a different credential (e.g. after login). */
  with(options: Partial<ApiClientOptions>): ApiClient;
}

function queryString(query: unknown): string {
  if (!query || typeof query !== 'object') return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query as Record<string, unknown>)) {
    if (v !== undefined && v !== null) params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    with(more) {
      return createApiClient({ ...options, ...more });
    },
    async call(route, input) {
      const { body, query, params, headers: extra, signal } = input as {
        body?: unknown;
        query?: unknown;
        params?: Record<string, string>;
        headers?: Record<string, string>;
        signal?: AbortSignal;
      };
      const headers: Record<string, string> = { accept: 'application/json', ...options.headers, ...extra };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (options.apiKey) headers['x-api-key'] = options.apiKey;
      let payload: RequestInit['body'];
      if (body !== undefined) {
        if (route.rawBody) payload = body as RequestInit['body'];
        else {
          headers['content-type'] = 'application/json';
          payload = JSON.stringify(body);
        }
      }
      const url = `${base}${buildPath(route.path, params)}${queryString(query)}`;
      const init: RequestInit = { method: route.method, headers, credentials: options.credentials ?? 'same-origin' };
      if (payload !== undefined) init.body = payload;
      if (signal) init.signal = signal;
      const res = await doFetch(url, init);
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      if (route.rawResponse && res.ok) return (json ?? text) as RouteData<typeof route>;
      const env = json as { success?: boolean; data?: unknown; error?: string; code?: string; details?: ErrorDetails } | undefined;
      if (res.ok && env?.success === true) return env.data as RouteData<typeof route>;
      const code = isErrorCode(env?.code) ? env.code : res.status >= 500 ? 'internal_error' : 'validation_failed';
      const err = new ApiError(code, env?.error ?? `HTTP ${res.status} from ${route.method} ${route.path}`, env?.details);
      // Keep the real status even when the server sent a code this client does not know yet.
      Object.defineProperty(err, 'status', { value: res.status });
      throw err;
    },
  };
}
