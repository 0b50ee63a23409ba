/**
 * Opens the database: Kysely over better-sqlite3 (WAL, foreign keys on, 5 s busy timeout) for
 * `file:` URLs, or over a `pg` Pool for `postgres://` (int8/numeric come back as JS numbers, so
 * epoch-ms columns behave the same as on SQLite). Migrations are applied by `openDatabase`
 * unless `migrate: false`.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresAdapter, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config.js';
import { migrateToLatest } from './migrate.js';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface OpenedDatabase {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
  /** PostgreSQL: connections in the pool by state (for metrics). */
  poolStats?: () => { total: number; idle: number; waiting: number };
}

/** Which dialect a Kysely instance (or transaction) runs on, for the rare dialect-specific query. */
export function dialectOf(db: Kysely<any>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    // 20 = int8, 1700 = numeric: epoch ms and sizes fit in a double.
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/**
 * A pg Pool. An idle connection that the server ends (PostgreSQL restarted, an administrator
 * terminated it) is an `error` event on the pool: the pool drops that connection and the next
 * query opens a new one, so it is reported to `onIdleError` — without a listener Node would
 * treat it as an uncaught error and stop the whole server.
 */
export function createPgPool(url: string, max = 10, onIdleError: (err: Error) => void = () => {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, types: pgTypes as pg.CustomTypesConfig });
  pool.on('error', onIdleError);
  return pool;
}

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs more than running a small
 * indexed query. Cache statements by SQL text (bounded), falling back to a fresh statement
 * when the cached one is still iterating (a streamed query in progress).
 */
function cachePreparedStatements(sqlite: SQLite.Database, max = 500): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  sqlite.prepare = ((source: string) => {
    const hit = cache.get(source);
    if (hit && !hit.busy) return hit;
    const stmt = prepare(source);
    if (!hit) {
      if (cache.size >= max) cache.clear();
      cache.set(source, stmt);
    }
    return stmt;
  }) as SQLite.Database['prepare'];
  return sqlite;
}

export interface OpenDatabaseOptions {
  migrate?: boolean;
  poolSize?: number;
  /** PostgreSQL: an idle connection was ended by the server (see createPgPool). */
  onIdleError?: (err: Error) => void;
}

export async function openDatabase(config: DatabaseConfig, options: OpenDatabaseOptions = {}): Promise<OpenedDatabase> {
  let opened: OpenedDatabase;
  if (config.kind === 'sqlite') {
    fs.mkdirSync(path.dirname(config.file), { recursive: true });
    const sqlite = new SQLite(config.file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('synchronous = NORMAL');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachePreparedStatements(sqlite) }) });
    opened = { db, dialect: 'sqlite', close: () => db.destroy() };
  } else {
    const pool = createPgPool(config.url, options.poolSize ?? 10, options.onIdleError);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    opened = {
      db,
      dialect: 'postgres',
      close: () => db.destroy(),
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    };
  }
  if (options.migrate !== false) {
    try {
      await migrateToLatest(opened.db);
    } catch (err) {
      await opened.close();
      throw err;
    }
  }
  return opened;
}
