import { Migrator, type Kysely, type MigrationResultSet } from 'kysely';
import { migrations } from './migrations/index.js';

/**
 * Applies every pending migration (static provider, no file-system scan). Throws on failure.
 * Unordered migrations are allowed: features developed side by side take numbered ranges
 * (400-, 410-, 420-, …) and land in any order, so a database that already ran 420 must still run
 * a 400 that arrives later. Each such migration is additive (its own tables), so the order
 * between ranges does not matter.
 */
export async function migrateToLatest(db: Kysely<any>, list = migrations): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => list }, allowUnorderedMigrations: true });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${String((result.error as Error).message ?? result.error)}`, {
      cause: result.error,
    });
  }
  return result;
}
