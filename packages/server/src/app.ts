/**
 * buildApp: the Fastify instance with every route module, from explicit dependencies.
 *
 *   const { db, dialect } = await openDatabase(config.database);
 *   const app = await buildApp({ config, db, dialect, jwtSecret });
 *
 * Wiring, in order: JSON parser (empty body → undefined; bodyLimit from config), raw
 * `application/octet-stream` passthrough (for rawBody routes), cookies, CORS (closed unless
 * CORS_ORIGINS), error envelope + JSON 404, `routeEnv` for registerRoute, then `routeModules`.
 * Tests use test-support/context.ts instead of calling this directly.
 */
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { AuditLog, requestMeta } from './account/audit.js';
import { SecretBox } from './account/secret-box.js';
import { TwoFactorService } from './account/two-factor.js';
import type { AppDeps, RouteModule } from './app-deps.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import type { Dialect } from './db/open.js';
import type { Database } from './db/schema.js';
import { createAuthenticator, SESSION_COOKIE } from './http/auth.js';
import { DeviceKeyCache } from './http/device-cache.js';
import { registerCsrf } from './http/csrf.js';
import { registerDashboard } from './http/dashboard.js';
import { clientErrorHandler, frameworkErrorHandler, installErrorHandling } from './http/errors.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import { registerSlowClientLimits } from './http/slow-clients.js';
import { MemoryCounterStore, SqlCounterStore } from './http/counter-store.js';
import { Limits } from './http/limits.js';
import { loggerOptions } from './logger.js';
import { registerMetrics } from './metrics/http-metrics.js';
import { Metrics, type PoolStats } from './metrics/metrics.js';
import { routeModules as defaultRouteModules } from './routes/index.js';
import { createJwtService } from './security/jwt.js';
import { DeviceService } from './services/devices.js';
import { HeartbeatWriter } from './services/heartbeat-writer.js';
import { PairingService } from './services/pairing.js';
import { Presence } from './services/presence.js';
import { SyncLogService } from './services/sync-log.js';
import { UserService } from './services/users.js';
import { createSyncModule, type SyncModule } from './sync/sync-module.js';
import { KeyRotationService } from './lease/key-rotation.js';
import { LeaseService } from './lease/lease-service.js';
import { createWebhooks } from './webhooks/index.js';

/** Routes whose successful requests are logged at debug (see the onResponse hook). */
const ROUTINE_ROUTES = new Set(['/api/sync/heartbeat', '/api/sync/files', '/api/sync/events', '/healthz']);

export interface BuildAppOptions {
  config: Config;
  db: Kysely<Database>;
  dialect: Dialect;
  /** Resolved secret (config.jwtSecret or the generated one; see security/secret.ts). */
  jwtSecret: string;
  /** A pino logger, or false for none. Default: pino at config.logLevel with redaction. */
  logger?: FastifyBaseLogger | false;
  clock?: Clock;
  /** Check every reply against its contract schema (tests turn this on). */
  validateResponses?: boolean;
  /** Heartbeat write-behind interval (services/heartbeat-writer.ts); 0 writes through. Default 1000. */
  heartbeatFlushMs?: number;
  /** Replace the route module list (tests, benchmarks). */
  routeModules?: readonly RouteModule[];
  /** A prepared sync module (tests, benches); by default built from config and closed with the app. */
  sync?: SyncModule;
  /** Metrics registry (default: a new one; served at /metrics when config.metrics allows). */
  metrics?: Metrics;
  /** PostgreSQL pool use, for the metrics. */
  poolStats?: () => PoolStats;
}

export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config, db, dialect } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger;
  const app = Fastify({
    ...(logger === undefined ? { logger: loggerOptions(config.logLevel) } : logger === false ? { logger: false } : { loggerInstance: logger }),
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1024 },
    return503OnClosing: true,
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    // Slow clients: headers must arrive within HEADERS_TIMEOUT_MS (checked every second); bodies
    // are bounded per request by http/slow-clients.ts (a deadline for JSON, progress for uploads),
    // so Node's whole-request timeout stays off (it would cut a long upload on a slow link).
    http: {
      headersTimeout: config.http.headersTimeoutMs,
      requestTimeout: 0,
      connectionsCheckingInterval: Math.min(1000, config.http.headersTimeoutMs),
    },
    // One log line per request (the onResponse hook below) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;
  app.addHook('onResponse', async (req, reply) => {
    // Check-ins and change-feed polls arrive from every device every few seconds: their
    // successes are logged at debug so the info log stays readable (and the hot path cheap).
    const routine = reply.statusCode < 400 && ROUTINE_ROUTES.has(req.routeOptions.url ?? '');
    const level = reply.statusCode >= 500 ? 'error' : routine ? 'debug' : 'info';
    req.log[level]({ method: req.method, url: req.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
  });

  // Every reply carries the server's clock (sync protocol v1.1): clients keep the newest one they
  // saw and send it back as X-Last-Server-Time, which is how they notice their own clock going back.
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-server-time', String(clock.now()));
    return payload;
  });

  // JSON bodies; an empty body (e.g. curl -X POST with a JSON content type) is "no body".
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, undefined);
    defaultJson(req, body as string, done);
  });
  // Raw uploads: the stream passes through untouched (rawBody routes read it, with their own limit).
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));

  await app.register(cookie);
  await app.register(cors, {
    origin: config.corsOrigins.length === 0 ? false : config.corsOrigins.includes('*') ? '*' : config.corsOrigins,
    credentials: !config.corsOrigins.includes('*') && config.corsOrigins.length > 0,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Content-Type', 'Authorization', 'X-API-Key', 'X-Client-Time', 'X-Client-Boot', 'X-Client-Uptime', 'X-Last-Server-Time', 'X-Time-Trust', 'X-Requested-With'],
    exposedHeaders: ['X-Server-Time'],
  });
  installErrorHandling(app);
  registerSecurityHeaders(app, { https: config.publicUrl.startsWith('https://') });
  registerSlowClientLimits(app, config.http);
  registerCsrf(app, {
    cookieName: SESSION_COOKIE,
    credentialHeaders: ['x-api-key'],
    trustedOrigins: config.corsOrigins.filter((o) => o !== '*'),
    trustProxy: config.trustProxy,
  });

  const metrics = options.metrics ?? new Metrics();
  if (options.poolStats) metrics.watchPool(options.poolStats);
  registerMetrics(app, metrics, config.metrics ?? { token: null, open: false });

  const jwt = createJwtService(options.jwtSecret, clock);
  // Counters every replica shares on PostgreSQL; one SQLite server process keeps them in memory.
  const limits = new Limits(dialect === 'postgres' ? new SqlCounterStore(db) : new MemoryCounterStore(), config, clock);
  const deviceCache = new DeviceKeyCache(clock);
  const heartbeats = new HeartbeatWriter(db, options.heartbeatFlushMs ?? 1000, (err) => app.log.error({ err }, 'heartbeat flush failed'));
  app.addHook('onClose', () => heartbeats.flush());
  const devices = new DeviceService(db, clock, config, deviceCache, heartbeats);
  const webhooks = createWebhooks({ db, clock, settings: config.webhooks, onError: (err) => app.log.error({ err }, 'webhook dispatch failed') });
  const sync = options.sync ?? (await createSyncModule({ config, db, clock, metrics, webhooks: webhooks.outbox }));
  // Every replica sends the outbox (claims keep each delivery to one sender); stopped before the database closes.
  app.addHook('onReady', async () => webhooks.dispatcher.start());
  app.addHook('onClose', async () => webhooks.dispatcher.close());
  // Revocations reach every replica's key cache through the event hub's control channel.
  const detachCache = deviceCache.attach(sync.events);
  app.addHook('onClose', async () => detachCache());
  const presence = new Presence({
    db,
    events: sync.events,
    clock,
    devices,
    onError: (err) => app.log.error({ err }, 'presence sweep failed'),
  });
  app.addHook('onClose', async () => presence.close());
  const keyRotation = new KeyRotationService(db, clock, devices, sync.events, deviceCache);
  // Outstanding rotation requests are held in memory (heartbeats ask at every check-in).
  const detachRotation = await keyRotation.attach(sync.events);
  app.addHook('onClose', async () => detachRotation());
  const deps: AppDeps = {
    config,
    db,
    dialect,
    clock,
    jwt,
    limits,
    users: new UserService(db, clock, jwt, config.defaultTier, deviceCache),
    devices,
    pairing: new PairingService(db, clock, config, limits, devices),
    syncLog: new SyncLogService(db, clock, sync.events),
    presence,
    sync,
    audit: new AuditLog(db, clock, config.account),
    leases: new LeaseService(db, clock, config, devices, sync.events),
    keyRotation,
    webhooks,
    twoFactor: new TwoFactorService(db, clock, new SecretBox(config.account.twoFactorKey ?? options.jwtSecret)),
  };
  deps.sync.onMaintenance(() => deps.audit.prune());
  deps.sync.onMaintenance(() => deps.twoFactor.pruneChallenges());
  keyRotation.setOnRotated((e, meta) =>
    deps.audit.record({ userId: e.userId, event: 'key_rotated', ...meta, detail: { deviceId: e.deviceId, deviceName: e.deviceName, by: e.requested ? 'dashboard request' : 'device' } }),
  );
  deps.sync.onMaintenance(() => webhooks.dispatcher.prune());
  if (!options.sync) app.addHook('onClose', () => deps.sync.close());
  app.decorate('routeEnv', { authenticator: createAuthenticator(db, jwt, deviceCache, (hash, req) => keyRotation.promote(hash, requestMeta(req))), validateResponses: options.validateResponses ?? false });
  app.decorate('deps', deps);

  for (const mod of options.routeModules ?? defaultRouteModules) mod(app, deps);
  await registerDashboard(app, { sessionCookie: SESSION_COOKIE });
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
}
