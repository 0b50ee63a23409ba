import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCookie, registerCsrf } from './csrf.js';
import {
  bearer,
  createTestContext,
  databaseTargets,
  deviceHeaders,
  expectJson,
  pairDevice,
  registerUser,
  type TestContext,
} from '../test-support/index.js';

const COOKIE = 'retrosync_token=abc.def.ghi';

describe('CSRF protection of cookie sessions', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = Fastify({ logger: false });
    registerCsrf(app, { cookieName: 'retrosync_token', credentialHeaders: ['x-api-key'] });
    app.get('/api/thing', async () => ({ success: true, data: { read: true } }));
    app.post('/api/thing', async () => ({ success: true, data: { changed: true } }));
    app.delete('/api/thing', async () => ({ success: true, data: { deleted: true } }));
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
  });

  it('refuses a state-changing cookie request without the dashboard header', async () => {
    for (const method of ['POST', 'DELETE'] as const) {
      const res = await app.inject({ method, url: '/api/thing', headers: { cookie: COOKIE } });
      expect(res.statusCode).toBe(403);
      const body = res.json();
      expect(body).toMatchObject({ success: false, code: 'forbidden', details: { csrf: true } });
      expect(body.error).toContain('X-Requested-With: retrosync');
    }
  });

  it('accepts the cookie request that carries the header from its own origin', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/thing',
      headers: { cookie: COOKIE, 'x-requested-with': 'retrosync', origin: 'http://localhost:80', host: 'localhost:80' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ success: true, data: { changed: true } });
  });

  it('refuses the header from a foreign or opaque origin', async () => {
    for (const origin of ['https://evil.example', 'null']) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/thing',
        headers: { cookie: COOKIE, 'x-requested-with': 'retrosync', origin, host: 'localhost:80' },
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toContain('origin');
    }
  });

  it('does not affect safe methods, Bearer tokens, device keys or cookie-less requests', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/thing', headers: { cookie: COOKIE } })).statusCode).toBe(200);
    const bearer = await app.inject({ method: 'POST', url: '/api/thing', headers: { cookie: COOKIE, authorization: 'Bearer x' } });
    expect(bearer.statusCode).toBe(200);
    const device = await app.inject({ method: 'POST', url: '/api/thing', headers: { cookie: COOKIE, 'x-api-key': 'a'.repeat(64) } });
    expect(device.statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/thing' })).statusCode).toBe(200);
  });

  it('finds the session cookie by exact name with a value', () => {
    expect(hasCookie('a=1; retrosync_token=xyz', 'retrosync_token')).toBe(true);
    expect(hasCookie('retrosync_token=', 'retrosync_token')).toBe(false);
    expect(hasCookie('my_retrosync_token=1', 'retrosync_token')).toBe(false);
    expect(hasCookie(undefined, 'retrosync_token')).toBe(false);
  });
});

describe.each(databaseTargets())('CSRF guard wired into buildApp (%s)', (target) => {
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = await createTestContext(target);
  });

  afterAll(async () => {
    await ctx.close();
  });

  it('refuses a cookie-authenticated change without the header and accepts it with the header', async () => {
    const alice = await registerUser(ctx);
    const cookie = `retrosync_token=${alice.token}`;
    const refused = await ctx.app.inject({ method: 'PATCH', url: '/api/auth/me', headers: { cookie }, payload: { name: 'Mallory' } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ success: false, code: 'forbidden', details: { csrf: true } });
    const me = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } }), 200);
    expect(me.data.user.name).toBe('Test User');

    const accepted = await ctx.app.inject({
      method: 'PATCH',
      url: '/api/auth/me',
      headers: { cookie, 'x-requested-with': 'retrosync' },
      payload: { name: 'Alice' },
    });
    expect(expectJson(accepted, 200).data.user.name).toBe('Alice');
  });

  it('leaves Bearer users and devices alone', async () => {
    const bob = await registerUser(ctx);
    const code = await ctx.app.inject({ method: 'POST', url: '/api/devices/create-pairing-code', headers: bearer(bob.token) });
    expect(code.statusCode).toBe(201);
    const device = await pairDevice(ctx, bob.token);
    const beat = await ctx.app.inject({ method: 'POST', url: '/api/sync/heartbeat', headers: deviceHeaders(device.apiKey) });
    expect(beat.statusCode).toBe(200);
  });
});
