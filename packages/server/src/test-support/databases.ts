/**
 * Throwaway databases for tests. `TEST_DATABASES` (comma list, default `sqlite`) picks the
 * targets; CI sets `sqlite,postgres` and `TEST_POSTGRES_URL` (an admin connection). Each call to
 * `createTestDatabase` makes a fresh SQLite file in a temp dir or a uniquely named PostgreSQL
 * database, so parallel test files never share state; `drop()` removes it.
 *
 *   describe.each(databaseTargets())('devices on %s', (target) => { … createTestContext(target) … });
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { DatabaseConfig } from '../config.js';

export type DatabaseTarget = 'sqlite' | 'postgres';

export function databaseTargets(env: Record<string, string | undefined> = process.env): DatabaseTarget[] {
  const raw = (env.TEST_DATABASES ?? 'sqlite').split(',').map((s) => s.trim()).filter(Boolean);
  const out: DatabaseTarget[] = [];
  for (const t of raw) {
    if (t !== 'sqlite' && t !== 'postgres') throw new Error(`TEST_DATABASES: unknown target "${t}" (sqlite, postgres)`);
    if (t === 'postgres' && !env.TEST_POSTGRES_URL) throw new Error('TEST_DATABASES includes postgres but TEST_POSTGRES_URL is unset');
    if (!out.includes(t)) out.push(t);
  }
  return out;
}

export interface TestDatabase {
  config: DatabaseConfig;
  /** Temp directory usable as DATA_DIR (holds the SQLite file for sqlite targets). */
  dataDir: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(target: DatabaseTarget): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'retrosync-test-'));
  const removeDir = () => fs.rmSync(dataDir, { recursive: true, force: true });
  if (target === 'sqlite') {
    return { config: { kind: 'sqlite', file: path.join(dataDir, 'test.db') }, dataDir, drop: async () => removeDir() };
  }
  const adminUrl = process.env.TEST_POSTGRES_URL;
  if (!adminUrl) throw new Error('TEST_POSTGRES_URL is unset');
  const name = `rs_test_${randomBytes(8).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    config: { kind: 'postgres', url: url.toString() },
    dataDir,
    async drop() {
      removeDir();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
