import { sql } from 'kysely';
import { ApiError, renderOpenApi, systemRoutes } from '@retrosync/api';
import type { RouteModule } from '../app-deps.js';
import { registerRoute, SENT } from '../http/register-route.js';
import { SERVER_VERSION } from '../version.js';

export const systemRouteModule: RouteModule = (app, { db, clock }) => {
  registerRoute(app, systemRoutes.health, async ({ req }) => {
    try {
      await sql`select 1`.execute(db);
    } catch (err) {
      req.log.error({ err }, 'health check: database unreachable');
      throw new ApiError('storage_unavailable', 'The database is unreachable.');
    }
    return { status: 'ok' as const, database: 'ok' as const, time: new Date(clock.now()).toISOString(), version: SERVER_VERSION };
  });

  let openapi: string | undefined;
  registerRoute(app, systemRoutes.openapi, async ({ reply }) => {
    openapi ??= renderOpenApi();
    reply.type('application/json; charset=utf-8').send(openapi);
    return SENT;
  });
};
