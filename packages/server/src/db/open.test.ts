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

describe.each(databaseTargets().filter((t) => t === 'postgres'))('openDatabase on %s, when the server ends connections', () => {
  it('survives idle connections being terminated (PostgreSQL restart) and reconnects on the next query', async () => {
    const tdb = await createTestDatabase('postgres');
    const idleErrors: Error[] = [];
    const opened = await openDatabase(tdb.config, { onIdleError: (err) => idleErrors.push(err) });
    try {
      // Fill the pool with idle connections, then have the server end every one of them.
      await Promise.all([1, 2, 3].map(() => sql`select pg_sleep(0.05)`.execute(opened.db)));
      const admin = await openDatabase({ kind: 'postgres', url: process.env.TEST_POSTGRES_URL! }, { migrate: false });
      const dbName = new URL(tdb.config.kind === 'postgres' ? tdb.config.url : '').pathname.slice(1);
      const { rows: ended } = await sql<{ ended: boolean }>`select pg_terminate_backend(pid) as ended from pg_stat_activity where datname = ${dbName} and pid <> pg_backend_pid()`.execute(admin.db);
      await admin.close();
      expect(ended.length).toBeGreaterThan(0);
      for (let i = 0; i < 200 && idleErrors.length < ended.length; i++) await new Promise((r) => setTimeout(r, 10));
      expect(idleErrors).toHaveLength(ended.length);
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(opened.db);
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await opened.close();
      await tdb.drop();
    }
  });
});
