import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../db/open.js';
import { createTestDatabase, databaseTargets, type TestDatabase } from '../test-support/databases.js';
import type { SyncEvent } from './event-hub.js';
import { PgEventHub } from './pg-event-hub.js';

const targets = databaseTargets().filter((t) => t === 'postgres');
if (targets.length === 0) {
  describe('PgEventHub', () => it.skip('needs PostgreSQL: set TEST_DATABASES=sqlite,postgres and TEST_POSTGRES_URL (CI does)', () => {}));
}

describe.each(targets)('PgEventHub between two replicas on %s', (target) => {
  let testDb: TestDatabase;
  let opened: OpenedDatabase;
  let a: PgEventHub;
  let b: PgEventHub;
  beforeAll(async () => {
    testDb = await createTestDatabase(target);
    opened = await openDatabase(testDb.config, { poolSize: 3 });
    const url = testDb.config.kind === 'postgres' ? testDb.config.url : '';
    a = await PgEventHub.start(url, opened.db);
    b = await PgEventHub.start(url, opened.db);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await opened?.close();
    await testDb?.drop();
  });

  // Events published together (a fleet coming online) go out in a few statements, not one pool
  // connection each; nothing may be lost or reordered on the way.
  it('delivers a burst published in one turn to the other replica, all of it and in order', async () => {
    const seen: number[] = [];
    const done = new Promise<void>((resolve) =>
      b.subscribe('u1', (e: SyncEvent) => {
        if (e.type === 'device') seen.push(Number(e.data.deviceId));
        if (seen.length === 250) resolve();
      }),
    );
    await Promise.all(Array.from({ length: 250 }, (_, i) => a.publish('u1', { type: 'device', data: { deviceId: String(i), online: true } })));
    await done;
    expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => i));
  });

  it('delivers control notices to every replica, the sender at once', async () => {
    const heardByB = new Promise((resolve) => b.onControl(resolve));
    const heardByA: unknown[] = [];
    a.onControl((n) => heardByA.push(n));
    await a.publishControl({ type: 'forget-device', deviceId: 'd1' });
    expect(heardByA[0]).toEqual({ type: 'forget-device', deviceId: 'd1' });
    expect(await heardByB).toEqual({ type: 'forget-device', deviceId: 'd1' });
  });

  it('fails every publish of a batch that could not be sent', async () => {
    const broken = await openDatabase(testDb.config, { poolSize: 1 });
    const url = testDb.config.kind === 'postgres' ? testDb.config.url : '';
    const hub = await PgEventHub.start(url, broken.db);
    await broken.close();
    const results = await Promise.allSettled([hub.publish('u1', { type: 'resync', data: {} }), hub.publish('u1', { type: 'resync', data: {} })]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await hub.close();
  });
});
