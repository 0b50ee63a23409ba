import { afterEach, describe, expect, it } from 'vitest';
import { totpCode } from './totp.js';
import { bearer, createTestContext, databaseTargets, deviceHeaders, expectJson, pairDevice, registerUser, type RegisteredUser, type TestContext } from '../test-support/index.js';

describe.each(databaseTargets())('two-factor sign-in on %s', (target) => {
  let ctx: TestContext;
  afterEach(async () => {
    await ctx?.close();
  });

  const post = (url: string, payload: object, headers: Record<string, string> = {}, remoteAddress?: string) =>
    ctx.app.inject({ method: 'POST', url, payload, headers, ...(remoteAddress ? { remoteAddress } : {}) });
  const get = (url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(token) });
  const events = async (token: string) => (expectJson(await get('/api/auth/audit-log?limit=100', token), 200).data.events as Array<{ event: string; detail: Record<string, unknown> | null }>);
  const nextStep = () => ctx.clock.advance(30_000);
  /** A 6-digit code that is none of the three the server accepts right now. */
  const wrongCode = (secret: string) => {
    const near = [-1, 0, 1].map((d) => totpCode(secret, ctx.clock.now() + d * 30_000));
    return ['000000', '111111', '222222', '333333'].find((c) => !near.includes(c))!;
  };

  /** Registers, enrols (setup + enable) and returns the secret, the recovery codes and the fresh token. */
  async function enrolled(u?: RegisteredUser) {
    const user = u ?? (await registerUser(ctx));
    const setup = expectJson(await post('/api/auth/2fa/setup', {}, bearer(user.token)), 200).data;
    const enabled = expectJson(await post('/api/auth/2fa/enable', { password: user.password, code: totpCode(setup.secret, ctx.clock.now()) }, bearer(user.token)), 200).data;
    nextStep(); // the enrolment code's step is spent
    return { ...user, secret: setup.secret as string, recoveryCodes: enabled.recoveryCodes as string[], token: enabled.token as string };
  }

  async function challenge(user: { email: string; password: string }, remoteAddress?: string): Promise<string> {
    const res = await post('/api/auth/login', { email: user.email, password: user.password }, {}, remoteAddress);
    const body = expectJson(res, 200);
    expect(body.data).toMatchObject({ twoFactorRequired: true });
    expect(body.data.token).toBeUndefined();
    expect(res.headers['set-cookie']).toBeUndefined(); // no session before the second step
    return body.data.challengeToken;
  }

  it('enrols: setup shows the QR and secret, enable needs the password and a valid code, then answers ten recovery codes', async () => {
    ctx = await createTestContext(target);
    const u = await registerUser(ctx);
    expect(expectJson(await get('/api/auth/2fa', u.token), 200).data).toEqual({ enabled: false, enabledAt: null, recoveryCodesLeft: 0 });
    expect((await post('/api/auth/2fa/enable', { password: u.password, code: '123456' }, bearer(u.token))).json().code).toBe('two_factor_not_started');

    const setup = expectJson(await post('/api/auth/2fa/setup', {}, bearer(u.token)), 200).data;
    expect(setup.qrCode).toMatch(/^data:image\/png;base64,/);
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.otpauthUrl).toContain(`secret=${setup.secret}`);
    // Not on until confirmed: signing in still needs the password only.
    expect(expectJson(await post('/api/auth/login', { email: u.email, password: u.password }), 200).data.token).toBeDefined();

    const code = totpCode(setup.secret, ctx.clock.now());
    let res = await post('/api/auth/2fa/enable', { password: u.password, code: wrongCode(setup.secret) }, bearer(u.token));
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('invalid_two_factor_code');
    res = await post('/api/auth/2fa/enable', { password: 'not the password', code }, bearer(u.token));
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('invalid_credentials');
    res = await post('/api/auth/2fa/enable', { password: u.password, code: 'abc' }, bearer(u.token));
    expect(res.statusCode).toBe(400);
    expect(res.json().details.fields[0].field).toBe('code');

    const on = expectJson(await post('/api/auth/2fa/enable', { password: u.password, code }, bearer(u.token)), 200);
    expect(on.data.recoveryCodes).toHaveLength(10);
    expect(String(await post('/api/auth/2fa/setup', {}, bearer(on.data.token)).then((r) => r.json().code))).toBe('two_factor_enabled');
    const status = expectJson(await get('/api/auth/2fa', on.data.token), 200).data;
    expect(status).toMatchObject({ enabled: true, recoveryCodesLeft: 10, enabledAt: new Date(ctx.clock.now()).toISOString() });

    // At rest: the secret is sealed, the recovery codes are keyed hashes.
    const row = await ctx.db.selectFrom('two_factor').selectAll().where('user_id', '=', u.user.id).executeTakeFirstOrThrow();
    expect(row.secret_sealed).not.toContain(setup.secret);
    const hashes = await ctx.db.selectFrom('recovery_codes').select('code_hash').where('user_id', '=', u.user.id).execute();
    for (const c of on.data.recoveryCodes) expect(hashes.map((h) => h.code_hash).join()).not.toContain(c.replace('-', ''));
    expect((await events(on.data.token)).map((e) => e.event)).toContain('two_factor_enabled');
  });

  it('enabling signs out every other session of the account, keeps the one that enabled it, and leaves device keys alone', async () => {
    ctx = await createTestContext(target);
    const u = await registerUser(ctx);
    const device = await pairDevice(ctx, u.token);
    const otherBrowser = expectJson(await post('/api/auth/login', { email: u.email, password: u.password }), 200).data.token;
    const otherUser = await registerUser(ctx);
    ctx.clock.advance(2000); // sessions carry whole seconds
    expectJson(await get('/api/auth/me', otherBrowser), 200);
    const e = await enrolled(u);
    for (const old of [u.token, otherBrowser]) {
      const res = await get('/api/auth/me', old);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('token_expired');
    }
    expectJson(await get('/api/auth/me', e.token), 200);
    expectJson(await get('/api/auth/me', otherUser.token), 200);
    expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/files', headers: deviceHeaders(device.apiKey) }), 200);
    // Pairing a new device is not affected either: codes and keys are not user sessions.
    const another = await pairDevice(ctx, e.token, { deviceName: 'Second' });
    expectJson(await ctx.app.inject({ method: 'POST', url: '/api/sync/heartbeat', headers: deviceHeaders(another.apiKey), payload: {} }), 200);
  });

  it('signs in in two steps; the challenge and the code each work once (a code is refused again within its window)', async () => {
    ctx = await createTestContext(target);
    const u = await enrolled();
    const first = await challenge(u);
    const code = totpCode(u.secret, ctx.clock.now());
    const res = await post('/api/auth/login/2fa', { challengeToken: first, code });
    const body = expectJson(res, 200);
    expect(body.data.user.id).toBe(u.user.id);
    expect(String(res.headers['set-cookie'])).toMatch(/^retrosync_token=/);
    expectJson(await get('/api/auth/me', body.data.token), 200);

    // The challenge is spent.
    const again = await post('/api/auth/login/2fa', { challengeToken: first, code });
    expect(again.statusCode).toBe(401);
    expect(again.json().code).toBe('two_factor_challenge_expired');
    // The same code on a new challenge, still inside its window: refused.
    const second = await challenge(u);
    ctx.clock.advance(10_000);
    const replay = await post('/api/auth/login/2fa', { challengeToken: second, code });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('invalid_two_factor_code');
    // The code of the next step (a phone 30 s ahead) works.
    expectJson(await post('/api/auth/login/2fa', { challengeToken: second, code: totpCode(u.secret, ctx.clock.now() + 30_000) }), 200);

    // A challenge lives 5 minutes.
    const late = await challenge(u);
    ctx.clock.advance(5 * 60_000 + 1);
    const expired = await post('/api/auth/login/2fa', { challengeToken: late, code: totpCode(u.secret, ctx.clock.now()) });
    expect(expired.json().code).toBe('two_factor_challenge_expired');
    expect((await post('/api/auth/login/2fa', { challengeToken: 'made-up', code: '123456' })).json().code).toBe('two_factor_challenge_expired');

    const log = await events(body.data.token);
    expect(log.filter((x) => x.event === 'sign_in').map((x) => x.detail?.method)).toEqual(['password+totp', 'password+totp']);
    expect(log.some((x) => x.event === 'sign_in_failed' && x.detail?.reason === 'two_factor_code')).toBe(true);
  });

  it('a recovery code signs in once; used again it is refused; the audit log says so', async () => {
    ctx = await createTestContext(target);
    const u = await enrolled();
    const rc = u.recoveryCodes[3]!;
    const ok = expectJson(await post('/api/auth/login/2fa', { challengeToken: await challenge(u), code: rc.toUpperCase() }), 200);
    expect(expectJson(await get('/api/auth/2fa', ok.data.token), 200).data.recoveryCodesLeft).toBe(9);
    const reuse = await post('/api/auth/login/2fa', { challengeToken: await challenge(u), code: rc });
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json().code).toBe('invalid_two_factor_code');
    const log = await events(ok.data.token);
    expect(log.find((x) => x.event === 'recovery_code_used')?.detail).toMatchObject({ purpose: 'sign_in', left: 9 });
    expect(log.find((x) => x.event === 'sign_in')?.detail).toMatchObject({ method: 'password+recovery_code' });

    // New codes replace the old ones (password + a code).
    const fresh = expectJson(await post('/api/auth/2fa/recovery-codes', { password: u.password, code: totpCode(u.secret, ctx.clock.now()) }, bearer(ok.data.token)), 200).data.recoveryCodes;
    expect(fresh).toHaveLength(10);
    expect((await post('/api/auth/login/2fa', { challengeToken: await challenge(u), code: u.recoveryCodes[0]! })).json().code).toBe('invalid_two_factor_code');
    expectJson(await post('/api/auth/login/2fa', { challengeToken: await challenge(u), code: fresh[0] }), 200);
  });

  it('rate-limits code guesses per account (429 with Retry-After, even for the right code) and kills a challenge after 5 wrong codes', async () => {
    ctx = await createTestContext(target, { env: { TWO_FACTOR_ACCOUNT_FAILURES: '7' } });
    const u = await enrolled();
    const right = () => totpCode(u.secret, ctx.clock.now());
    const wrong = () => wrongCode(u.secret);
    const c1 = await challenge(u);
    for (let i = 0; i < 5; i++) expect((await post('/api/auth/login/2fa', { challengeToken: c1, code: wrong() }, {}, `192.0.2.${i}`)).json().code).toBe('invalid_two_factor_code');
    expect((await post('/api/auth/login/2fa', { challengeToken: c1, code: right() })).json().code).toBe('two_factor_challenge_expired');

    const c2 = await challenge(u);
    for (let i = 0; i < 2; i++) expect((await post('/api/auth/login/2fa', { challengeToken: c2, code: wrong() }, {}, `192.0.2.${10 + i}`)).statusCode).toBe(401);
    const limited = await post('/api/auth/login/2fa', { challengeToken: c2, code: right() }, {}, '192.0.2.99');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // The next window opens the account again (the challenge has expired by then: sign in anew).
    ctx.clock.advance(15 * 60_000);
    expectJson(await post('/api/auth/login/2fa', { challengeToken: await challenge(u), code: right() }), 200);
  });

  it('rate-limits code guesses per address like sign-in (LOGIN_IP_FAILURES)', async () => {
    ctx = await createTestContext(target, { env: { LOGIN_IP_FAILURES: '3', TWO_FACTOR_ACCOUNT_FAILURES: '100' } });
    const users = [await enrolled(), await enrolled()];
    const attacker = '203.0.113.66';
    let n = 0;
    for (const u of users) {
      const c = await challenge(u, '198.51.100.1');
      for (let i = 0; i < 2; i++, n++) {
        const res = await post('/api/auth/login/2fa', { challengeToken: c, code: wrongCode(u.secret) }, {}, attacker);
        expect(res.statusCode).toBe(n < 3 ? 401 : 429);
      }
    }
  });

  it('two simultaneous sign-ins with the same code: exactly one gets a session', async () => {
    ctx = await createTestContext(target);
    const u = await enrolled();
    const [a, b] = [await challenge(u), await challenge(u)];
    const code = totpCode(u.secret, ctx.clock.now());
    const results = await Promise.all([post('/api/auth/login/2fa', { challengeToken: a, code }), post('/api/auth/login/2fa', { challengeToken: b, code })]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401]);
  });

  it('disabling needs the password and a code (or a recovery code); afterwards sign-in is one step again', async () => {
    ctx = await createTestContext(target);
    const u = await enrolled();
    const code = totpCode(u.secret, ctx.clock.now());
    let res = await post('/api/auth/2fa/disable', { password: 'wrong password', code }, bearer(u.token));
    expect(res.json().code).toBe('invalid_credentials');
    res = await post('/api/auth/2fa/disable', { password: u.password, code: wrongCode(u.secret) }, bearer(u.token));
    expect(res.json().code).toBe('invalid_two_factor_code');
    res = await post('/api/auth/2fa/disable', { password: u.password }, bearer(u.token));
    expect(res.statusCode).toBe(400);
    const off = expectJson(await post('/api/auth/2fa/disable', { password: u.password, code: u.recoveryCodes[0]! }, bearer(u.token)), 200);
    expect(off.data).toEqual({ enabled: false, enabledAt: null, recoveryCodesLeft: 0 });
    expect((await post('/api/auth/2fa/disable', { password: u.password, code }, bearer(u.token))).json().code).toBe('two_factor_not_enabled');
    expect(expectJson(await post('/api/auth/login', { email: u.email, password: u.password }), 200).data.token).toBeDefined();
    expect(await ctx.db.selectFrom('recovery_codes').select('id').where('user_id', '=', u.user.id).execute()).toEqual([]);
    const log = (await events(u.token)).map((e) => e.event);
    expect(log).toEqual(expect.arrayContaining(['two_factor_disabled', 'recovery_code_used', 'two_factor_enabled', 'sign_in']));
  });

  it('the operator turns it off by deleting the two_factor row; enrolling again never revives the old recovery codes', async () => {
    ctx = await createTestContext(target);
    const u = await enrolled();
    await ctx.db.deleteFrom('two_factor').where('user_id', '=', u.user.id).execute();
    expect(expectJson(await post('/api/auth/login', { email: u.email, password: u.password }), 200).data.token).toBeDefined();
    const again = await enrolled(u);
    expect((await post('/api/auth/login/2fa', { challengeToken: await challenge(u), code: u.recoveryCodes[0]! })).json().code).toBe('invalid_two_factor_code');
    expectJson(await post('/api/auth/login/2fa', { challengeToken: await challenge(u), code: again.recoveryCodes[0]! }), 200);
  });

  it('a burst of 120 simultaneous wrong codes from 120 addresses over 24 challenges: at most TWO_FACTOR_ACCOUNT_FAILURES are checked', async () => {
    ctx = await createTestContext(target, { env: { TWO_FACTOR_ACCOUNT_FAILURES: '10' } });
    const u = await enrolled();
    const challenges: string[] = [];
    for (let i = 0; i < 24; i++) challenges.push(await challenge(u, `198.51.100.${i}`));
    const wrong = wrongCode(u.secret);
    const results = await Promise.all(
      Array.from({ length: 120 }, (_, i) => post('/api/auth/login/2fa', { challengeToken: challenges[i % 24]!, code: wrong }, {}, `203.0.113.${i}`)),
    );
    const codes = results.map((r) => r.json().code as string);
    const checked = codes.filter((c) => c === 'invalid_two_factor_code').length;
    expect(checked).toBe(10);
    expect(codes.filter((c) => c !== 'invalid_two_factor_code').every((c) => c === 'rate_limited' || c === 'two_factor_challenge_expired')).toBe(true);
    // Every checked guess is in the account's log.
    const failures = await ctx.db.selectFrom('audit_events').select('id').where('user_id', '=', u.user.id).where('event', '=', 'sign_in_failed').execute();
    expect(failures).toHaveLength(10);
  });
});
