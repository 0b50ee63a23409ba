/**
 * Prometheus metrics (prom-client), one registry per app so tests and several apps in one
 * process never share counters. What an operator of several replicas needs:
 *
 *   retrosync_http_request_duration_seconds{route,method,status}   latency histogram (and count)
 *   retrosync_http_requests_in_flight{route}                       open requests right now
 *   retrosync_long_polls_held / retrosync_event_streams_open       held GET /api/sync/files?wait / SSE
 *   retrosync_sync_bytes_total{direction="upload"|"download"}      save bytes through this replica
 *   retrosync_sync_outcomes_total{outcome}                         accepted, conflict_won, blank_refused …
 *   retrosync_storage_retries_total{operation} / _failures_total   blob store trouble
 *   retrosync_db_pool_connections{state="total"|"idle"|"waiting"}  PostgreSQL pool use
 *   retrosync_event_bus_lag_seconds                                NOTIFY sent → received on this replica
 *   process_* / nodejs_*                                           prom-client's default metrics
 *
 * Route labels are the route pattern (`/api/sync/saves/*`), never the URL, so save keys never
 * become label values and the series count stays bounded.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export class Metrics {
  readonly registry = new Registry();
  readonly requestDuration: Histogram<'route' | 'method' | 'status'>;
  readonly inFlight: Gauge<'route'>;
  readonly longPolls: Gauge;
  readonly eventStreams: Gauge;
  readonly syncBytes: Counter<'direction'>;
  readonly outcomes: Counter<'outcome'>;
  readonly storageRetries: Counter<'operation'>;
  readonly storageFailures: Counter<'operation'>;
  readonly busLag: Histogram;
  private poolStats: (() => PoolStats) | null = null;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.requestDuration = new Histogram({
      name: 'retrosync_http_request_duration_seconds',
      help: 'HTTP requests by route pattern, method and status, with their latency',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
      registers,
    });
    this.inFlight = new Gauge({ name: 'retrosync_http_requests_in_flight', help: 'Requests being served now, by route pattern', labelNames: ['route'], registers });
    this.longPolls = new Gauge({ name: 'retrosync_long_polls_held', help: 'GET /api/sync/files?wait=… requests held open now', registers });
    this.eventStreams = new Gauge({ name: 'retrosync_event_streams_open', help: 'Server-Sent Event streams open now', registers });
    this.syncBytes = new Counter({ name: 'retrosync_sync_bytes_total', help: 'Save bytes uploaded to / downloaded from this replica', labelNames: ['direction'], registers });
    this.outcomes = new Counter({ name: 'retrosync_sync_outcomes_total', help: 'Upload and deletion outcomes (accepted, unchanged, conflict_won, conflict_lost, blank_refused …)', labelNames: ['outcome'], registers });
    this.storageRetries = new Counter({ name: 'retrosync_storage_retries_total', help: 'Blob store operations retried', labelNames: ['operation'], registers });
    this.storageFailures = new Counter({ name: 'retrosync_storage_failures_total', help: 'Blob store operations that failed after every retry (answered 503)', labelNames: ['operation'], registers });
    this.busLag = new Histogram({
      name: 'retrosync_event_bus_lag_seconds',
      help: 'Time from an event being published (any replica) to its arrival on this replica',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers,
    });
    const self = this;
    new Gauge({
      name: 'retrosync_db_pool_connections',
      help: 'PostgreSQL pool connections by state (absent on SQLite)',
      labelNames: ['state'],
      registers,
      collect() {
        const stats = self.poolStats?.();
        if (!stats) return;
        this.set({ state: 'total' }, stats.total);
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'waiting' }, stats.waiting);
      },
    });
  }

  /** Reports the database pool's use (PostgreSQL). */
  watchPool(stats: () => PoolStats): void {
    this.poolStats = stats;
  }

  contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
