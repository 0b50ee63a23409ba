import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SyncEvent } from '../events/event-hub.js';
import { bearer, createTestContext, databaseTargets, deviceHeaders, pairDevice, userWithDevice, type TestContext } from '../test-support/index.js';

describe.each(databaseTargets())('presence and log events on %s', (target) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createTestContext(target);
  });
  afterEach(async () => {
    await ctx?.close();
  });

  function collect(userId: string): SyncEvent[] {
    const seen: SyncEvent[] = [];
    ctx.app.deps.sync.events.subscribe(userId, (e) => seen.push(e));
    return seen;
  }
  const heartbeat = (apiKey: string) =>
    ctx.app.inject({ method: 'POST', url: '/api/sync/heartbeat', headers: deviceHeaders(apiKey), payload: {} });
  const until = async (what: () => boolean) => {
    for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(what()).toBe(true);
  };

  it('announces a device online at its first check-in only, and offline once its window lapses', async () => {
    const u = await userWithDevice(ctx);
    const events = collect(u.user.id);
    const deviceId = u.device.device.id;
    expect((await heartbeat(u.device.apiKey)).statusCode).toBe(200);
    await until(() => events.length === 1);
    expect(events).toEqual([{ type: 'device', data: { deviceId, online: true } }]);

    ctx.clock.advance(30_000);
    await heartbeat(u.device.apiKey);
    await ctx.app.deps.presence.sweep();
    expect(events).toHaveLength(1); // still online: no second event

    ctx.clock.advance(ctx.app.deps.devices.onlineWindowMs + 1);
    await ctx.app.deps.devices.heartbeats.flush();
    await ctx.app.deps.presence.sweep();
    await until(() => events.length === 2);
    expect(events[1]).toEqual({ type: 'device', data: { deviceId, online: false } });
    const list = await ctx.app.inject({ method: 'GET', url: '/api/devices', headers: bearer(u.token) });
    expect(list.json().data.devices[0]).toMatchObject({ id: deviceId, online: false });

    await heartbeat(u.device.apiKey);
    await until(() => events.length === 3);
    expect(events[2]).toEqual({ type: 'device', data: { deviceId, online: true } });
  });

  it('does not report offline a device whose check-ins reach the database through another replica', async () => {
    const u = await userWithDevice(ctx);
    const events = collect(u.user.id);
    await heartbeat(u.device.apiKey);
    await until(() => events.length === 1);
    ctx.clock.advance(ctx.app.deps.devices.onlineWindowMs + 1);
    // Another replica recorded a fresh check-in.
    await ctx.db.updateTable('devices').set({ last_heartbeat_at: ctx.clock.now() - 1000 }).where('id', '=', u.device.device.id).execute();
    await ctx.app.deps.presence.sweep();
    expect(events).toHaveLength(1);
  });

  // bench:fleet: every replica announced every device online once (30,000 notifications for a
  // fleet of 10,000 behind three replicas).
  it('does not announce online a device whose last check-in, through another replica, is recent', async () => {
    const u = await userWithDevice(ctx);
    const events = collect(u.user.id);
    await ctx.db.updateTable('devices').set({ last_heartbeat_at: ctx.clock.now() - 1000 }).where('id', '=', u.device.device.id).execute();
    expect((await heartbeat(u.device.apiKey)).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(events).toEqual([]);
  });

  it('announces a removed device offline, and new log entries to the owner only', async () => {
    const u = await userWithDevice(ctx);
    const other = await userWithDevice(ctx);
    expect(other.user.id).not.toBe(u.user.id);
    const events = collect(u.user.id);
    const othersEvents = collect(other.user.id);
    const pc = await pairDevice(ctx, u.token, { deviceName: 'PC' });

    const log = await ctx.app.inject({
      method: 'POST',
      url: '/api/sync/log',
      headers: deviceHeaders(pc.apiKey),
      payload: { action: 'upload', filePath: 'Saves/GBA/Zelda.gba.sav', fileSize: 32768 },
    });
    expect(log.statusCode).toBe(201);
    await until(() => events.some((e) => e.type === 'log'));
    expect(events.find((e) => e.type === 'log')?.data).toMatchObject({ deviceId: pc.device.id, action: 'upload', filePath: 'Saves/GBA/Zelda.gba.sav' });

    const removed = await ctx.app.inject({ method: 'DELETE', url: `/api/devices?deviceId=${pc.device.id}`, headers: bearer(u.token) });
    expect(removed.statusCode).toBe(200);
    await until(() => events.some((e) => e.type === 'device'));
    expect(events.filter((e) => e.type === 'device')).toEqual([{ type: 'device', data: { deviceId: pc.device.id, online: false } }]);
    expect(othersEvents).toEqual([]);
  });
});
