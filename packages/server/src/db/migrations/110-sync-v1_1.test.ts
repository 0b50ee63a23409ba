import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, databaseTargets, type TestDatabase } from '../../test-support/databases.js';
import { migrateToLatest } from '../migrate.js';
import { openDatabase, type OpenedDatabase } from '../open.js';
import { migrations } from './index.js';

describe.each(databaseTargets())('migration 110 (sync v1.1) on %s', (target) => {
  let tdb: TestDatabase;
  let opened: OpenedDatabase | undefined;
  afterEach(async () => {
    await opened?.close();
    await tdb.drop();
  });

  it('backfills superseded_at to the migration time for every version that is not a head (a full retention window from the upgrade)', async () => {
    tdb = await createTestDatabase(target);
    opened = await openDatabase(tdb.config, { migrate: false });
    const db = opened.db as any;
    await migrateToLatest(db, { '001-accounts': migrations['001-accounts']!, '100-sync': migrations['100-sync']! });
    const old = Date.UTC(2025, 0, 1);
    await db.insertInto('users').values({ id: 'u', email: 'a@b.co', password_hash: 'x', name: null, subscription_tier: 'free', created_at: old, updated_at: old, tokens_valid_after: 0 }).execute();
    await db
      .insertInto('saves')
      .values({ id: 's', user_id: 'u', key_norm: 'gba/g/battery', key: 'gba/G/battery', system: 'gba', game: 'G', game_norm: 'g', kind: 'battery', head_version: 2, last_version: 3, head_seq: 1, metadata: null, created_at: old, updated_at: old })
      .execute();
    for (const [version, conflict] of [[1, 0], [2, 0], [3, 1]]) {
      await db
        .insertInto('save_versions')
        .values({ save_id: 's', version, user_id: 'u', sha256: String(version).repeat(64), size: 1, deleted: 0, conflict, device_id: null, file_mtime: null, corrected_mtime: old, restored_from: null, metadata: null, created_at: old })
        .execute();
    }
    const before = Date.now();
    await migrateToLatest(db);
    const rows = await db.selectFrom('save_versions').select(['version', 'superseded_at', 'blank', 'time_trusted']).orderBy('version').execute();
    expect(rows.map((r: any) => [r.version, r.superseded_at === null ? null : r.superseded_at >= before && r.superseded_at <= Date.now(), r.blank, r.time_trusted])).toEqual([
      [1, true, 0, 1],
      [2, null, 0, 1],
      [3, true, 0, 1],
    ]);
    expect(await db.selectFrom('device_clocks').selectAll().execute()).toEqual([]);
  });
});
