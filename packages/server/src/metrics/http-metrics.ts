/**
 * Feeds {@link Metrics} from Fastify hooks and serves `GET /metrics` in Prometheus' text format.
 *
 * Exposure (README → Metrics): off unless configured. `METRICS_TOKEN` turns it on behind
 * `Authorization: Bearer <token>` (compared in constant time); `METRICS_OPEN=true` turns it on
 * without a token, for a scraper on a private network. Otherwise `/metrics` answers 404 like any
 * unknown path. Metrics carry no user data: labels are route patterns, methods, statuses,
 * outcomes and storage operations.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '@retrosync/api';
import type { Metrics } from './metrics.js';

export interface MetricsExposure {
  /** Bearer token required to scrape; null = no token (only with `open`). */
  token: string | null;
  /** Serve without a token. */
  open: boolean;
}

const FILES_ROUTE = '/api/sync/files';
const EVENTS_ROUTE = '/api/sync/events';
const SAVES_ROUTE = '/api/sync/saves/*';

function routeOf(req: FastifyRequest): string {
  return req.routeOptions.url ?? '(unmatched)';
}

function sameSecret(a: string, b: string): boolean {
  // Hash both sides first, so the comparison is constant-time whatever the lengths.
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export function registerMetrics(app: FastifyInstance, metrics: Metrics, exposure: MetricsExposure): void {
  app.addHook('onRequest', async (req, reply) => {
    const route = routeOf(req);
    const gauges = [metrics.inFlight.labels({ route })];
    if (route === FILES_ROUTE && /[?&]wait=(?!0*(&|$))/.test(req.url)) gauges.push(metrics.longPolls);
    if (route === EVENTS_ROUTE) gauges.push(metrics.eventStreams);
    for (const g of gauges) g.inc();
    // `close` fires once the response is finished or the connection went away (also for hijacked
    // SSE replies, where onResponse does not run), so the gauges never drift.
    reply.raw.once('close', () => {
      for (const g of gauges) g.dec();
    });
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = routeOf(req);
    const status = reply.statusCode;
    metrics.requestDuration.observe({ route, method: req.method, status: String(status) }, reply.elapsedTime / 1000);
    const outcome = reply.getHeader('x-outcome');
    if (typeof outcome === 'string') metrics.outcomes.inc({ outcome });
    if (route === SAVES_ROUTE && status === 200) {
      if (req.method === 'PUT') {
        const sent = Number(req.headers['content-length']);
        if (Number.isFinite(sent) && sent > 0) metrics.syncBytes.inc({ direction: 'upload' }, sent);
      } else if (req.method === 'GET') {
        const size = Number(reply.getHeader('content-length'));
        if (Number.isFinite(size) && size > 0) metrics.syncBytes.inc({ direction: 'download' }, size);
      }
    }
  });

  app.get('/metrics', async (req, reply) => {
    if (!exposure.open && exposure.token === null) throw new ApiError('not_found', 'Metrics are off on this server (set METRICS_TOKEN to turn them on).');
    if (!exposure.open) {
      const given = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim() ?? '';
      if (!sameSecret(given, exposure.token!)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        throw new ApiError('unauthorized', 'Send the metrics token as Authorization: Bearer <METRICS_TOKEN>.');
      }
    }
    reply.header('cache-control', 'no-store').type(metrics.contentType());
    return metrics.render();
  });
}
