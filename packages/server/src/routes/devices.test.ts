import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestContext, databaseTargets, deviceHeaders, expectJson, pairDevice, registerUser, type TestContext } from '../test-support/index.js';

describe.each(databaseTargets())('devices and heartbeat on %s', (target) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(target);
  });
  afterAll(async () => {
    await ctx.close();
  });
  const list = async (token: string, qs = '') => expectJson(await ctx.app.inject({ method: 'GET', url: `/api/devices${qs}`, headers: bearer(token) }), 200).data;
  const heartbeat = (key: string, headers: Record<string, string> = {}, payload?: object) =>
    ctx.app.inject({ method: 'POST', url: '/api/sync/heartbeat', headers: { ...deviceHeaders(key), ...headers }, ...(payload ? { payload } : {}) });

  it('lists devices with online state from the last heartbeat (online = within 2x the interval)', async () => {
    const u = await registerUser(ctx);
    const a = await pairDevice(ctx, u.token, { deviceName: 'A' });
    ctx.clock.advance(1); // listing is ordered by pairing time
    await pairDevice(ctx, u.token, { deviceName: 'B' });
    let data = await list(u.token);
    expect(data.count).toBe(2);
    expect(data.devices.map((d: { name: string; online: boolean; lastSyncAt: null }) => [d.name, d.online, d.lastSyncAt])).toEqual([
      ['A', false, null],
      ['B', false, null],
    ]);
    expectJson(await heartbeat(a.apiKey), 200);
    ctx.clock.advance(120_000);
    data = await list(u.token);
    expect(data.devices[1]).toMatchObject({ name: 'B', online: false });
    expect(data.devices[0]).toMatchObject({ name: 'A', online: true, isActive: true });
    expect(data.devices[0].lastSyncAt).toBe(new Date(ctx.clock.now() - 120_000).toISOString());
    ctx.clock.advance(1);
    expect((await list(u.token)).devices[0].online).toBe(false);
  });

  it('heartbeat records the client version and clock offset, returns server time and intervals', async () => {
    const u = await registerUser(ctx);
    const d = await pairDevice(ctx, u.token);
    const deviceTime = new Date(ctx.clock.now() + 3_600_000).toISOString();
    const hb = expectJson(await heartbeat(d.apiKey, { 'x-client-time': deviceTime }, { clientVersion: '0.3.1', platform: 'onion' }), 200).data;
    expect(hb).toEqual({
      deviceId: d.device.id,
      deviceName: d.device.name,
      lastSyncAt: new Date(ctx.clock.now()).toISOString(),
      serverTime: new Date(ctx.clock.now()).toISOString(),
      clockOffsetMs: 3_600_000,
      heartbeatIntervalSeconds: 60,
      pollIntervalSeconds: 300,
      onlineWindowSeconds: 120,
    });
    const epoch = expectJson(await heartbeat(d.apiKey, { 'x-client-time': String(ctx.clock.now() - 5000) }), 200).data;
    expect(epoch.clockOffsetMs).toBe(-5000);
    const row = (await list(u.token)).devices.find((x: { id: string }) => x.id === d.device.id);
    expect(row).toMatchObject({ clientVersion: '0.3.1', clockOffsetMs: -5000 });
    const bad = await heartbeat(d.apiKey, { 'x-client-time': 'yesterday' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.fields[0].field).toBe('x-client-time');
  });

  it('renames and removes only own devices: 404 unknown, 403 another account, key revoked at once', async () => {
    const u = await registerUser(ctx);
    const d = await pairDevice(ctx, u.token);
    const other = await registerUser(ctx);
    const od = await pairDevice(ctx, other.token);
    const renamed = expectJson(await ctx.app.inject({ method: 'PATCH', url: '/api/devices', headers: bearer(u.token), payload: { deviceId: d.device.id, name: 'Living room' } }), 200);
    expect(renamed.data.device).toMatchObject({ id: d.device.id, name: 'Living room' });
    const foreign = await ctx.app.inject({ method: 'PATCH', url: '/api/devices', headers: bearer(u.token), payload: { deviceId: od.device.id, name: 'x' } });
    expect(foreign.statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/devices?deviceId=${od.device.id}`, headers: bearer(u.token) })).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'DELETE', url: '/api/devices?deviceId=nope', headers: bearer(u.token) })).statusCode).toBe(404);
    const missing = await ctx.app.inject({ method: 'DELETE', url: '/api/devices', headers: bearer(u.token) });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().details.fields[0]).toMatchObject({ in: 'query', field: 'deviceId' });
    expectJson(await ctx.app.inject({ method: 'DELETE', url: `/api/devices?deviceId=${d.device.id}`, headers: bearer(u.token) }), 200);
    const revoked = await heartbeat(d.apiKey);
    expect(revoked.statusCode).toBe(401);
    expect((await list(u.token)).count).toBe(0);
    expect((await list(u.token, '?includeRevoked=true')).devices[0]).toMatchObject({ id: d.device.id, isActive: false });
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/devices?deviceId=${d.device.id}`, headers: bearer(u.token) })).statusCode).toBe(404);
    expectJson(await heartbeat(od.apiKey), 200);
  });

  it('writes heartbeats behind: visible at once in this process, in the database after the flush', async () => {
    const u = await registerUser(ctx);
    const d = await pairDevice(ctx, u.token);
    expectJson(await heartbeat(d.apiKey, { 'x-client-time': String(ctx.clock.now() + 42) }, { clientVersion: '9.9.9' }), 200);
    expect((await list(u.token)).devices[0]).toMatchObject({ online: true, clientVersion: '9.9.9', clockOffsetMs: 42 });
    await ctx.app.deps.devices.heartbeats.flush();
    const row = await ctx.db.selectFrom('devices').selectAll().where('id', '=', d.device.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ last_heartbeat_at: ctx.clock.now(), client_version: '9.9.9', clock_offset_ms: 42 });
  });

  it('accepts the device key as a Bearer token too', async () => {
    const u = await registerUser(ctx);
    const d = await pairDevice(ctx, u.token);
    expectJson(await ctx.app.inject({ method: 'POST', url: '/api/sync/heartbeat', headers: bearer(d.apiKey) }), 200);
  });

  it('answers the device list as TSV for shell clients', async () => {
    const u = await registerUser(ctx);
    const d = await pairDevice(ctx, u.token, { deviceName: 'Shelf unit' });
    for (const req of [{ url: '/api/devices?format=tsv', headers: bearer(u.token) }, { url: '/api/devices', headers: { ...bearer(u.token), accept: 'text/tab-separated-values' } }]) {
      const res = await ctx.app.inject({ method: 'GET', ...req });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/tab-separated-values/);
      expect(res.body).toBe(`id\tname\tdeviceType\tonline\tlastSyncAt\tisActive\tcreatedAt\n${d.device.id}\tShelf unit\tlinux\tfalse\t\ttrue\t${new Date(ctx.clock.now()).toISOString()}\n`);
    }
  });
});
