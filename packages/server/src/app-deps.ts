/**
 * What route modules receive: configuration, database, clock, and the shared services. Built
 * once by buildApp; route modules are plain functions `(app, deps) => void` listed in
 * routes/index.ts. Areas that need more (the sync engine's blob store, event bus) add fields here
 * and construct them in buildApp from options.
 */
import type { FastifyInstance } from 'fastify';
import type { AuditLog } from './account/audit.js';
import type { Webhooks } from './webhooks/index.js';
import type { TwoFactorService } from './account/two-factor.js';
import type { Kysely } from 'kysely';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Dialect } from './db/open.js';
import type { Database } from './db/schema.js';
import type { Limits } from './http/limits.js';
import type { JwtService } from './security/jwt.js';
import type { DeviceService } from './services/devices.js';
import type { PairingService } from './services/pairing.js';
import type { Presence } from './services/presence.js';
import type { SyncLogService } from './services/sync-log.js';
import type { UserService } from './services/users.js';
import type { SyncModule } from './sync/sync-module.js';
import type { KeyRotationService } from './lease/key-rotation.js';
import type { LeaseService } from './lease/lease-service.js';

export interface AppDeps {
  config: Config;
  db: Kysely<Database>;
  dialect: Dialect;
  clock: Clock;
  jwt: JwtService;
  limits: Limits;
  users: UserService;
  devices: DeviceService;
  pairing: PairingService;
  syncLog: SyncLogService;
  /** Device online/offline events (services/presence.ts). */
  presence: Presence;
  /** The sync protocol: blob store, event hub, SyncService (sync/sync-module.ts). */
  sync: SyncModule;
  /** Security events per account: `audit.record({userId, event, ...requestMeta(req), detail})` (account/audit.ts). */
  audit: AuditLog;
  /** Play leases ("in use on …", lease/lease-service.ts). */
  leases: LeaseService;
  /** Device key rotation (lease/key-rotation.ts). */
  keyRotation: KeyRotationService;
  /** Webhooks: the service behind /api/webhooks, the outbox events go to, this replica's dispatcher. */
  webhooks: Webhooks;
  /** TOTP enrolment, code checks and the sign-in challenge (account/two-factor.ts). */
  twoFactor: TwoFactorService;
}

export type RouteModule = (app: FastifyInstance, deps: AppDeps) => void;
