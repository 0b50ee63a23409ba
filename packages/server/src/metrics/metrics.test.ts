/**
 * /metrics: off unless configured, token-protected, and fed by real traffic (route-pattern labels,
 * outcomes, held long polls, bytes).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createTestContext, deviceHeaders, expectJson, userWithDevice, type TestContext } from '../test-support/index.js';
import { upload } from '../sync/test-support/sync-context.js';

const TOKEN = 'metrics-token-0123456789';

describe('GET /metrics', () => {
  let ctx: TestContext | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  it('is off by default: 404 in the error envelope', async () => {
    ctx = await createTestContext('sqlite');
    const res = await ctx.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ success: false, code: 'not_found' });
  });

  it('with METRICS_TOKEN: 401 without the token or with a wrong one, 200 with it', async () => {
    ctx = await createTestContext('sqlite', { env: { METRICS_TOKEN: TOKEN } });
    const none = await ctx.app.inject({ method: 'GET', url: '/metrics' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ success: false, code: 'unauthorized' });
    const wrong = await ctx.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.statusCode).toBe(401);
    const ok = await ctx.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toMatch(/^text\/plain/);
    expect(ok.body).toContain('process_cpu_user_seconds_total');
  });

  it('counts requests by route pattern, upload outcomes and bytes, and held long polls', async () => {
    ctx = await createTestContext('sqlite', { env: { METRICS_OPEN: 'true' } });
    const u = await userWithDevice(ctx);
    expectJson(await upload(ctx, u.device.apiKey, 'gba/Pokémon Emerald/battery', 'real bytes'), 200);
    expectJson(await upload(ctx, u.device.apiKey, 'gba/Pokémon Emerald/battery', 'real bytes'), 200);
    const { cursor } = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/files?since=0', headers: deviceHeaders(u.device.apiKey) }), 200).data;
    const poll = ctx.app.inject({ method: 'GET', url: `/api/sync/files?since=${cursor}&wait=20`, headers: deviceHeaders(u.device.apiKey) });
    let held = '';
    for (let i = 0; i < 100 && !/^retrosync_long_polls_held 1$/m.test(held); i++) {
      await new Promise((r) => setTimeout(r, 20));
      held = (await ctx.app.inject({ method: 'GET', url: '/metrics' })).body;
    }
    expect(held).toMatch(/^retrosync_long_polls_held 1$/m);
    expectJson(await upload(ctx, u.device.apiKey, 'gba/Other/battery', 'wakes the poll'), 200);
    expect(expectJson(await poll, 200).data.files.map((f: { key: string }) => f.key)).toEqual(['gba/Other/battery']);
    const text = (await ctx.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(/^retrosync_long_polls_held 0$/m);
    expect(text).toMatch(/^retrosync_sync_outcomes_total\{outcome="unchanged"\} 1$/m);
    expect(text).toMatch(/^retrosync_sync_outcomes_total\{outcome="accepted"\} 2$/m);
    expect(text).toMatch(/^retrosync_sync_bytes_total\{direction="upload"\} 34$/m);
    // The label is the route pattern: no save key (user data) ever becomes a label value.
    expect(text).toMatch(/retrosync_http_request_duration_seconds_count\{route="\/api\/sync\/saves\/\*",method="PUT",status="200"\} 3/);
    expect(text).not.toContain('Emerald');
  });
});
