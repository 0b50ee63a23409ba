/** Two-factor sign-in (account/schema.ts). Additive: new tables only. */
import type { Kysely, Migration } from 'kysely';

export const migration421TwoFactor: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('two_factor')
      .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
      .addColumn('secret_sealed', 'text', (c) => c.notNull())
      .addColumn('enabled_at', 'bigint')
      .addColumn('last_step', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('recovery_codes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('code_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute();
    await db.schema.createIndex('recovery_codes_user_hash_idx').on('recovery_codes').columns(['user_id', 'code_hash']).execute();

    await db.schema
      .createTable('two_factor_challenges')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('two_factor_challenges_expires_idx').on('two_factor_challenges').column('expires_at').execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    for (const t of ['two_factor_challenges', 'recovery_codes', 'two_factor']) await db.schema.dropTable(t).execute();
  },
};
