import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, createTestContext, databaseTargets, deviceHeaders, expectJson, pairDevice, registerUser, type TestContext } from '../test-support/index.js';
import type { SyncEvent } from '../events/event-hub.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe.each(databaseTargets())('play leases on %s', (target) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(target);
  });
  afterAll(async () => {
    await ctx.close();
  });

  const claim = (key: string, keys: string[], reason = 'write', qs = '') =>
    ctx.app.inject({ method: 'POST', url: `/api/sync/leases${qs}`, headers: deviceHeaders(key), payload: { keys, reason } });
  const heartbeat = (key: string) => ctx.app.inject({ method: 'POST', url: '/api/sync/heartbeat', headers: deviceHeaders(key) });
  const upload = (key: string, save: string, bytes: string, base?: number) =>
    ctx.app.inject({
      method: 'PUT',
      url: `/api/sync/saves/${save}`,
      headers: { ...deviceHeaders(key), 'content-type': 'application/octet-stream', 'x-content-sha256': sha(bytes), ...(base ? { 'x-base-version': String(base) } : {}) },
      payload: bytes,
    });
  const setup = async () => {
    const u = await registerUser(ctx);
    const a = await pairDevice(ctx, u.token, { deviceName: 'RG35XX+', deviceType: 'rg35xx' });
    const b = await pairDevice(ctx, u.token, { deviceName: 'Miyoo Flip', deviceType: 'miyoo_flip' });
    return { u, a, b };
  };

  it('a claim shows the save as in use on that device since the claim, on the server clock, to the account only', async () => {
    const { u, a } = await setup();
    const start = ctx.clock.now();
    const events: SyncEvent[] = [];
    const off = ctx.app.deps.sync.events.subscribe(u.user.id, (e) => events.push(e));
    const got = expectJson(await claim(a.apiKey, ['gba/Pokémon Emerald/battery']), 200).data;
    expect(got.leases).toEqual([
      {
        key: 'gba/Pokémon Emerald/battery',
        deviceId: a.device.id,
        deviceName: 'RG35XX+',
        reason: 'write',
        since: new Date(start).toISOString(),
        renewedAt: new Date(start).toISOString(),
        expiresAt: new Date(start + 120_000).toISOString(),
        held: true,
      },
    ]);
    // Live on every replica: the hub (LISTEN/NOTIFY on PostgreSQL) delivers it to the account's subscribers.
    await vi.waitFor(() => expect(events).toContainEqual({ type: 'lease', data: { key: 'gba/Pokémon Emerald/battery', deviceId: a.device.id, state: 'taken' } }));
    off();
    const listed = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/leases', headers: bearer(u.token) }), 200).data;
    expect(listed.leases).toHaveLength(1);
    expect(listed.leases[0]).toMatchObject({ deviceName: 'RG35XX+', since: new Date(start).toISOString(), held: false });
    // Another account sees nothing.
    const other = await registerUser(ctx);
    expect(expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/leases', headers: bearer(other.token) }), 200).data.leases).toEqual([]);
  });

  it("another device's claim while the lease is live does not take it: it learns who holds it, since when", async () => {
    const { a, b } = await setup();
    const since = ctx.clock.now();
    expectJson(await claim(a.apiKey, ['gba/Golden Sun/battery'], 'launch'), 200);
    ctx.clock.advance(30_000);
    const got = expectJson(await claim(b.apiKey, ['GBA/golden  sun/battery'.replace('GBA', 'gba')]), 200).data;
    expect(got.leases[0]).toMatchObject({ deviceName: 'RG35XX+', deviceId: a.device.id, held: false, reason: 'launch', since: new Date(since).toISOString() });
    // The holder renewing keeps its "since" and the launch reason (a write during a launched game).
    ctx.clock.advance(30_000);
    const renewed = expectJson(await claim(a.apiKey, ['gba/Golden Sun/battery'], 'write'), 200).data.leases[0];
    expect(renewed).toMatchObject({ held: true, reason: 'launch', since: new Date(since).toISOString(), renewedAt: new Date(ctx.clock.now()).toISOString() });
  });

  it('an upload by another device while the lease is live is warned (body and headers) but judged by the conflict rule as always', async () => {
    const { a, b } = await setup();
    expectJson(await upload(a.apiKey, 'gba/Metroid/battery', 'base'), 200);
    expectJson(await claim(a.apiKey, ['gba/Metroid/battery']), 200);
    const since = ctx.clock.now();
    ctx.clock.advance(1000);
    const res = await upload(b.apiKey, 'gba/Metroid/battery', 'from b', 1);
    const data = expectJson(res, 200).data;
    expect(data.outcome).toBe('accepted');
    expect(data.lease).toMatchObject({ deviceId: a.device.id, deviceName: 'RG35XX+', since: new Date(since).toISOString() });
    expect(res.headers['x-lease-device']).toBe('RG35XX%2B');
    expect(res.headers['x-lease-device-id']).toBe(a.device.id);
    expect(res.headers['x-lease-since']).toBe(String(since));
    // The holder's own upload carries no warning.
    const own = await upload(a.apiKey, 'gba/Metroid/battery', 'from a', 2);
    expect(expectJson(own, 200).data.lease).toBeUndefined();
    expect(own.headers['x-lease-device']).toBeUndefined();
  });

  it('expires when the holder goes offline (no check-in within the online window) — and another device may then take it', async () => {
    const { a, b } = await setup();
    expectJson(await claim(a.apiKey, ['snes/Chrono Trigger/battery']), 200);
    ctx.clock.advance(100_000);
    expectJson(await heartbeat(a.apiKey), 200); // still online: the lease lives on
    ctx.clock.advance(100_000);
    expect(expectJson(await claim(b.apiKey, ['snes/Chrono Trigger/battery']), 200).data.leases[0]).toMatchObject({ held: false, deviceName: 'RG35XX+' });
    ctx.clock.advance(21_000); // 121 s since the last check-in: offline
    const now = ctx.clock.now();
    const taken = expectJson(await claim(b.apiKey, ['snes/Chrono Trigger/battery']), 200).data.leases[0];
    expect(taken).toMatchObject({ held: true, deviceName: 'Miyoo Flip', since: new Date(now).toISOString() });
  });

  it('a write lease expires after its idle window even while the device stays online; a launch lease lasts until released', async () => {
    const { u, a } = await setup();
    expectJson(await claim(a.apiKey, ['gb/Tetris/battery'], 'write'), 200);
    expectJson(await claim(a.apiKey, ['gb/Zelda/battery'], 'launch'), 200);
    for (let t = 0; t < 11; t++) {
      ctx.clock.advance(60_000);
      expectJson(await heartbeat(a.apiKey), 200);
    }
    const keys = (await ctx.app.inject({ method: 'GET', url: '/api/sync/leases', headers: bearer(u.token) })).json().data.leases.map((l: { key: string }) => l.key);
    expect(keys).toEqual(['gb/Zelda/battery']);
    const rel = expectJson(await ctx.app.inject({ method: 'POST', url: '/api/sync/leases/release', headers: deviceHeaders(a.apiKey), payload: { keys: ['gb/Zelda/battery'] } }), 200).data;
    expect(rel).toEqual({ released: 1 });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/sync/leases', headers: bearer(u.token) })).json().data.leases).toEqual([]);
    // The expired write lease's row was swept from the table.
    const rows = await ctx.db.selectFrom('play_leases').select('key').where('user_id', '=', u.user.id).execute();
    expect(rows).toEqual([]);
  });

  it('a removed device holds no lease', async () => {
    const { u, a, b } = await setup();
    expectJson(await claim(a.apiKey, ['nes/Contra/battery']), 200);
    expectJson(await ctx.app.inject({ method: 'DELETE', url: `/api/devices?deviceId=${a.device.id}`, headers: bearer(u.token) }), 200);
    expect(expectJson(await claim(b.apiKey, ['nes/Contra/battery']), 200).data.leases[0]).toMatchObject({ held: true, deviceName: 'Miyoo Flip' });
  });

  it('release only touches the caller’s own leases; bad keys are 400 invalid_key; the shell reads TSV', async () => {
    const { a, b } = await setup();
    expectJson(await claim(a.apiKey, ['gba/Minish Cap/battery']), 200);
    expect(expectJson(await ctx.app.inject({ method: 'POST', url: '/api/sync/leases/release', headers: deviceHeaders(b.apiKey) }), 200).data).toEqual({ released: 0 });
    const bad = await claim(a.apiKey, ['../../etc/passwd']);
    expect(expectJson(bad, 400).code).toBe('invalid_key');
    expect(expectJson(await claim(a.apiKey, []), 400).code).toBe('validation_failed');
    expect(expectJson(await ctx.app.inject({ method: 'POST', url: '/api/sync/leases', headers: deviceHeaders(a.apiKey), payload: { keys: ['gba/X/battery'], reason: 'nap' } }), 400).code).toBe('validation_failed');
    const tsv = await claim(b.apiKey, ['gba/Minish Cap/battery'], 'write', '?format=tsv');
    expect(tsv.statusCode).toBe(200);
    const lines = tsv.body.trim().split('\n');
    expect(lines[0]).toBe('key\tdeviceId\tdeviceName\treason\tsince\texpiresAt\theld');
    expect(lines[1]!.split('\t')).toEqual(['gba/Minish Cap/battery', a.device.id, 'RG35XX+', 'write', expect.any(String), expect.any(String), 'false']);
  });

  it('deleting the account removes its leases and key rotations with it', async () => {
    const { u, a } = await setup();
    expectJson(await claim(a.apiKey, ['gba/Gone/battery']), 200);
    expectJson(await ctx.app.inject({ method: 'POST', url: '/api/devices/key/rotate', headers: deviceHeaders(a.apiKey) }), 201);
    expectJson(await ctx.app.inject({ method: 'DELETE', url: '/api/auth/me', headers: bearer(u.token), payload: { password: u.password } }), 200);
    expect(await ctx.db.selectFrom('play_leases').select('key').where('user_id', '=', u.user.id).execute()).toEqual([]);
    expect(await ctx.db.selectFrom('device_key_rotations').select('device_id').where('user_id', '=', u.user.id).execute()).toEqual([]);
  });

  it('two claims racing for a free save: exactly one device holds it', async () => {
    const { u, a, b } = await setup();
    const [ra, rb] = await Promise.all([claim(a.apiKey, ['gba/Race/battery']), claim(b.apiKey, ['gba/Race/battery'])]);
    const held = [expectJson(ra, 200).data.leases[0].held, expectJson(rb, 200).data.leases[0].held];
    expect(held.filter(Boolean)).toHaveLength(1);
    const listed = (await ctx.app.inject({ method: 'GET', url: '/api/sync/leases', headers: bearer(u.token) })).json().data.leases;
    expect(listed).toHaveLength(1);
  });
});
