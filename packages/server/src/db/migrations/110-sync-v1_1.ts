/**
 * Sync protocol v1.1 (docs/protocol.md): per version, when it stopped being the head
 * (`superseded_at`, what retention counts from), whether its bytes are blank, and whether its
 * file time could be trusted; per device, the clock it showed at its last write (`device_clocks`,
 * for the clock-jump check). Portable schema-builder DDL.
 *
 * Backfill: a version that is not the head today stopped being the head at some unknown moment
 * before this migration. It is given the migration time, so every version kept before the upgrade
 * gets a full retention window from now — never less than the new rule would have given it.
 */
import type { Kysely, Migration } from 'kysely';

export const migration110SyncV11: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('save_versions').addColumn('superseded_at', 'bigint').execute();
    await db.schema.alterTable('save_versions').addColumn('blank', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('save_versions').addColumn('time_trusted', 'integer', (c) => c.notNull().defaultTo(1)).execute();
    await db
      .updateTable('save_versions')
      .set({ superseded_at: Date.now() })
      .where((eb) =>
        eb.not(
          eb.exists(
            eb.selectFrom('saves').select('saves.id').whereRef('saves.id', '=', 'save_versions.save_id').whereRef('saves.head_version', '=', 'save_versions.version'),
          ),
        ),
      )
      .execute();
    await db.schema.createIndex('save_versions_superseded_idx').on('save_versions').columns(['superseded_at']).execute();

    await db.schema
      .createTable('device_clocks')
      .addColumn('device_id', 'text', (c) => c.primaryKey().references('devices.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('offset_ms', 'bigint', (c) => c.notNull())
      .addColumn('seen_at', 'bigint', (c) => c.notNull())
      .addColumn('boot', 'text')
      .addColumn('jump_at', 'bigint')
      .addColumn('jump_boot', 'text')
      .execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropTable('device_clocks').execute();
    await db.schema.dropIndex('save_versions_superseded_idx').execute();
    for (const c of ['time_trusted', 'blank', 'superseded_at']) await db.schema.alterTable('save_versions').dropColumn(c).execute();
  },
};
