/** The account audit log (account/schema.ts). Additive: a new table only. */
import type { Kysely, Migration } from 'kysely';

export const migration420AuditLog: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('audit_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('ip', 'text')
      .addColumn('user_agent', 'text')
      .addColumn('detail', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    // Newest first per user (the account page), and by age (retention).
    await db.schema.createIndex('audit_events_user_created_idx').on('audit_events').columns(['user_id', 'created_at']).execute();
    await db.schema.createIndex('audit_events_created_idx').on('audit_events').column('created_at').execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropTable('audit_events').execute();
  },
};
