/**
 * The ordered list of migrations, applied at start-up by Kysely's Migrator (db/migrate.ts).
 * Add a migration: create `NNN-name.ts` next to this file exporting a `Migration`, append it
 * here with the key `NNN-name`. Never edit or reorder an applied migration. Write DDL with the
 * schema builder so it runs on SQLite and PostgreSQL; branch on `dialectOf(db)` only where the
 * dialects must differ. Keys sort lexicographically in the order they run.
 */
import type { Migration } from 'kysely';
import { migration001Accounts } from './001-accounts.js';
import { migration100Sync } from './100-sync.js';
import { migration110SyncV11 } from './110-sync-v1_1.js';
import { migration300RateCounters } from './300-rate-counters.js';
import { migration310Dav } from './310-dav.js';
import { migration400DeviceFilters } from './400-device-filters.js';
import { migration410LeaseRotation } from './410-lease-rotation.js';
import { migration420AuditLog } from './420-audit-log.js';
import { migration421TwoFactor } from './421-two-factor.js';
import { migration430Webhooks } from './430-webhooks.js';

export const migrations: Record<string, Migration> = {
  '001-accounts': migration001Accounts,
  '100-sync': migration100Sync,
  '110-sync-v1_1': migration110SyncV11,
  '300-rate-counters': migration300RateCounters,
  '310-dav': migration310Dav,
  '400-device-filters': migration400DeviceFilters,
  '410-lease-rotation': migration410LeaseRotation,
  '420-audit-log': migration420AuditLog,
  '421-two-factor': migration421TwoFactor,
  '430-webhooks': migration430Webhooks,
};
