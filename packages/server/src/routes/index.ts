/**
 * Every route module, listed once and explicitly, in registration order. A new area (e.g. the
 * sync engine) appends its module here; each module registers its contract routes with
 * `registerRoute` (http/register-route.ts). Keep in step with `allRoutes` in @retrosync/api —
 * a test checks that every contract route is served.
 */
import type { RouteModule } from '../app-deps.js';
import { auditRouteModule } from '../account/routes.js';
import { twoFactorRouteModule } from '../account/two-factor-routes.js';
import { authRouteModule } from './auth.js';
import { deviceRouteModule } from './devices.js';
import { heartbeatRouteModule, syncLogRouteModule } from './sync-log.js';
import { systemRouteModule } from './system.js';
import { syncRouteModule } from './sync.js';
import { registerDavRoutes } from '../dav/dav-routes.js';
import { keyRotationRouteModule, leaseRouteModule } from './leases.js';
import { webhookRouteModule } from './webhooks.js';

export const routeModules: readonly RouteModule[] = [
  systemRouteModule,
  authRouteModule,
  auditRouteModule,
  twoFactorRouteModule,
  deviceRouteModule,
  heartbeatRouteModule,
  syncLogRouteModule,
  syncRouteModule,
  registerDavRoutes,
  leaseRouteModule,
  keyRotationRouteModule,
  webhookRouteModule,
];
