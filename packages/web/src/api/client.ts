import { ApiError, createApiClient, type AnyRoute, type CallInput, type RouteData } from '@retrosync/api';

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

type Listener = () => void;
const sessionLost = new Set<Listener>();

/** Called when a signed-in request answers 401: the session expired or was revoked. */
export function onSessionLost(listener: Listener): () => void {
  sessionLost.add(listener);
  return () => sessionLost.delete(listener);
}

/** 401s that mean "what you typed to confirm this is wrong", not "your session is gone". */
const CONFIRMATION_ERRORS: ReadonlySet<string> = new Set(['invalid_credentials', 'invalid_two_factor_code']);

/**
 * Whether a failed call means the session is gone: a 401 on a signed-in route, except a wrong
 * password or two-factor code typed to confirm something, which leaves the session intact.
 */
export function endsSession(route: AnyRoute, error: unknown): boolean {
  return route.auth !== 'none' && error instanceof ApiError && error.status === 401 && !CONFIRMATION_ERRORS.has(error.code);
}

export async function call<Rt extends AnyRoute>(route: Rt, input: CallInput<Rt>): Promise<RouteData<Rt>> {
  try {
    return await api.call(route, input);
  } catch (error) {
    if (endsSession(route, error)) for (const listener of sessionLost) listener();
    throw error;
  }
}
