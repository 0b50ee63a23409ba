/**
 * One call gives a test a running app on its own fresh database:
 *
 *   const ctx = await createTestContext(target);              // app, db, config, clock, close
 *   const res = await ctx.app.inject({ method: 'GET', url: '/healthz' });
 *   await ctx.close();                                         // closes app, drops the database
 *
 * Defaults: no logging, replies checked against their contract (`validateResponses`), a
 * ManualClock (advance it instead of sleeping), production limits. Override env-style settings
 * with `env` (e.g. `{ PAIRING_GLOBAL_FAILURES: '1000' }`), or anything with `configure`.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { buildApp } from '../app.js';
import type { RouteModule } from '../app-deps.js';
import { ManualClock } from '../clock.js';
import { loadConfig, type Config } from '../config.js';
import { openDatabase, type Dialect } from '../db/open.js';
import type { Database } from '../db/schema.js';
import { createTestDatabase, type DatabaseTarget } from './databases.js';

export interface TestContext {
  target: DatabaseTarget;
  app: FastifyInstance;
  db: Kysely<Database>;
  dialect: Dialect;
  config: Config;
  clock: ManualClock;
  jwtSecret: string;
  close(): Promise<void>;
}

export interface TestContextOptions {
  env?: Record<string, string>;
  configure?: (config: Config) => Config;
  clock?: ManualClock;
  logger?: FastifyBaseLogger | false;
  routeModules?: readonly RouteModule[];
}

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export async function createTestContext(target: DatabaseTarget, options: TestContextOptions = {}): Promise<TestContext> {
  const testDb = await createTestDatabase(target);
  let config = loadConfig({ DATA_DIR: testDb.dataDir, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent', ...options.env });
  config = { ...config, database: testDb.config };
  if (options.configure) config = options.configure(config);
  const opened = await openDatabase(config.database, { poolSize: 4 });
  const clock = options.clock ?? new ManualClock();
  let app: FastifyInstance;
  try {
    app = await buildApp({
      config,
      db: opened.db,
      dialect: opened.dialect,
      jwtSecret: TEST_JWT_SECRET,
      clock,
      logger: options.logger ?? false,
      validateResponses: true,
      ...(options.routeModules ? { routeModules: options.routeModules } : {}),
    });
    await app.ready();
  } catch (err) {
    await opened.close();
    await testDb.drop();
    throw err;
  }
  return {
    target,
    app,
    db: opened.db,
    dialect: opened.dialect,
    config,
    clock,
    jwtSecret: TEST_JWT_SECRET,
    async close() {
      await app.close();
      await opened.close();
      await testDb.drop();
    },
  };
}
