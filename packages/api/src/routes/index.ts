/**
 * Every route, listed once and explicitly. A new area adds its group object here; the server,
 * the OpenAPI document and the authorization-matrix test all read this list.
 */
import type { AnyRoute } from '../contract.js';
import { auditRoutes } from './account.js';
import { authRoutes } from './auth.js';
import { twoFactorRoutes } from './two-factor.js';
import { deviceRoutes } from './devices.js';
import { keyRotationRoutes, leaseRoutes } from './leases.js';
import { heartbeatRoutes, syncLogRoutes } from './sync-log.js';
import { systemRoutes } from './system.js';
import { webhookRoutes } from './webhooks.js';
import { saveRoutes, syncFeedRoutes, syncSaveRoutes } from '../sync/routes.js';
import { deviceFilterRoutes, syncFilterRoutes } from '../sync/filter.js';

export { auditRoutes, authRoutes, twoFactorRoutes, deviceRoutes, heartbeatRoutes, syncLogRoutes, systemRoutes };
export * from './leases.js';
export * from './webhooks.js';

export const allRoutes: readonly AnyRoute[] = [
  ...Object.values(systemRoutes),
  ...Object.values(authRoutes),
  ...Object.values(auditRoutes),
  ...Object.values(twoFactorRoutes),
  ...Object.values(deviceRoutes),
  ...Object.values(heartbeatRoutes),
  ...Object.values(syncLogRoutes),
  ...Object.values(syncSaveRoutes),
  ...Object.values(syncFeedRoutes),
  ...Object.values(saveRoutes),
  ...Object.values(leaseRoutes),
  ...Object.values(keyRotationRoutes),
  ...Object.values(syncFilterRoutes),
  ...Object.values(deviceFilterRoutes),
  ...Object.values(webhookRoutes),
];
export { auditEvent, auditEvents, auditEntry, type AuditEntry, type AuditEvent } from './account.js';
export * from './two-factor-schemas.js';
