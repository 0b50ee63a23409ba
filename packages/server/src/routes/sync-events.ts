/** GET /api/sync/events — Server-Sent Events for devices (API key) and the dashboard (cookie). */
import type { FastifyInstance } from 'fastify';
import { syncFeedRoutes } from '@retrosync/api';
import { registerRoute, SENT } from '../http/register-route.js';
import { streamEvents } from '../events/sse.js';
import type { SyncService } from '../sync/sync-service.js';

export function registerSyncEventRoutes(app: FastifyInstance, sync: SyncService, options: { heartbeatMs?: number; closing?: AbortSignal } = {}): void {
  registerRoute(app, syncFeedRoutes.events, async ({ req, reply, auth }) => {
    const head = await sync.deps.db
      .selectFrom('sync_feeds')
      .select('last_seq')
      .where('user_id', '=', auth.userId)
      .executeTakeFirst();
    reply.hijack();
    req.raw.socket.setKeepAlive(true);
    req.raw.socket.setTimeout(0);
    void streamEvents({
      hub: sync.deps.events,
      userId: auth.userId,
      deviceId: auth.kind === 'device' ? auth.deviceId : null,
      res: reply.raw,
      hello: { cursor: Number(head?.last_seq ?? 0), serverTime: new Date().toISOString() },
      heartbeatMs: options.heartbeatMs,
      signal: options.closing,
    });
    return SENT;
  });
}
