import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, createTestContext, databaseTargets, deviceHeaders, expectJson, pairDevice, registerUser, type TestContext } from '../test-support/index.js';
import type { SyncEvent } from '../events/event-hub.js';
import { PENDING_KEY_TTL_MS } from './key-rotation.js';

describe.each(databaseTargets())('device key rotation on %s', (target) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(target);
  });
  afterAll(async () => {
    await ctx.close();
  });

  const post = (url: string, headers: Record<string, string>, payload?: object) => ctx.app.inject({ method: 'POST', url, headers, ...(payload ? { payload } : {}) });
  const heartbeat = (key: string) => post('/api/sync/heartbeat', deviceHeaders(key));
  const rotate = (key: string) => post('/api/devices/key/rotate', deviceHeaders(key));
  const confirm = (key: string) => post('/api/devices/key/confirm', deviceHeaders(key));

  it('the device rotates its own key: both work until the new one is used, then the old one is refused at once', async () => {
    const u = await registerUser(ctx);
    const d = await pairDevice(ctx, u.token, { deviceName: 'Deck' });
    expectJson(await heartbeat(d.apiKey), 200); // the old key is in the key cache now
    const r = expectJson(await rotate(d.apiKey), 201).data;
    expect(r.apiKey).toMatch(/^[0-9a-f]{64}$/);
    expect(r.apiKey).not.toBe(d.apiKey);
    expect(r.deviceId).toBe(d.device.id);
    // Overlap: the old key still works (a crash before the device stored the new key loses nothing).
    expectJson(await heartbeat(d.apiKey), 200);
    const state = expectJson(await confirm(r.apiKey), 200).data;
    expect(state).toMatchObject({ deviceId: d.device.id, pendingSince: null, requestedAt: null, rotatedAt: new Date(ctx.clock.now()).toISOString() });
    const old = await heartbeat(d.apiKey);
    expect(expectJson(old, 401).code).toBe('unauthorized');
    expectJson(await heartbeat(r.apiKey), 200);
    // The account's audit log records it, with the address and user agent of the first request made with the new key.
    const audit = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/auth/audit-log', headers: bearer(u.token) }), 200).data;
    const rotated = audit.events.filter((e: { event: string }) => e.event === 'key_rotated');
    expect(rotated).toHaveLength(1);
    expect(rotated[0]).toMatchObject({ ip: '127.0.0.1', detail: { deviceId: d.device.id, deviceName: 'Deck', by: 'device' } });
    // Same device, same history: no re-pairing.
    const devices = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/devices', headers: bearer(u.token) }), 200).data.devices;
    expect(devices.map((x: { id: string }) => x.id)).toEqual([d.device.id]);
  });

  it('a crash before the new key was stored: the old key still works and asking again replaces the unused key', async () => {
    const u = await registerUser(ctx);
    const d = await pairDevice(ctx, u.token);
    const lost = expectJson(await rotate(d.apiKey), 201).data.apiKey; // never written to the device's config
    const again = expectJson(await rotate(d.apiKey), 201).data.apiKey;
    expect(expectJson(await heartbeat(lost), 401).code).toBe('unauthorized');
    expectJson(await confirm(again), 200);
    expect(expectJson(await heartbeat(d.apiKey), 401).code).toBe('unauthorized');
  });

  it('a crash after storing the new key, before confirming: any first request with it confirms', async () => {
    const u = await registerUser(ctx);
    const d = await pairDevice(ctx, u.token);
    const next = expectJson(await rotate(d.apiKey), 201).data.apiKey;
    expectJson(await heartbeat(next), 200); // not the confirm call: still promotes
    expect(expectJson(await heartbeat(d.apiKey), 401).code).toBe('unauthorized');
    expect(expectJson(await confirm(next), 200).data.rotatedAt).not.toBeNull();
  });

  it('an unused new key lapses after 7 days; the old key still works then', async () => {
    const u = await registerUser(ctx);
    const d = await pairDevice(ctx, u.token);
    const next = expectJson(await rotate(d.apiKey), 201).data.apiKey;
    ctx.clock.advance(PENDING_KEY_TTL_MS + 1);
    expect(expectJson(await heartbeat(next), 401).code).toBe('unauthorized');
    expectJson(await heartbeat(d.apiKey), 200);
  });

  it('the dashboard requests a rotation: the device hears it live and in its heartbeat, rotates, and the request clears', async () => {
    const u = await registerUser(ctx);
    const d = await pairDevice(ctx, u.token, { deviceName: 'Mini' });
    const events: SyncEvent[] = [];
    const off = ctx.app.deps.sync.events.subscribe(u.user.id, (e) => events.push(e));
    expect(expectJson(await heartbeat(d.apiKey), 200).data.keyRotation).toBeUndefined();
    const req = expectJson(await post('/api/devices/rotate-key', bearer(u.token), { deviceId: d.device.id }), 200).data;
    expect(req.keyRotation).toMatchObject({ deviceId: d.device.id, requestedAt: new Date(ctx.clock.now()).toISOString(), pendingSince: null, rotatedAt: null });
    expect(req.device).toMatchObject({ id: d.device.id, name: 'Mini' });
    await vi.waitFor(() => expect(events).toContainEqual({ type: 'key', data: { deviceId: d.device.id, state: 'requested' } }));
    expect(expectJson(await heartbeat(d.apiKey), 200).data.keyRotation).toBe('requested');
    const next = expectJson(await rotate(d.apiKey), 201).data.apiKey;
    expect(expectJson(await ctx.app.inject({ method: 'GET', url: `/api/devices/key-rotation?deviceId=${d.device.id}`, headers: bearer(u.token) }), 200).data.pendingSince).not.toBeNull();
    expectJson(await confirm(next), 200);
    await vi.waitFor(() => expect(events).toContainEqual({ type: 'key', data: { deviceId: d.device.id, state: 'rotated' } }));
    off();
    expect(expectJson(await heartbeat(next), 200).data.keyRotation).toBeUndefined();
    const state = expectJson(await ctx.app.inject({ method: 'GET', url: `/api/devices/key-rotation?deviceId=${d.device.id}`, headers: bearer(u.token) }), 200).data;
    expect(state).toMatchObject({ requestedAt: null, pendingSince: null, rotatedAt: new Date(ctx.clock.now()).toISOString() });
  });

  it("another account cannot request or read a device's rotation (403), unknown ids are 404, a device key cannot request it", async () => {
    const u = await registerUser(ctx);
    const d = await pairDevice(ctx, u.token);
    const other = await registerUser(ctx);
    expect(expectJson(await post('/api/devices/rotate-key', bearer(other.token), { deviceId: d.device.id }), 403).code).toBe('forbidden');
    expect(expectJson(await ctx.app.inject({ method: 'GET', url: `/api/devices/key-rotation?deviceId=${d.device.id}`, headers: bearer(other.token) }), 403).code).toBe('forbidden');
    expect(expectJson(await post('/api/devices/rotate-key', bearer(u.token), { deviceId: 'nope' }), 404).code).toBe('not_found');
    expect(expectJson(await post('/api/devices/rotate-key', deviceHeaders(d.apiKey), { deviceId: d.device.id }), 403).code).toBe('wrong_credential_type');
  });

  it('a removed device cannot rotate its way back: its pending key is refused too', async () => {
    const u = await registerUser(ctx);
    const d = await pairDevice(ctx, u.token);
    const next = expectJson(await rotate(d.apiKey), 201).data.apiKey;
    expectJson(await ctx.app.inject({ method: 'DELETE', url: `/api/devices?deviceId=${d.device.id}`, headers: bearer(u.token) }), 200);
    expect(expectJson(await heartbeat(next), 401).code).toBe('unauthorized');
    expect(expectJson(await heartbeat(d.apiKey), 401).code).toBe('unauthorized');
  });
});
