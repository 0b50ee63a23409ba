/**
 * Concurrency of the change feed. On PostgreSQL two server replicas share the database and the
 * S3 bucket (as behind a load balancer): a long poll on one is woken by an upload on the other
 * (LISTEN/NOTIFY), and concurrent writers never make a reader skip a change or reuse a version
 * number. On SQLite (one embedded process) the same writer/reader race runs on one app.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, deviceHeaders, expectJson, pairDevice, userWithDevice, type TestContext } from '../packages/server/src/test-support/index.js';
import { createSyncTestContext, syncTargets, upload, replicasOf } from '../packages/server/src/sync/test-support/sync-context.js';

describe.each(syncTargets())('feed concurrency on %s', (target) => {
  let ctx: TestContext;
  let replicas: FastifyInstance[];
  let closeSecond: () => Promise<void> = async () => {};
  beforeAll(async () => {
    ctx = await createSyncTestContext(target);
    ({ apps: replicas, close: closeSecond } = await replicasOf(ctx));
  });
  afterAll(async () => {
    await closeSecond();
    await ctx?.close();
  });

  it('concurrent uploads through every replica: no version number reused, no change skipped by a polling reader', async () => {
    const u = await userWithDevice(ctx);
    const devices = [u.device.apiKey, (await pairDevice(ctx, u.token)).apiKey, (await pairDevice(ctx, u.token)).apiKey];
    const reader = devices[0]!;
    const N = 45;
    let done = false;
    const seen = new Map<string, number>();
    const cursors: number[] = [];
    const poll = (async () => {
      let cursor = 0;
      while (!done) {
        const app = replicas[cursors.length % replicas.length]!;
        const page = expectJson(await app.inject({ method: 'GET', url: `/api/sync/files?since=${cursor}`, headers: deviceHeaders(reader) }), 200).data;
        for (const f of page.files) seen.set(f.key, f.version);
        expect(page.cursor).toBeGreaterThanOrEqual(cursor);
        cursor = page.cursor;
        cursors.push(cursor);
        // inject + synchronous SQLite can finish in microtasks alone: let the uploads' I/O run.
        await new Promise((r) => setImmediate(r));
      }
      return cursor;
    })();
    // Each key changes exactly once, so a skipped feed position would lose that key for good.
    const shared = 'gba/Shared/battery';
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) => {
        const app = replicas[i % replicas.length]!;
        const key = i % 3 === 0 ? shared : `gba/Game ${i}/battery`;
        return upload({ ...ctx, app } as TestContext, devices[i % 3]!, key, `bytes ${i}`).then((r) => ({ key, data: expectJson(r, 200).data }));
      }),
    );
    done = true;
    const last = await poll;
    const final = expectJson(await ctx.app.inject({ method: 'GET', url: `/api/sync/files?since=${last}`, headers: deviceHeaders(reader) }), 200).data;
    for (const f of final.files) seen.set(f.key, f.version);

    expect(cursors.length).toBeGreaterThan(3); // the reader really raced the writers
    const keys = new Set(results.map((r) => r.key));
    expect(new Set(seen.keys())).toEqual(keys);
    const sharedVersions = results.filter((r) => r.key === shared).map((r) => r.data.stored.version).sort((a, b) => a - b);
    expect(sharedVersions).toEqual(Array.from({ length: sharedVersions.length }, (_, i) => i + 1));
    const head = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/files', headers: deviceHeaders(reader) }), 200).data;
    expect(head.files.find((f: { key: string }) => f.key === shared).version).toBe(seen.get(shared));
    expect(head.cursor).toBe(Math.max(last, final.cursor));
  });

  it('a long poll on one replica wakes within 100 ms of an upload on another', async () => {
    const u = await userWithDevice(ctx);
    const other = await pairDevice(ctx, u.token);
    const waiter = replicas[replicas.length - 1]!;
    const poll = waiter.inject({ method: 'GET', url: '/api/sync/files?since=0&wait=20', headers: deviceHeaders(u.device.apiKey) });
    await new Promise((r) => setTimeout(r, 300));
    const res = await upload(ctx, other.apiKey, 'gba/Wake/battery', 'wake');
    const sent = performance.now();
    expectJson(res, 200);
    const page = expectJson(await poll, 200).data;
    expect(performance.now() - sent).toBeLessThan(100);
    expect(page.files.map((f: { key: string }) => f.key)).toEqual(['gba/Wake/battery']);
  });

  it('revoking a device on one replica stops its key on every replica at once, and ends its event stream there', async () => {
    const u = await userWithDevice(ctx);
    const other = replicas[replicas.length - 1]!;
    const files = () => other.inject({ method: 'GET', url: '/api/sync/files', headers: deviceHeaders(u.device.apiKey) });
    // The other replica has the key in its cache (a request a moment ago).
    expectJson(await files(), 200);
    const address = other.server.listening ? other.server.address() : (await other.listen({ port: 0, host: '127.0.0.1' }), other.server.address());
    const port = typeof address === 'object' && address ? address.port : 0;
    const stream = await fetch(`http://127.0.0.1:${port}/api/sync/events`, { headers: deviceHeaders(u.device.apiKey) });
    expect(stream.status).toBe(200);
    const ended = (async () => {
      for await (const _ of stream.body!) {
        // read until the server ends the stream
      }
    })();
    expectJson(await ctx.app.inject({ method: 'DELETE', url: `/api/devices?deviceId=${u.device.device.id}`, headers: bearer(u.token) }), 200);
    const revokedAt = performance.now();
    // Without the pushed notice the cached key would keep working for 5 s.
    let status = (await files()).statusCode;
    while (status === 200 && performance.now() - revokedAt < 100) {
      await new Promise((r) => setTimeout(r, 2));
      status = (await files()).statusCode;
    }
    expect(status).toBe(401);
    await ended;
    expect(performance.now() - revokedAt).toBeLessThan(1000);
  });
});
