/**
 * Migrations of features built side by side land in any order (400-, 410-, 420-…): a database
 * that already ran a later-numbered one must still run an earlier-numbered one that arrives after
 * it (Kysely refuses that unless unordered migrations are allowed — this failed before).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, databaseTargets, type TestDatabase } from '../test-support/databases.js';
import { migrateToLatest } from './migrate.js';
import { migrations } from './migrations/index.js';
import { openDatabase, type OpenedDatabase } from './open.js';

describe.each(databaseTargets())('migrations on %s', (target) => {
  let tdb: TestDatabase;
  let opened: OpenedDatabase | undefined;
  afterEach(async () => {
    await opened?.close();
    await tdb.drop();
  });

  it('a migration numbered below one already applied still runs when it arrives later', async () => {
    tdb = await createTestDatabase(target);
    opened = await openDatabase(tdb.config, { migrate: false });
    const withoutFilters = Object.fromEntries(Object.entries(migrations).filter(([name]) => name !== '400-device-filters'));
    await migrateToLatest(opened.db, withoutFilters);
    const later = await migrateToLatest(opened.db);
    expect(later.results?.map((r) => [r.migrationName, r.status])).toEqual([['400-device-filters', 'Success']]);
    expect(await opened.db.selectFrom('device_filters').selectAll().execute()).toEqual([]);
  });
});
