/**
 * Play leases and key rotation across server replicas. On PostgreSQL two replicas share the
 * database (as behind a load balancer): a key rotated through one is refused by the other at once
 * (the key cache is told over the event hub's control channel, as for revocation), and a lease
 * taken through one replica is seen — and live-pushed — on the other. On SQLite (one embedded
 * process) the same checks run against the one app.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, deviceHeaders, expectJson, pairDevice, userWithDevice, type TestContext } from '../packages/server/src/test-support/index.js';
import { buildApp } from '../packages/server/src/app.js';
import { openDatabase } from '../packages/server/src/db/open.js';
import { createSyncTestContext, syncTargets, replicasOf } from '../packages/server/src/sync/test-support/sync-context.js';

async function listen(app: FastifyInstance): Promise<number> {
  const address = app.server.listening ? app.server.address() : (await app.listen({ port: 0, host: '127.0.0.1' }), app.server.address());
  return typeof address === 'object' && address ? address.port : 0;
}

describe.each(syncTargets())('leases and key rotation across replicas on %s', (target) => {
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

  it('a key rotated through one replica is refused by the other at once; the new key works on both; the old key\'s event stream ends', async () => {
    if (target === 'postgres') expect(replicas).toHaveLength(2);
    const u = await userWithDevice(ctx);
    const [first, other] = [replicas[0]!, replicas[replicas.length - 1]!];
    const files = (app: FastifyInstance, key: string) => app.inject({ method: 'GET', url: '/api/sync/files', headers: deviceHeaders(key) });
    // The other replica holds the old key in its key cache.
    expectJson(await files(other, u.device.apiKey), 200);
    const port = await listen(other);
    const stream = await fetch(`http://127.0.0.1:${port}/api/sync/events`, { headers: deviceHeaders(u.device.apiKey) });
    expect(stream.status).toBe(200);
    const ended = (async () => {
      for await (const _ of stream.body!) {
        // read until the server ends the stream
      }
    })();
    const next = expectJson(await first.inject({ method: 'POST', url: '/api/devices/key/rotate', headers: deviceHeaders(u.device.apiKey) }), 201).data.apiKey;
    // Overlap until the new key is used: the old one still works on the other replica.
    expectJson(await files(other, u.device.apiKey), 200);
    expectJson(await first.inject({ method: 'POST', url: '/api/devices/key/confirm', headers: deviceHeaders(next) }), 200);
    const rotatedAt = performance.now();
    let status = (await files(other, u.device.apiKey)).statusCode;
    while (status === 200 && performance.now() - rotatedAt < 100) {
      await new Promise((r) => setTimeout(r, 2));
      status = (await files(other, u.device.apiKey)).statusCode;
    }
    const refusedAfterMs = performance.now() - rotatedAt;
    // Without the pushed notice the cached old key would work for 5 s; no request made 100 ms or
    // more after the rotation is answered with it (the same bound as revocation in sync-replicas).
    expect(status).toBe(401);
    console.log(`[lease-replicas ${target}] old key refused on the other replica ${refusedAfterMs.toFixed(1)} ms after the rotation`);
    await ended;
    for (const app of replicas) expectJson(await files(app, next), 200);
    expect((await files(first, u.device.apiKey)).statusCode).toBe(401);
  });

  it("the dashboard's rotation request reaches the device's check-ins on every replica, and clears everywhere once it rotated", async () => {
    const u = await userWithDevice(ctx);
    const [first, other] = [replicas[0]!, replicas[replicas.length - 1]!];
    const beat = async (app: FastifyInstance, key: string) => expectJson(await app.inject({ method: 'POST', url: '/api/sync/heartbeat', headers: deviceHeaders(key) }), 200).data;
    expect((await beat(other, u.device.apiKey)).keyRotation).toBeUndefined();
    expectJson(await first.inject({ method: 'POST', url: '/api/devices/rotate-key', headers: bearer(u.token), payload: { deviceId: u.device.device.id } }), 200);
    const askedAt = performance.now();
    while ((await beat(other, u.device.apiKey)).keyRotation !== 'requested') {
      expect(performance.now() - askedAt).toBeLessThan(1000);
      await new Promise((r) => setTimeout(r, 5));
    }
    const next = expectJson(await other.inject({ method: 'POST', url: '/api/devices/key/rotate', headers: deviceHeaders(u.device.apiKey) }), 201).data.apiKey;
    expectJson(await other.inject({ method: 'POST', url: '/api/devices/key/confirm', headers: deviceHeaders(next) }), 200);
    const doneAt = performance.now();
    while ((await beat(first, next)).keyRotation !== undefined) {
      expect(performance.now() - doneAt).toBeLessThan(1000);
      await new Promise((r) => setTimeout(r, 5));
    }
    // A replica started now learns the outstanding requests from the database.
    if (ctx.dialect === 'postgres') {
      expectJson(await first.inject({ method: 'POST', url: '/api/devices/rotate-key', headers: bearer(u.token), payload: { deviceId: u.device.device.id } }), 200);
      const opened = await openDatabase(ctx.config.database, { poolSize: 2 });
      const third = await buildApp({ config: ctx.config, db: opened.db, dialect: opened.dialect, jwtSecret: ctx.jwtSecret, clock: ctx.clock, logger: false });
      try {
        await third.ready();
        expect((await beat(third, next)).keyRotation).toBe('requested');
      } finally {
        await third.close();
        await opened.close();
      }
    }
  });

  it('a lease taken through one replica shows on the other and reaches its dashboard stream live', async () => {
    const u = await userWithDevice(ctx, { deviceName: 'RG35XX+' });
    const b = await pairDevice(ctx, u.token, { deviceName: 'Miyoo Flip' });
    const [first, other] = [replicas[0]!, replicas[replicas.length - 1]!];
    const port = await listen(other);
    const stream = await fetch(`http://127.0.0.1:${port}/api/sync/events`, { headers: bearer(u.token) });
    const reader = stream.body!.getReader();
    let text = '';
    const sawLease = (async () => {
      while (!text.includes('event: lease')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    expectJson(await first.inject({ method: 'POST', url: '/api/sync/leases', headers: deviceHeaders(u.device.apiKey), payload: { keys: ['gba/Golden Sun/battery'], reason: 'launch' } }), 200);
    await sawLease;
    expect(text).toContain('"state":"taken"');
    await reader.cancel();
    const listed = expectJson(await other.inject({ method: 'GET', url: '/api/sync/leases', headers: bearer(u.token) }), 200).data.leases;
    expect(listed).toMatchObject([{ key: 'gba/Golden Sun/battery', deviceName: 'RG35XX+', reason: 'launch' }]);
    // The other device, talking to the other replica, is told the save is in use.
    const claim = expectJson(await other.inject({ method: 'POST', url: '/api/sync/leases', headers: deviceHeaders(b.apiKey), payload: { keys: ['gba/Golden Sun/battery'] } }), 200).data;
    expect(claim.leases[0]).toMatchObject({ held: false, deviceName: 'RG35XX+' });
  });
});
