import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestContext, databaseTargets, deviceHeaders, expectJson, pairDevice, registerUser, type PairedDevice, type RegisteredUser, type TestContext } from '../test-support/index.js';

describe.each(databaseTargets())('sync log on %s', (target) => {
  let ctx: TestContext;
  let u: RegisteredUser;
  let a: PairedDevice;
  let b: PairedDevice;
  let stranger: RegisteredUser & { device: PairedDevice };
  const log = (key: string, payload: object) => ctx.app.inject({ method: 'POST', url: '/api/sync/log', headers: deviceHeaders(key), payload });
  const get = (headers: Record<string, string>, qs = '') => ctx.app.inject({ method: 'GET', url: `/api/sync/log${qs}`, headers });

  beforeAll(async () => {
    ctx = await createTestContext(target);
    u = await registerUser(ctx);
    a = await pairDevice(ctx, u.token, { deviceName: 'A' });
    b = await pairDevice(ctx, u.token, { deviceName: 'B' });
    const s = await registerUser(ctx);
    stranger = { ...s, device: await pairDevice(ctx, s.token) };
    for (let i = 0; i < 3; i++) {
      ctx.clock.advance(1000);
      expectJson(await log(a.apiKey, { action: 'upload', filePath: `gba/Game${i}.sav`, fileSize: 100 + i }), 201);
    }
    ctx.clock.advance(1000);
    expectJson(await log(b.apiKey, { action: 'download', filePath: 'snes/Zelda.srm', status: 'failed', errorMsg: 'disk full', metadata: '{"try":2}' }), 201);
    expectJson(await log(stranger.device.apiKey, { action: 'conflict', filePath: 'secret.sav' }), 201);
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('records events with the seed fields and defaults status to success', async () => {
    const res = expectJson(await log(a.apiKey, { action: 'delete', filePath: 'gb/Tetris.sav' }), 201);
    expect(res.data.log).toMatchObject({ deviceId: a.device.id, deviceName: 'A', action: 'delete', filePath: 'gb/Tetris.sav', fileSize: null, status: 'success', errorMsg: null, metadata: null });
    await ctx.db.deleteFrom('sync_logs').where('id', '=', res.data.log.id).execute();
  });

  it('validates action, status and metadata, naming the fields', async () => {
    const res = await log(a.apiKey, { action: 'explode', filePath: '', status: 'meh', metadata: '{not json' });
    expect(res.statusCode).toBe(400);
    expect(res.json().details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['action', 'filePath', 'metadata', 'status']);
  });

  it('a device sees only its own log; asking for another device is 403', async () => {
    const own = expectJson(await get(deviceHeaders(a.apiKey)), 200).data;
    expect(own.total).toBe(3);
    expect(own.logs.map((l: { filePath: string }) => l.filePath)).toEqual(['gba/Game2.sav', 'gba/Game1.sav', 'gba/Game0.sav']);
    expect((await get(deviceHeaders(a.apiKey), `?deviceId=${b.device.id}`)).statusCode).toBe(403);
  });

  it("a user sees all of their devices' events, never another user's, with filters and paging", async () => {
    const all = expectJson(await get(bearer(u.token)), 200).data;
    expect(all).toMatchObject({ total: 4, limit: 50, offset: 0 });
    expect(all.logs.map((l: { filePath: string }) => l.filePath)).not.toContain('secret.sav');
    expect(all.logs[0]).toMatchObject({ deviceName: 'B', status: 'failed', errorMsg: 'disk full', metadata: '{"try":2}' });
    expect(expectJson(await get(bearer(u.token), `?deviceId=${a.device.id}`), 200).data.total).toBe(3);
    expect(expectJson(await get(bearer(u.token), '?action=download'), 200).data.total).toBe(1);
    expect(expectJson(await get(bearer(u.token), '?status=success'), 200).data.total).toBe(3);
    const page = expectJson(await get(bearer(u.token), '?limit=2&offset=1'), 200).data;
    expect(page).toMatchObject({ total: 4, limit: 2, offset: 1 });
    expect(page.logs.map((l: { filePath: string }) => l.filePath)).toEqual(['gba/Game2.sav', 'gba/Game1.sav']);
    expect((await get(bearer(u.token), `?deviceId=${stranger.device.device.id}`)).statusCode).toBe(403);
  });

  it('refuses limit > 100 and negative offsets', async () => {
    const res = await get(bearer(u.token), '?limit=101&offset=-1');
    expect(res.statusCode).toBe(400);
    expect(res.json().details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['limit', 'offset']);
  });

  it('answers TSV', async () => {
    const res = await get(deviceHeaders(b.apiKey), '?format=tsv');
    expect(res.body.split('\n')[0]).toBe('createdAt\tdeviceId\taction\tstatus\tfilePath\tfileSize\terrorMsg');
    expect(res.body.split('\n')[1]).toBe(`${new Date(ctx.clock.now()).toISOString()}\t${b.device.id}\tdownload\tfailed\tsnes/Zelda.srm\t\tdisk full`);
  });
});
