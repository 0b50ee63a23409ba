/**
 * A second server on the same database as a test context: what two replicas behind a load
 * balancer look like (same DATA_DIR, same PostgreSQL, each its own process state).
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../app.js';
import { openDatabase } from '../../db/open.js';
import type { TestContext } from '../../test-support/index.js';

export async function startReplica(ctx: TestContext): Promise<{ app: FastifyInstance; close(): Promise<void> }> {
  const opened = await openDatabase(ctx.config.database, { poolSize: 4 });
  const app = await buildApp({ config: ctx.config, db: opened.db, dialect: opened.dialect, jwtSecret: ctx.jwtSecret, clock: ctx.clock, logger: false, validateResponses: true });
  await app.ready();
  return {
    app,
    async close() {
      await app.close();
      await opened.close();
    },
  };
}
