/**
 * Issue 12 item 8 — headers: no-store on replies that carry tokens or keys, nosniff everywhere,
 * HSTS when the public URL is https, and the CSRF origin check trusting X-Forwarded-Host only
 * behind a trusted proxy.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, createTestContext, expectJson, registerUser, type TestContext } from '../test-support/index.js';

describe('security headers', () => {
  let ctx: TestContext;
  afterEach(async () => {
    await ctx?.close();
  });

  it('replies carrying tokens or keys are no-store; every reply is nosniff', async () => {
    ctx = await createTestContext('sqlite');
    const reg = await ctx.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: 'h@example.com', password: 'correct horse battery' } });
    const login = await ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'h@example.com', password: 'correct horse battery' } });
    const token = expectJson(login, 200).data.token;
    const code = await ctx.app.inject({ method: 'POST', url: '/api/devices/create-pairing-code', headers: bearer(token) });
    const pair = await ctx.app.inject({ method: 'POST', url: '/api/devices/pair', payload: { code: code.json().data.code, deviceName: 'x', deviceType: 'linux' } });
    const devCode = await ctx.app.inject({ method: 'POST', url: '/api/devices/code', payload: { deviceName: 'x', deviceType: 'linux' } });
    for (const [name, res] of Object.entries({ reg, login, code, pair, devCode })) {
      expect(res.statusCode, name).toBeLessThan(300);
      expect(res.headers['cache-control'], name).toMatch(/no-store/);
    }
    const others = [
      login,
      await ctx.app.inject({ method: 'GET', url: '/healthz' }),
      await ctx.app.inject({ method: 'GET', url: '/api/nope' }),
      await ctx.app.inject({ method: 'GET', url: '/api/auth/me' }),
      await ctx.app.inject({ method: 'GET', url: '/api/openapi.json' }),
    ];
    for (const res of others) expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('sends HSTS only when the public URL is https', async () => {
    ctx = await createTestContext('sqlite', { env: { NEXT_PUBLIC_API_URL: 'https://sync.example.net' } });
    expect((await ctx.app.inject({ method: 'GET', url: '/healthz' })).headers['strict-transport-security']).toMatch(/max-age=\d+/);
    await ctx.close();
    ctx = await createTestContext('sqlite', { env: { NEXT_PUBLIC_API_URL: 'http://nas.local:3000' } });
    expect((await ctx.app.inject({ method: 'GET', url: '/healthz' })).headers['strict-transport-security']).toBeUndefined();
  });

  const forged = (token: string, extra: Record<string, string>) => ({
    method: 'PATCH' as const,
    url: '/api/auth/me',
    headers: { host: 'sync.example.net', cookie: `retrosync_token=${token}`, 'x-requested-with': 'retrosync', origin: 'https://evil.example', ...extra },
    payload: { name: 'x' },
  });

  it('the CSRF origin check ignores X-Forwarded-Host unless TRUST_PROXY is on', async () => {
    ctx = await createTestContext('sqlite');
    const u = await registerUser(ctx);
    const res = await ctx.app.inject(forged(u.token, { 'x-forwarded-host': 'evil.example' }));
    expect(res.statusCode).toBe(403);
    expect(res.json().details).toMatchObject({ csrf: true });
    await ctx.close();
    ctx = await createTestContext('sqlite', { env: { TRUST_PROXY: 'true' } });
    const v = await registerUser(ctx);
    // Behind a trusted proxy the forwarded host is the public one.
    const ok = await ctx.app.inject(forged(v.token, { origin: 'https://public.example', 'x-forwarded-host': 'public.example' }));
    expect(ok.statusCode).toBe(200);
  });
});
