/**
 * Play leases and device key rotation (issue 17). Additive: new tables only (see lease/schema.ts).
 *   play_leases           one row per user + normalised save key: the device playing it now.
 *   device_key_rotations  one row per device: a pending new key (hash) until the device first uses
 *                         it, a rotation the dashboard asked for, and when the key last changed.
 */
import type { Kysely, Migration } from 'kysely';

export const migration410LeaseRotation: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('play_leases')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('key_norm', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('since', 'bigint', (c) => c.notNull())
      .addColumn('renewed_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('play_leases_pk', ['user_id', 'key_norm'])
      .execute();
    await db.schema.createIndex('play_leases_device_idx').on('play_leases').column('device_id').execute();

    await db.schema
      .createTable('device_key_rotations')
      .addColumn('device_id', 'text', (c) => c.primaryKey().references('devices.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('pending_key_hash', 'text')
      .addColumn('pending_at', 'bigint')
      .addColumn('requested_at', 'bigint')
      .addColumn('rotated_at', 'bigint')
      .execute();
    await db.schema.createIndex('device_key_rotations_pending_idx').on('device_key_rotations').column('pending_key_hash').execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropTable('device_key_rotations').execute();
    await db.schema.dropTable('play_leases').execute();
  },
};
