import { sql } from 'kysely';
import { ApiError, renderOpenApi, systemRoutes } from '@retrosync/api';
import type { RouteModule } from '../app-deps.js';
import { registerRoute, SENT } from '../http/register-route.js';
import { SERVER_VERSION } from '../version.js';

/** How long one blob-store probe answers /healthz (a load balancer polls every few seconds; the store is not hammered). */
export const HEALTH_CACHE_MS = 3000;
/** A part that does not answer within this is down (a load balancer's own check usually gives up after ~5 s). */
const PROBE_TIMEOUT_MS = 5000;

type PartState = 'ok' | 'down';

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

/**
 * GET /healthz: the database answers `select 1`, and the blob store is reachable and writable
 * (a probe object written and removed; the result cached HEALTH_CACHE_MS). Any part down → 503
 * `storage_unavailable` with `details: {database, storage}` naming it, so a load balancer takes
 * this replica out.
 */
export const systemRouteModule: RouteModule = (app, { db, clock, sync }) => {
  let storageCheck: { at: number; result: Promise<PartState> } | undefined;
  const storageState = (log: { error(o: object, m: string): void }): Promise<PartState> => {
    const now = Date.now();
    if (!storageCheck || now - storageCheck.at >= HEALTH_CACHE_MS) {
      const probe = sync.blobs.probe?.() ?? Promise.resolve();
      storageCheck = {
        at: now,
        result: withTimeout(probe, PROBE_TIMEOUT_MS).then(
          () => 'ok' as const,
          (err: unknown) => {
            log.error({ err }, 'health check: blob store unavailable');
            return 'down' as const;
          },
        ),
      };
    }
    return storageCheck.result;
  };

  registerRoute(app, systemRoutes.health, async ({ req }) => {
    const [database, storage] = await Promise.all([
      withTimeout(sql`select 1`.execute(db), PROBE_TIMEOUT_MS).then(
        () => 'ok' as const,
        (err: unknown) => {
          req.log.error({ err }, 'health check: database unreachable');
          return 'down' as const;
        },
      ),
      storageState(req.log),
    ]);
    if (database !== 'ok' || storage !== 'ok') {
      const down = [database !== 'ok' ? 'the database' : null, storage !== 'ok' ? 'the save storage' : null].filter(Boolean).join(' and ');
      throw new ApiError('storage_unavailable', `Unhealthy: ${down} ${down.includes(' and ') ? 'are' : 'is'} unavailable.`, { database, storage });
    }
    return { status: 'ok' as const, database, storage, time: new Date(clock.now()).toISOString(), version: SERVER_VERSION };
  });

  let openapi: string | undefined;
  registerRoute(app, systemRoutes.openapi, async ({ reply }) => {
    openapi ??= renderOpenApi();
    reply.type('application/json; charset=utf-8').send(openapi);
    return SENT;
  });
};
