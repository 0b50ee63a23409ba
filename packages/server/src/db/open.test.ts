import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, databaseTargets, type TestDatabase } from '../test-support/databases.js';
import { migrateToLatest } from './migrate.js';
import { dialectOf, openDatabase, type OpenedDatabase } from './open.js';

describe.each(databaseTargets())('openDatabase on %s', (target) => {
  let tdb: TestDatabase;
  let opened: OpenedDatabase | undefined;
  afterEach(async () => {
    await opened?.close();
    await tdb.drop();
  });

  it('applies migrations once, returns epoch-ms columns as numbers and enforces foreign keys', async () => {
    tdb = await createTestDatabase(target);
    opened = await openDatabase(tdb.config);
    expect(opened.dialect).toBe(target);
    expect(dialectOf(opened.db)).toBe(target);
    const again = await migrateToLatest(opened.db);
    expect(again.results).toEqual([]);
    const big = 1_795_000_000_123;
    await opened.db
      .insertInto('users')
      .values({ id: 'u1', email: 'a@b.co', password_hash: 'x', name: null, subscription_tier: 'free', created_at: big, updated_at: big, tokens_valid_after: 0 })
      .execute();
    const row = await opened.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
    expect(row.created_at).toBe(big);
    expect(typeof row.created_at).toBe('number');
    const { n } = await opened.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(n)).toBe(1);
    await expect(
      opened.db.insertInto('devices').values({ id: 'd1', user_id: 'nobody', name: 'x', device_type: 'other', api_key_hash: null, created_at: big, last_sync_at: null, last_heartbeat_at: null, client_version: null, platform: null, clock_offset_ms: null, revoked_at: null }).execute(),
    ).rejects.toThrow();
    if (target === 'sqlite') {
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(opened.db);
      expect(mode.rows[0]?.journal_mode).toBe('wal');
    }
  });
});
