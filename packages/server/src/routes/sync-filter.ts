/**
 * Selective sync endpoints: the device's own filter (`/api/sync/filter`, API key: `retrosync
 * filter`, the shell client) and any of the user's devices (`/api/devices/filter`, the dashboard's
 * device page). Thin: ownership check, then sync/device-filters.ts.
 */
import type { FastifyInstance } from 'fastify';
import { deviceFilterRoutes, syncFilterRoutes } from '@retrosync/api';
import { filterToTsv } from '@retrosync/core';
import { registerRoute, SENT } from '../http/register-route.js';
import { wantsTsv } from '../http/tsv.js';
import type { DeviceService } from '../services/devices.js';
import type { SyncService } from '../sync/sync-service.js';

export function registerSyncFilterRoutes(app: FastifyInstance, sync: SyncService, devices: DeviceService): void {
  const { filters } = sync;

  registerRoute(app, syncFilterRoutes.get, async ({ req, reply, auth, query }) => {
    const state = await filters.load(auth.userId, auth.deviceId);
    if (query.format === 'tsv' || (query.format !== 'json' && wantsTsv(req, {}))) {
      reply.type('text/tab-separated-values; charset=utf-8').send(filterToTsv(state.filter, { revision: state.revision }));
      return SENT;
    }
    return filters.view(auth.userId, auth.deviceId, state);
  });

  registerRoute(app, syncFilterRoutes.set, async ({ auth, body }) => {
    const state = await filters.set(auth.userId, auth.deviceId, body, 'device');
    return filters.view(auth.userId, auth.deviceId, state);
  });

  registerRoute(app, deviceFilterRoutes.get, async ({ auth, query }) => {
    await devices.owned(auth.userId, query.deviceId);
    return filters.view(auth.userId, query.deviceId, await filters.load(auth.userId, query.deviceId));
  });

  registerRoute(app, deviceFilterRoutes.set, async ({ auth, body }) => {
    await devices.owned(auth.userId, body.deviceId);
    const state = await filters.set(auth.userId, body.deviceId, body.filter, 'user', 'filter.');
    return filters.view(auth.userId, body.deviceId, state);
  });
}
