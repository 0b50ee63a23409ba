import { createDecoder } from 'fast-jwt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOKEN_TTL_MS } from '../security/jwt.js';
import { bearer, createTestContext, databaseTargets, deviceHeaders, expectJson, pairDevice, registerUser, type TestContext } from '../test-support/index.js';

const decodeJwt = createDecoder();

describe.each(databaseTargets())('auth endpoints on %s', (target) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createTestContext(target, { env: { LOGIN_IP_FAILURES: '3' } });
  });
  afterEach(async () => {
    await ctx.close();
  });

  const post = (url: string, payload: object, headers: Record<string, string> = {}) => ctx.app.inject({ method: 'POST', url, payload, headers });

  it('registers with a normalised email, returns the seed shape and sets an HttpOnly SameSite cookie', async () => {
    const res = await post('/api/auth/register', { email: '  Player.One@Example.COM ', password: 'hunter2hunter2', name: 'P1' });
    const body = expectJson(res, 201);
    expect(body).toMatchObject({ success: true, data: { user: { email: 'player.one@example.com', name: 'P1', subscriptionTier: 'enterprise' } } });
    expect(Date.parse(body.data.user.createdAt)).toBe(ctx.clock.now());
    const claims = decodeJwt(body.data.token) as Record<string, unknown>;
    expect(claims).toMatchObject({ userId: body.data.user.id, email: 'player.one@example.com', type: 'user' });
    expect(((claims.exp as number) - (claims.iat as number)) * 1000).toBe(TOKEN_TTL_MS);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^retrosync_token=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
  });

  it('refuses a second account for the same email in any case (409 email_taken)', async () => {
    await registerUser(ctx, { email: 'dup@example.com' });
    const res = await post('/api/auth/register', { email: 'DUP@example.com', password: 'another-password' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ success: false, code: 'email_taken' });
  });

  it('names the bad fields on 400', async () => {
    const res = await post('/api/auth/register', { email: 'not-an-email', password: 'short' });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('validation_failed');
    expect(body.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['email', 'password']);
    expect(body.error).toMatch(/email/);
  });

  it('logs in, and refuses a wrong password or unknown email alike (401 invalid_credentials)', async () => {
    const u = await registerUser(ctx, { email: 'login@example.com', password: 'right password' });
    const ok = expectJson(await post('/api/auth/login', { email: 'Login@Example.com', password: 'right password' }), 200);
    expect(ok.data.user.id).toBe(u.user.id);
    for (const attempt of [{ email: 'login@example.com', password: 'wrong password' }, { email: 'nobody@example.com', password: 'right password' }]) {
      const res = await post('/api/auth/login', attempt, { 'x-forwarded-for': '1.1.1.1' });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'invalid_credentials', error: 'Email or password is wrong.' });
    }
  });

  it('rate-limits failed logins per address: the N+1st attempt in the window is refused with Retry-After', async () => {
    const u = await registerUser(ctx);
    const attempt = (password: string, ip = '10.0.0.1') =>
      ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: u.email, password }, remoteAddress: ip });
    for (let i = 0; i < 3; i++) expect((await attempt('wrong password')).statusCode).toBe(401);
    const refused = await attempt(u.password);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await attempt(u.password, '10.0.0.2')).statusCode).toBe(200);
    ctx.clock.advance(15 * 60 * 1000);
    expect((await attempt(u.password)).statusCode).toBe(200);
  });

  it('spaces out attempts on one account from new addresses after its failure budget (a wait, not a wall; other accounts untouched)', async () => {
    await ctx.close();
    ctx = await createTestContext(target, { env: { LOGIN_ACCOUNT_FAILURES: '4', LOGIN_ACCOUNT_SPACING_SECONDS: '10' } });
    ctx.clock.set(Math.ceil(ctx.clock.now() / 10_000) * 10_000);
    const u = await registerUser(ctx);
    const v = await registerUser(ctx);
    const attempt = (email: string, password: string, ip: string) =>
      ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password }, remoteAddress: ip });
    for (let i = 0; i < 4; i++) expect((await attempt(u.email, 'wrong password', `10.2.0.${i}`)).statusCode).toBe(401);
    expect((await attempt(u.email, 'wrong password', '10.2.0.50')).statusCode).toBe(401); // the slot of these 10 s
    const refused = await attempt(u.email, u.password, '10.2.0.99');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(10);
    expect((await attempt(v.email, v.password, '10.2.0.98')).statusCode).toBe(200);
    ctx.clock.advance(Number(refused.headers['retry-after']) * 1000);
    expect((await attempt(u.email, u.password, '10.2.0.99')).statusCode).toBe(200);
  });

  it('accepts the session cookie, and logout clears it', async () => {
    const res = await post('/api/auth/register', { email: 'cookie@example.com', password: 'cookie password' });
    const cookie = String(res.headers['set-cookie']).split(';')[0]!;
    const me = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } }), 200);
    expect(me.data.user.email).toBe('cookie@example.com');
    const out = await ctx.app.inject({ method: 'POST', url: '/api/auth/logout' });
    expect(out.statusCode).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(/retrosync_token=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/);
  });

  it('GET/PATCH /api/auth/me reads and renames the caller only', async () => {
    const u = await registerUser(ctx, { name: 'Before' });
    const renamed = expectJson(await ctx.app.inject({ method: 'PATCH', url: '/api/auth/me', headers: bearer(u.token), payload: { name: 'After' } }), 200);
    expect(renamed.data.user).toMatchObject({ id: u.user.id, name: 'After' });
    const cleared = expectJson(await ctx.app.inject({ method: 'PATCH', url: '/api/auth/me', headers: bearer(u.token), payload: { name: null } }), 200);
    expect(cleared.data.user.name).toBeNull();
  });

  it('changes the password only with the current one, and older tokens stop working', async () => {
    const u = await registerUser(ctx);
    const wrong = await ctx.app.inject({ method: 'POST', url: '/api/auth/password', headers: bearer(u.token), payload: { currentPassword: 'nope', newPassword: 'a new password' } });
    expect(wrong.statusCode).toBe(401);
    ctx.clock.advance(2000);
    const ok = expectJson(await ctx.app.inject({ method: 'POST', url: '/api/auth/password', headers: bearer(u.token), payload: { currentPassword: u.password, newPassword: 'a new password' } }), 200);
    const old = await ctx.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(u.token) });
    expect(old.statusCode).toBe(401);
    expect(old.json().code).toBe('token_expired');
    expectJson(await ctx.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(ok.data.token) }), 200);
    expectJson(await post('/api/auth/login', { email: u.email, password: 'a new password' }), 200);
    expect((await post('/api/auth/login', { email: u.email, password: u.password })).statusCode).toBe(401);
  });

  it('deletes the account with its devices and logs only with the password', async () => {
    const u = await registerUser(ctx);
    const d = await pairDevice(ctx, u.token);
    await ctx.app.inject({ method: 'POST', url: '/api/sync/log', headers: deviceHeaders(d.apiKey), payload: { action: 'upload', filePath: 'a.sav' } });
    const other = await registerUser(ctx);
    const od = await pairDevice(ctx, other.token);
    const wrong = await ctx.app.inject({ method: 'DELETE', url: '/api/auth/me', headers: bearer(u.token), payload: { password: 'nope' } });
    expect(wrong.statusCode).toBe(401);
    expectJson(await ctx.app.inject({ method: 'DELETE', url: '/api/auth/me', headers: bearer(u.token), payload: { password: u.password } }), 200);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(u.token) })).statusCode).toBe(401);
    expect((await ctx.app.inject({ method: 'POST', url: '/api/sync/heartbeat', headers: deviceHeaders(d.apiKey) })).statusCode).toBe(401);
    expect(await ctx.db.selectFrom('devices').select('id').where('user_id', '=', u.user.id).execute()).toEqual([]);
    expect(await ctx.db.selectFrom('sync_logs').select('id').where('user_id', '=', u.user.id).execute()).toEqual([]);
    expectJson(await ctx.app.inject({ method: 'POST', url: '/api/sync/heartbeat', headers: deviceHeaders(od.apiKey) }), 200);
  });

  it('stores passwords as argon2id hashes only', async () => {
    const u = await registerUser(ctx, { password: 'plain text secret' });
    const row = await ctx.db.selectFrom('users').selectAll().where('id', '=', u.user.id).executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(row)).not.toContain('plain text secret');
  });
});
