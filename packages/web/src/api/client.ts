import { createApiClient, type AnyRoute, type CallInput, type RouteData } from '@retrosync/api';

/**
 * The dashboard's API client: same origin, authenticated by the HttpOnly session cookie,
 * and marked with `X-Requested-With: retrosync`, which the server requires on every
 * state-changing cookie request (CSRF protection).
 */
export const CSRF_HEADERS = { 'X-Requested-With': 'retrosync' } as const;

export const api = createApiClient({
  baseUrl: '',
  credentials: 'same-origin',
  headers: { ...CSRF_HEADERS },
});

export function call<Rt extends AnyRoute>(route: Rt, input: CallInput<Rt>): Promise<RouteData<Rt>> {
  return api.call(route, input);
}
