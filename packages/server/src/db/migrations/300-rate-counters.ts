/**
 * Rate-limit counters shared by every replica (http/counter-store.ts): one row per counter and
 * fixed window, incremented atomically with INSERT … ON CONFLICT DO UPDATE … RETURNING.
 * Used on PostgreSQL; SQLite (one process) keeps its counters in memory, the table stays empty.
 */
import type { Kysely, Migration } from 'kysely';

export const migration300RateCounters: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('rate_counters')
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('window_start', 'bigint', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('rate_counters_pk', ['key', 'window_start'])
      .execute();
    await db.schema.createIndex('rate_counters_expires_idx').on('rate_counters').column('expires_at').execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropTable('rate_counters').execute();
  },
};
