/** Sync protocol v1: feed counters, saves, versions (see sync/schema.ts). Portable schema-builder DDL. */
import type { Kysely, Migration } from 'kysely';

export const migration100Sync: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('sync_feeds')
      .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
      .addColumn('last_seq', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();

    await db.schema
      .createTable('saves')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('key_norm', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('system', 'text', (c) => c.notNull())
      .addColumn('game', 'text', (c) => c.notNull())
      .addColumn('game_norm', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('head_version', 'integer')
      .addColumn('last_version', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('head_seq', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('metadata', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('saves_user_key_uq', ['user_id', 'key_norm'])
      .execute();
    await db.schema.createIndex('saves_user_seq_idx').on('saves').columns(['user_id', 'head_seq']).execute();

    await db.schema
      .createTable('save_versions')
      .addColumn('save_id', 'text', (c) => c.notNull().references('saves.id').onDelete('cascade'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('conflict', 'integer', (c) => c.notNull().defaultTo(0))
      // No foreign key: a version outlives the removal of the device that uploaded it.
      .addColumn('device_id', 'text')
      .addColumn('file_mtime', 'bigint')
      .addColumn('corrected_mtime', 'bigint', (c) => c.notNull())
      .addColumn('restored_from', 'integer')
      .addColumn('metadata', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('save_versions_pk', ['save_id', 'version'])
      .execute();
    await db.schema.createIndex('save_versions_user_sha_idx').on('save_versions').columns(['user_id', 'sha256']).execute();
    await db.schema.createIndex('save_versions_conflict_idx').on('save_versions').columns(['conflict', 'created_at']).execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    for (const t of ['save_versions', 'saves', 'sync_feeds']) await db.schema.dropTable(t).execute();
  },
};
