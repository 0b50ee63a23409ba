import { heartbeatRoutes, syncLogRoutes } from '@retrosync/api';
import type { RouteModule } from '../app-deps.js';
import { registerRoute } from '../http/register-route.js';
import { parseClientTime } from '../services/devices.js';
import { toIso } from '../db/schema.js';

export const heartbeatRouteModule: RouteModule = (app, { devices, presence, config, clock, keyRotation }) => {
  registerRoute(app, heartbeatRoutes.heartbeat, async ({ auth, body, req }) => {
    const header = req.headers['x-client-time'];
    const clientTime = parseClientTime(Array.isArray(header) ? header[0] : header);
    const previousCheckIn = auth.device.last_heartbeat_at;
    const d = await devices.heartbeat(auth.device, { clientVersion: body?.clientVersion, platform: body?.platform, clientTime });
    await presence.checkedIn(auth.userId, d.id, previousCheckIn);
    return {
      deviceId: d.id,
      deviceName: d.name,
      lastSyncAt: toIso(d.last_sync_at ?? clock.now()),
      serverTime: toIso(clock.now()),
      clockOffsetMs: d.clock_offset_ms,
      heartbeatIntervalSeconds: config.heartbeatIntervalSeconds,
      pollIntervalSeconds: config.pollIntervalSeconds,
      onlineWindowSeconds: 2 * config.heartbeatIntervalSeconds,
      // Only when the dashboard asked for it, so the reply is unchanged for every other check-in.
      ...((await keyRotation.requested(d.id)) ? { keyRotation: 'requested' as const } : {}),
    };
  });
};

export const syncLogRouteModule: RouteModule = (app, { syncLog }) => {
  registerRoute(app, syncLogRoutes.create, async ({ auth, body }) => ({
    log: await syncLog.record(auth.userId, auth.deviceId, auth.device.name, body),
  }));

  registerRoute(app, syncLogRoutes.list, async ({ auth, query }) => {
    const { logs, total } = await syncLog.list(auth, query);
    return { logs, total, limit: query.limit, offset: query.offset };
  });
};
