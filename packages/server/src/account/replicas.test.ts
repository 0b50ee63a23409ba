/**
 * Two-factor sign-in with two server processes on one PostgreSQL database (what replicas behind a
 * load balancer share): a code is accepted once across both, code guesses count into one budget,
 * and turning two-factor on at one replica ends the other sessions' event streams at the other.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { startReplica } from '../hostile/test-support/replicas.js';
import { totpCode } from './totp.js';
import { bearer, createTestContext, databaseTargets, expectJson, registerUser, type TestContext } from '../test-support/index.js';

const onPostgres = databaseTargets().includes('postgres');

describe.runIf(onPostgres)('two-factor across two replicas on PostgreSQL', () => {
  let ctx: TestContext;
  let replica: { app: FastifyInstance; close(): Promise<void> } | undefined;
  afterEach(async () => {
    await replica?.close();
    await ctx?.close();
  });

  async function setUp(env: Record<string, string> = {}) {
    ctx = await createTestContext('postgres', { env });
    replica = await startReplica(ctx);
    const [a, b] = [ctx.app, replica.app];
    const u = await registerUser(ctx);
    const setup = expectJson(await a.inject({ method: 'POST', url: '/api/auth/2fa/setup', headers: bearer(u.token) }), 200).data;
    const on = expectJson(await a.inject({ method: 'POST', url: '/api/auth/2fa/enable', headers: bearer(u.token), payload: { password: u.password, code: totpCode(setup.secret, ctx.clock.now()) } }), 200);
    ctx.clock.advance(30_000);
    const challenge = async (app: FastifyInstance) => expectJson(await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: u.email, password: u.password } }), 200).data.challengeToken as string;
    return { a, b, u, secret: setup.secret as string, token: on.data.token as string, challenge };
  }

  it('the same code sent to both replicas at once signs in once', async () => {
    const { a, b, secret, challenge } = await setUp();
    const code = totpCode(secret, ctx.clock.now());
    const [ca, cb] = [await challenge(a), await challenge(b)];
    const results = await Promise.all([
      a.inject({ method: 'POST', url: '/api/auth/login/2fa', payload: { challengeToken: ca, code } }),
      b.inject({ method: 'POST', url: '/api/auth/login/2fa', payload: { challengeToken: cb, code } }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401]);
  });

  it('wrong codes at either replica count into one per-account budget; a challenge made at one works at the other', async () => {
    const { a, b, secret, challenge } = await setUp({ TWO_FACTOR_ACCOUNT_FAILURES: '4' });
    const near = [-1, 0, 1].map((d) => totpCode(secret, ctx.clock.now() + d * 30_000));
    const wrong = ['000000', '111111', '222222', '333333'].find((c) => !near.includes(c))!;
    const c = await challenge(a);
    for (const [i, app] of [a, b, a, b].entries()) {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login/2fa', payload: { challengeToken: c, code: wrong }, remoteAddress: `192.0.2.${i}` });
      expect(res.json().code).toBe('invalid_two_factor_code');
    }
    const limited = await b.inject({ method: 'POST', url: '/api/auth/login/2fa', payload: { challengeToken: c, code: totpCode(secret, ctx.clock.now()) }, remoteAddress: '192.0.2.9' });
    expect(limited.statusCode).toBe(429);
    ctx.clock.advance(15 * 60_000);
    expectJson(await b.inject({ method: 'POST', url: '/api/auth/login/2fa', payload: { challengeToken: await challenge(a), code: totpCode(secret, ctx.clock.now()) } }), 200);
  });

  it('turning two-factor on at one replica ends an older session’s event stream held at the other', async () => {
    ctx = await createTestContext('postgres');
    replica = await startReplica(ctx);
    const baseB = await replica.app.listen({ port: 0, host: '127.0.0.1' });
    const u = await registerUser(ctx);
    ctx.clock.advance(2000);
    const here = expectJson(await ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: u.email, password: u.password } }), 200).data.token;
    const abort = new AbortController();
    try {
      const stream = await fetch(`${baseB}/api/sync/events`, { headers: bearer(u.token), signal: abort.signal });
      const reader = stream.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toContain('event: hello');
      const setup = expectJson(await ctx.app.inject({ method: 'POST', url: '/api/auth/2fa/setup', headers: bearer(here) }), 200).data;
      expectJson(await ctx.app.inject({ method: 'POST', url: '/api/auth/2fa/enable', headers: bearer(here), payload: { password: u.password, code: totpCode(setup.secret, ctx.clock.now()) } }), 200);
      const ended = await Promise.race([
        (async () => {
          for (;;) if ((await reader.read()).done) return true;
        })(),
        new Promise<false>((r) => setTimeout(() => r(false), 5000)),
      ]);
      expect(ended).toBe(true);
    } finally {
      abort.abort();
    }
  });
});
