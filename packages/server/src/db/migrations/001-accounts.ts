/**
 * Users, devices, pairing codes and the sync log. Portable schema-builder DDL: `bigint` is
 * INTEGER affinity on SQLite and int8 on PostgreSQL; timestamps are epoch ms (see schema.ts).
 */
import type { Kysely, Migration } from 'kysely';

export const migration001Accounts: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('name', 'text')
      .addColumn('subscription_tier', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('tokens_valid_after', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();

    await db.schema
      .createTable('devices')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('device_type', 'text', (c) => c.notNull())
      .addColumn('api_key_hash', 'text', (c) => c.unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_sync_at', 'bigint')
      .addColumn('last_heartbeat_at', 'bigint')
      .addColumn('client_version', 'text')
      .addColumn('platform', 'text')
      .addColumn('clock_offset_ms', 'bigint')
      .addColumn('revoked_at', 'bigint')
      .execute();
    await db.schema.createIndex('devices_user_id_idx').on('devices').columns(['user_id', 'created_at']).execute();

    await db.schema
      .createTable('pairing_codes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('flow', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
      .addColumn('poll_token_hash', 'text', (c) => c.unique())
      .addColumn('device_name', 'text')
      .addColumn('device_type', 'text')
      .addColumn('device_id', 'text', (c) => c.references('devices.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .addColumn('delivered_at', 'bigint')
      .execute();
    await db.schema.createIndex('pairing_codes_code_idx').on('pairing_codes').columns(['code', 'expires_at']).execute();
    await db.schema.createIndex('pairing_codes_expires_idx').on('pairing_codes').column('expires_at').execute();

    await db.schema
      .createTable('sync_logs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('file_path', 'text', (c) => c.notNull())
      .addColumn('file_size', 'bigint')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('error_msg', 'text')
      .addColumn('metadata', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sync_logs_user_created_idx').on('sync_logs').columns(['user_id', 'created_at']).execute();
    await db.schema.createIndex('sync_logs_device_created_idx').on('sync_logs').columns(['device_id', 'created_at']).execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    for (const t of ['sync_logs', 'pairing_codes', 'devices', 'users']) await db.schema.dropTable(t).execute();
  },
};
