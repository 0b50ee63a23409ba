import { Migrator, type Kysely, type MigrationResultSet } from 'kysely';
import { migrations } from './migrations/index.js';

/** Applies every pending migration (static provider, no file-system scan). Throws on failure. */
export async function migrateToLatest(db: Kysely<any>, list = migrations): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => list } });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${String((result.error as Error).message ?? result.error)}`, {
      cause: result.error,
    });
  }
  return result;
}
