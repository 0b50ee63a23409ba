import { afterEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../security/tokens.js';
import { bearer, createTestContext, databaseTargets, deviceHeaders, expectJson, registerUser, type TestContext } from '../test-support/index.js';

const MIN = 60_000;

describe.each(databaseTargets())('pairing on %s', (target) => {
  let ctx: TestContext;
  afterEach(async () => {
    await ctx?.close();
  });
  const open = async (env: Record<string, string> = {}) => {
    ctx = await createTestContext(target, { env: { NEXT_PUBLIC_API_URL: 'https://sync.example.net', ...env } });
  };
  const createCode = async (token: string) => expectJson(await ctx.app.inject({ method: 'POST', url: '/api/devices/create-pairing-code', headers: bearer(token) }), 201).data;
  const pair = (code: string, ip = '192.0.2.1') =>
    ctx.app.inject({ method: 'POST', url: '/api/devices/pair', remoteAddress: ip, payload: { code, deviceName: 'RG35XX+', deviceType: 'rg35xx' } });

  it('creates a 6-digit code for 15 minutes with a QR PNG of the pairing link', async () => {
    await open();
    const u = await registerUser(ctx);
    const c = await createCode(u.token);
    expect(c.code).toMatch(/^[0-9]{6}$/);
    expect(Date.parse(c.expiresAt) - ctx.clock.now()).toBe(15 * MIN);
    expect(c.pairingUrl).toBe(`https://sync.example.net/pair?code=${c.code}`);
    expect(c.qrCode).toMatch(/^data:image\/png;base64,/);
    const png = Buffer.from(c.qrCode.split(',')[1], 'base64');
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('pairs once: key is 64 hex, stored only as its SHA-256, and the code cannot be reused', async () => {
    await open();
    const u = await registerUser(ctx);
    const c = await createCode(u.token);
    const res = expectJson(await pair(c.code), 201);
    expect(res.data).toMatchObject({ device: { name: 'RG35XX+', deviceType: 'rg35xx' }, userId: u.user.id });
    expect(res.data.apiKey).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(res.data)).not.toMatch(/minio|secret|bucket/i);
    const row = await ctx.db.selectFrom('devices').selectAll().where('id', '=', res.data.device.id).executeTakeFirstOrThrow();
    expect(row.api_key_hash).toBe(sha256Hex(res.data.apiKey));
    const again = await pair(c.code);
    expect(again.statusCode).toBe(400);
    expect(again.json().code).toBe('invalid_code');
  });

  it('expires codes after 15 minutes', async () => {
    await open();
    const u = await registerUser(ctx);
    const c = await createCode(u.token);
    ctx.clock.advance(15 * MIN);
    const res = await pair(c.code);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('invalid_code');
  });

  it('a new code cancels the previous unused one', async () => {
    await open();
    const u = await registerUser(ctx);
    const first = await createCode(u.token);
    const second = await createCode(u.token);
    if (first.code !== second.code) expect((await pair(first.code)).statusCode).toBe(400);
    expectJson(await pair(second.code), 201);
  });

  it('caps live 6-digit codes server-wide: the 5th code has 12 digits (and pairs); with every slot full, 429 pairing_busy', async () => {
    await open({ PAIRING_MAX_LONG_CODES: '1' });
    const users = await Promise.all([0, 1, 2, 3, 4, 5].map(() => registerUser(ctx)));
    for (const u of users.slice(0, 4)) expect((await createCode(u.token)).code).toMatch(/^[0-9]{6}$/);
    const fifth = await createCode(users[4]!.token);
    expect(fifth.code).toMatch(/^[0-9]{12}$/);
    const sixth = await ctx.app.inject({ method: 'POST', url: '/api/devices/create-pairing-code', headers: bearer(users[5]!.token) });
    expect(sixth.statusCode).toBe(429);
    expect(sixth.json().code).toBe('pairing_busy');
    expect(Number(sixth.headers['retry-after'])).toBe(15 * 60);
    // Typed with spaces, as the dashboard shows it.
    expectJson(await pair(`${fifth.code.slice(0, 4)} ${fifth.code.slice(4, 8)} ${fifth.code.slice(8)}`), 201);
    expect((await createCode(users[5]!.token)).code).toMatch(/^[0-9]{12}$/);
  });

  it('refuses guesses past the global failure budget, even the right code, until the window ends', async () => {
    await open({ PAIRING_GLOBAL_FAILURES: '10', PAIRING_IP_FAILURES: '5' });
    // Start at a window boundary so the test does not straddle two windows.
    ctx.clock.set(Math.ceil(ctx.clock.now() / (15 * MIN)) * 15 * MIN);
    const u = await registerUser(ctx);
    const c = await createCode(u.token);
    const wrong = c.code === '000000' ? '000001' : '000000';
    for (let i = 0; i < 10; i++) expect((await pair(wrong, `198.51.100.${i}`)).statusCode).toBe(400);
    const refused = await pair(c.code, '203.0.113.9');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBe(15 * 60);
    ctx.clock.advance(15 * MIN - 1);
    const fresh = await createCode(u.token);
    ctx.clock.advance(1);
    expectJson(await pair(fresh.code, '203.0.113.9'), 201);
  });

  it('limits failed guesses per address: the 6th attempt from one address is refused', async () => {
    await open({ PAIRING_IP_FAILURES: '5' });
    ctx.clock.set(Math.ceil(ctx.clock.now() / (15 * MIN)) * 15 * MIN);
    const u = await registerUser(ctx);
    const c = await createCode(u.token);
    const wrong = c.code === '999999' ? '999998' : '999999';
    for (let i = 0; i < 5; i++) expect((await pair(wrong, '10.1.1.1')).statusCode).toBe(400);
    expect((await pair(c.code, '10.1.1.1')).statusCode).toBe(429);
    expectJson(await pair(c.code, '10.1.1.2'), 201);
  });

  it('lets exactly one of two simultaneous pairings with the same code win', async () => {
    await open();
    const u = await registerUser(ctx);
    const c = await createCode(u.token);
    const results = await Promise.all([pair(c.code, '10.0.0.1'), pair(c.code, '10.0.0.2'), pair(c.code, '10.0.0.3')]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 400, 400]);
  });

  it('never lets simultaneous requests exceed the live-code caps', async () => {
    await open({ PAIRING_MAX_LONG_CODES: '1' });
    const users = await Promise.all([0, 1, 2, 3, 4, 5].map(() => registerUser(ctx)));
    const results = await Promise.all(users.map((u) => ctx.app.inject({ method: 'POST', url: '/api/devices/create-pairing-code', headers: bearer(u.token) })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 201, 201, 201, 201, 429]);
    expect(results.filter((r) => r.statusCode === 201).map((r) => r.json().data.code.length).sort()).toEqual([12, 6, 6, 6, 6]);
  });

  it('enforces the tier device limit at pairing (free: 3)', async () => {
    await open({ DEFAULT_TIER: 'free' });
    const u = await registerUser(ctx);
    for (let i = 0; i < 3; i++) expectJson(await pair((await createCode(u.token)).code), 201);
    const c = await createCode(u.token);
    const res = await pair(c.code);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'device_limit_reached', details: { limit: 3 } });
    // Refused pairing rolls back: the code is still usable once a device is removed.
    const list = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/devices', headers: bearer(u.token) }), 200);
    await ctx.app.inject({ method: 'DELETE', url: `/api/devices?deviceId=${list.data.devices[0].id}`, headers: bearer(u.token) });
    expectJson(await pair(c.code), 201);
  });

  describe('device-shown code', () => {
    const request = (ip = '192.0.2.50') =>
      ctx.app.inject({ method: 'POST', url: '/api/devices/code', remoteAddress: ip, payload: { deviceName: 'Miyoo', deviceType: 'miyoo_mini' } });
    const status = (pollToken: string) => ctx.app.inject({ method: 'POST', url: '/api/devices/status', payload: { pollToken } });

    it('links from the dashboard and delivers the key exactly once', async () => {
      await open();
      const u = await registerUser(ctx);
      const dc = expectJson(await request(), 201).data;
      expect(dc.code).toMatch(/^[0-9]{6}$/);
      expect(dc.linkUrl).toBe(`https://sync.example.net/link?code=${dc.code}`);
      expect(expectJson(await status(dc.pollToken), 200).data).toEqual({ status: 'pending', expiresAt: dc.expiresAt });
      const linked = expectJson(await ctx.app.inject({ method: 'POST', url: '/api/devices/link', headers: bearer(u.token), payload: { code: dc.code } }), 200);
      expect(linked.data.device).toMatchObject({ name: 'Miyoo', deviceType: 'miyoo_mini' });
      const paired = expectJson(await status(dc.pollToken), 200).data;
      expect(paired).toMatchObject({ status: 'paired', userId: u.user.id, device: { id: linked.data.device.id } });
      expect(paired.apiKey).toMatch(/^[0-9a-f]{64}$/);
      const second = await status(dc.pollToken);
      expect(second.statusCode).toBe(410);
      expect(second.json().code).toBe('code_expired');
      expectJson(await ctx.app.inject({ method: 'POST', url: '/api/sync/heartbeat', headers: deviceHeaders(paired.apiKey) }), 200);
      const relink = await ctx.app.inject({ method: 'POST', url: '/api/devices/link', headers: bearer(u.token), payload: { code: dc.code } });
      expect(relink.statusCode).toBe(400);
    });

    it('adds a PNG QR code of the link URL only when the device asks for it (qr: true)', async () => {
      await open();
      expect(expectJson(await request(), 201).data.qrCode).toBeUndefined();
      const res = await ctx.app.inject({ method: 'POST', url: '/api/devices/code', remoteAddress: '192.0.2.51', payload: { deviceName: 'Miyoo', deviceType: 'miyoo_mini', qr: true } });
      const dc = expectJson(res, 201).data;
      expect(dc.qrCode).toMatch(/^data:image\/png;base64,/);
      const png = Buffer.from(dc.qrCode.slice(dc.qrCode.indexOf(',') + 1), 'base64');
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(png.readUInt32BE(16)).toBe(256); // width from the IHDR chunk
    });

    it('without a configured public URL, links to the address the device reached (a hostile Host falls back)', async () => {
      await open({ NEXT_PUBLIC_API_URL: '' });
      const ask = (host: string, ip: string) =>
        ctx.app.inject({ method: 'POST', url: '/api/devices/code', remoteAddress: ip, headers: { host }, payload: { deviceName: 'Miyoo', deviceType: 'miyoo_mini' } });
      const dc = expectJson(await ask('192.168.1.10:3000', '192.0.2.60'), 201).data;
      expect(dc.linkUrl).toBe(`http://192.168.1.10:3000/link?code=${dc.code}`);
      const bad = expectJson(await ask('evil.example/x?', '192.0.2.61'), 201).data;
      expect(bad.linkUrl).toBe(`http://localhost:3000/link?code=${bad.code}`);
    });

    it('hands the key to only one of two simultaneous polls', async () => {
      await open();
      const u = await registerUser(ctx);
      const dc = expectJson(await request(), 201).data;
      expectJson(await ctx.app.inject({ method: 'POST', url: '/api/devices/link', headers: bearer(u.token), payload: { code: dc.code } }), 200);
      const polls = await Promise.all([status(dc.pollToken), status(dc.pollToken), status(dc.pollToken)]);
      expect(polls.map((r) => r.statusCode).sort()).toEqual([200, 410, 410]);
    });

    it('expires unlinked codes and refuses unknown poll tokens', async () => {
      await open();
      const u = await registerUser(ctx);
      const dc = expectJson(await request(), 201).data;
      ctx.clock.advance(15 * MIN);
      expect((await status(dc.pollToken)).statusCode).toBe(410);
      const link = await ctx.app.inject({ method: 'POST', url: '/api/devices/link', headers: bearer(u.token), payload: { code: dc.code } });
      expect(link.statusCode).toBe(400);
      expect(link.json().code).toBe('invalid_code');
      expect((await status('f'.repeat(64))).statusCode).toBe(404);
    });

    it('limits code requests per address', async () => {
      await open({ PAIRING_IP_CODE_REQUESTS: '2', PAIRING_MAX_LIVE_CODES: '4' });
      ctx.clock.set(Math.ceil(ctx.clock.now() / (15 * MIN)) * 15 * MIN);
      expectJson(await request('10.9.9.9'), 201);
      expectJson(await request('10.9.9.9'), 201);
      const third = await request('10.9.9.9');
      expect(third.statusCode).toBe(429);
      expect(third.headers['retry-after']).toBeDefined();
    });
  });
});
