/** Registers every sync-protocol route (device and user) on the app. */
import type { FastifyInstance } from 'fastify';
import type { RouteModule } from '../app-deps.js';
import type { SyncService } from '../sync/sync-service.js';
import type { LeaseService } from '../lease/lease-service.js';
import { registerSaveRoutes } from './saves.js';
import { registerSyncEventRoutes } from './sync-events.js';
import { registerSyncFileRoutes } from './sync-files.js';
import { registerSyncFilterRoutes } from './sync-filter.js';
import { registerSyncSaveRoutes } from './sync-saves.js';

export function registerSyncRoutes(
  app: FastifyInstance,
  sync: SyncService,
  options: { sseHeartbeatMs?: number; presign?: { enabled: boolean; ttlSeconds: number }; leases?: LeaseService } = {},
): void {
  // On shutdown, held long polls answer at once (with what they have) and event streams end, so
  // closing the server never waits up to 60 s for them (or forever for a stream).
  const closing = new AbortController();
  app.addHook('preClose', async () => closing.abort());
  registerSyncSaveRoutes(app, sync, { presign: options.presign, leases: options.leases });
  registerSyncFileRoutes(app, sync, closing.signal);
  registerSyncEventRoutes(app, sync, { heartbeatMs: options.sseHeartbeatMs, closing: closing.signal });
  registerSaveRoutes(app, sync);
}

/** The route module listed in routes/index.ts. */
export const syncRouteModule: RouteModule = (app, deps) => {
  registerSyncRoutes(app, deps.sync.service, { presign: deps.config.presignedDownloads, leases: deps.leases });
  registerSyncFilterRoutes(app, deps.sync.service, deps.devices);
};
