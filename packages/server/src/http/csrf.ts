/**
 * CSRF protection for the dashboard's cookie session.
 *
 * A browser attaches the session cookie to any request to this origin, including a form or
 * fetch launched by another site. Such a cross-site request can not carry a custom header
 * without a CORS preflight, which the server refuses for foreign origins. So every
 * state-changing request that is authenticated by the cookie must carry
 * `X-Requested-With: retrosync` (the dashboard's API client always sends it), and when the
 * browser names an `Origin`, it must be this server's own.
 *
 * Requests that carry `Authorization` (a user's Bearer JWT or a device's API key) are
 * not affected: a browser never adds those on its own, so they can not be forged cross-site.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '@retrosync/api';

export const CSRF_HEADER = 'x-requested-with';
export const CSRF_HEADER_VALUE = 'retrosync';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface CsrfOptions {
  /** Name of the session cookie set at login. */
  cookieName: string;
  /** Extra request headers that prove the request is not from a browser session (e.g. `x-api-key`). */
  credentialHeaders?: readonly string[];
  /** Origins besides the server's own that may send cookie requests (the CORS allow-list). */
  trustedOrigins?: readonly string[];
  /** Behind a trusted proxy (TRUST_PROXY): the public host is in X-Forwarded-Host. Otherwise that header is anyone's to forge. */
  trustProxy?: boolean;
}

export function hasCookie(header: string | undefined, name: string): boolean {
  if (!header) return false;
  return header.split(';').some((part) => {
    const eq = part.indexOf('=');
    return eq > 0 && part.slice(0, eq).trim() === name && part.slice(eq + 1).trim() !== '';
  });
}

function sameOrigin(request: FastifyRequest, origin: string, options: CsrfOptions): boolean {
  if ((options.trustedOrigins ?? []).includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const raw = (options.trustProxy ? request.headers['x-forwarded-host'] : undefined) ?? request.headers.host;
  const host = typeof raw === 'string' ? raw.split(',')[0]?.trim() : undefined;
  if (!host) return false;
  try {
    // Normalise through URL so `localhost:80` and `http://localhost` compare equal.
    return url.host === new URL(`${url.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

/** Returns the reason a request is refused, or null when it may proceed. Pure, for tests. */
export function csrfRefusal(request: FastifyRequest, options: CsrfOptions): string | null {
  if (SAFE_METHODS.has(request.method)) return null;
  if (request.headers.authorization) return null;
  if ((options.credentialHeaders ?? []).some((name) => request.headers[name.toLowerCase()])) return null;
  if (!hasCookie(request.headers.cookie, options.cookieName)) return null;
  const marker = request.headers[CSRF_HEADER];
  if (typeof marker !== 'string' || marker.toLowerCase() !== CSRF_HEADER_VALUE) {
    return `Cross-site request refused: requests signed in with the session cookie must send the header X-Requested-With: ${CSRF_HEADER_VALUE}.`;
  }
  const origin = request.headers.origin;
  if (typeof origin === 'string' && !sameOrigin(request, origin, options)) {
    return `Cross-site request refused: origin ${origin} may not use this session.`;
  }
  return null;
}

export function registerCsrf(app: FastifyInstance, options: CsrfOptions): void {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const reason = csrfRefusal(request, options);
    if (reason === null) return;
    const error = new ApiError('forbidden', reason, { csrf: true });
    request.log.warn({ method: request.method, url: request.url }, 'csrf: refused a cookie request without the dashboard header');
    return reply.code(error.status).send(error.toEnvelope());
  });
}
