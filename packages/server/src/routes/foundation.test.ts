import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes } from '@retrosync/api';
import { createTestContext, databaseTargets, bearer, deviceHeaders, expectJson, userWithDevice, type TestContext } from '../test-support/index.js';

describe.each(databaseTargets())('foundation on %s', (target) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(target);
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('answers /healthz after checking the database', async () => {
    const body = expectJson(await ctx.app.inject({ method: 'GET', url: '/healthz' }), 200);
    expect(body).toMatchObject({ success: true, data: { status: 'ok', database: 'ok' } });
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json()).toMatchObject({ success: false, code: 'route_not_found' });
  });

  it('serves every contract route', () => {
    for (const r of allRoutes) expect(ctx.app.hasRoute({ method: r.method, url: r.path }), `${r.method} ${r.path}`).toBe(true);
  });

  it('registers, pairs, heartbeats and logs in one flow', async () => {
    const u = await userWithDevice(ctx);
    const hb = expectJson(await ctx.app.inject({ method: 'POST', url: '/api/sync/heartbeat', headers: deviceHeaders(u.device.apiKey) }), 200);
    expect(hb.data.deviceId).toBe(u.device.device.id);
    const list = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/devices', headers: bearer(u.token) }), 200);
    expect(list.data.devices.map((d: { id: string; online: boolean }) => [d.id, d.online])).toEqual([[u.device.device.id, true]]);
  });
});
