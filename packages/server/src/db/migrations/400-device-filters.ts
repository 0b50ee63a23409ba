/**
 * Selective sync (sync/device-filters.ts): one row per device that has a filter. `revision` is a
 * position in the user's change feed, taken when the filter changed: a device whose feed cursor is
 * older reads the whole feed again under the new filter (so saves it now includes arrive).
 * Additive: a new table only; a device without a row syncs everything, as before.
 */
import type { Kysely, Migration } from 'kysely';

export const migration400DeviceFilters: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('device_filters')
      .addColumn('device_id', 'text', (c) => c.primaryKey().references('devices.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('filter', 'text', (c) => c.notNull())
      .addColumn('revision', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('device_filters_user_idx').on('device_filters').columns(['user_id']).execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropTable('device_filters').execute();
  },
};
