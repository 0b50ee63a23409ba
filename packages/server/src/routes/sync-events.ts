/** GET /api/sync/events — Server-Sent Events for devices (API key) and the dashboard (cookie). */
import type { FastifyInstance } from 'fastify';
import { syncFeedRoutes } from '@retrosync/api';
import { registerRoute, SENT } from '../http/register-route.js';
import { streamEvents } from '../events/sse.js';
import type { SyncEvent } from '../events/event-hub.js';
import { stateAllows } from '../sync/device-filters.js';
import type { SyncService } from '../sync/sync-service.js';

export function registerSyncEventRoutes(app: FastifyInstance, sync: SyncService, options: { heartbeatMs?: number; closing?: AbortSignal } = {}): void {
  registerRoute(app, syncFeedRoutes.events, async ({ req, reply, auth }) => {
    const head = await sync.deps.db
      .selectFrom('sync_feeds')
      .select('last_seq')
      .where('user_id', '=', auth.userId)
      .executeTakeFirst();
    // Selective sync: a device's stream leaves out saves its filter excludes; when its filter
    // changes it is told to `resync` (read the feed again, which then starts over).
    const deviceId = auth.kind === 'device' ? auth.deviceId : null;
    let filter = deviceId ? await sync.filters.load(auth.userId, deviceId) : null;
    const transform = (event: SyncEvent): SyncEvent | null => {
      if (!deviceId || !filter) return event;
      if (event.type === 'filter') {
        if (event.data.deviceId !== deviceId) return null;
        void sync.filters.load(auth.userId, deviceId).then((f) => (filter = f), () => undefined);
        return { type: 'resync', data: {} };
      }
      if (event.type === 'save' || event.type === 'conflict') return stateAllows(filter, event.data.key) ? event : null;
      return event;
    };
    reply.hijack();
    req.raw.socket.setKeepAlive(true);
    req.raw.socket.setTimeout(0);
    void streamEvents({
      hub: sync.deps.events,
      userId: auth.userId,
      deviceId,
      sessionIssuedAt: auth.kind === 'user' ? auth.issuedAt : null,
      transform,
      res: reply.raw,
      hello: { cursor: Number(head?.last_seq ?? 0), serverTime: new Date().toISOString() },
      heartbeatMs: options.heartbeatMs,
      signal: options.closing,
    });
    return SENT;
  });
}
