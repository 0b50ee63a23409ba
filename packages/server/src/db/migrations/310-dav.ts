/** RetroArch Cloud Sync over WebDAV (see dav/schema.ts). Additive: new tables only. */
import type { Kysely, Migration } from 'kysely';

export const migration310Dav: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('dav_files')
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('is_dir', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('save_key', 'text')
      .addColumn('save_version', 'integer')
      .addColumn('synced_md5', 'text')
      .addColumn('served_md5', 'text')
      .addColumn('blob_sha256', 'text')
      .addColumn('content_sha256', 'text')
      .addColumn('md5', 'text')
      .addColumn('size', 'bigint')
      .addColumn('note', 'text')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('dav_files_pk', ['device_id', 'path'])
      .execute();
    await db.schema.createIndex('dav_files_user_blob_idx').on('dav_files').columns(['user_id', 'blob_sha256']).execute();

    await db.schema
      .createTable('dav_layouts')
      .addColumn('device_id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('layout', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('blob_md5')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('md5', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('blob_md5_pk', ['user_id', 'sha256'])
      .execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    for (const t of ['blob_md5', 'dav_layouts', 'dav_files']) await db.schema.dropTable(t).execute();
  },
};
