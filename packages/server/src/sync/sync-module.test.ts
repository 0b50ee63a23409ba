import { afterEach, describe, expect, it } from 'vitest';
import { createTestContext, databaseTargets, type TestContext } from '../test-support/index.js';
import { createSyncModule, type SyncModule } from './sync-module.js';

describe.each(databaseTargets())('the maintenance loop on %s', (target) => {
  let ctx: TestContext;
  let sync: SyncModule | undefined;
  afterEach(async () => {
    await sync?.close();
    await ctx?.close();
  });

  // Maintenance ran only hourly: a server restarted more often (a laptop, a NAS that sleeps)
  // never applied retention or pruned the audit log.
  it('runs a full maintenance pass soon after start-up, not only an hour later', async () => {
    ctx = await createTestContext(target);
    sync = await createSyncModule({ config: ctx.config, db: ctx.db, clock: ctx.clock, firstMaintenanceMs: 50 });
    let runs = 0;
    sync.onMaintenance(async () => {
      runs++;
    });
    for (let i = 0; i < 100 && runs === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(runs).toBe(1);
  });
});
