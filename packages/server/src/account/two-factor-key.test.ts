/**
 * The server secret the two-factor secrets are sealed with (account/secret-box.ts): a server
 * started with another JWT secret cannot read them (503 two_factor_key_mismatch, nothing
 * accepted), and TWO_FACTOR_KEY set to the old secret brings them back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { openDatabase } from '../db/open.js';
import { totpCode } from './totp.js';
import { bearer, createTestContext, databaseTargets, expectJson, registerUser, TEST_JWT_SECRET, type TestContext } from '../test-support/index.js';

const NEW_SECRET = 'a-different-jwt-secret-a-different-jwt-secret';

describe.each(databaseTargets())('two-factor key on %s', (target) => {
  let ctx: TestContext;
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await ctx?.close();
  });

  /** Another server process on the same database with this JWT secret (and optionally TWO_FACTOR_KEY). */
  async function restartedWith(jwtSecret: string, twoFactorKey?: string): Promise<FastifyInstance> {
    const opened = await openDatabase(ctx.config.database, { poolSize: 2 });
    const config = { ...ctx.config, jwtSecret, account: { ...ctx.config.account, twoFactorKey } };
    const app = await buildApp({ config, db: opened.db, dialect: opened.dialect, jwtSecret, clock: ctx.clock, logger: false, validateResponses: true, heartbeatFlushMs: 0 });
    await app.ready();
    closers.push(async () => {
      await app.close();
      await opened.close();
    });
    return app;
  }

  it('another JWT secret cannot read the enrolment; TWO_FACTOR_KEY = the old secret can', async () => {
    ctx = await createTestContext(target);
    const u = await registerUser(ctx);
    const setup = expectJson(await ctx.app.inject({ method: 'POST', url: '/api/auth/2fa/setup', headers: bearer(u.token) }), 200).data;
    expectJson(await ctx.app.inject({ method: 'POST', url: '/api/auth/2fa/enable', headers: bearer(u.token), payload: { password: u.password, code: totpCode(setup.secret, ctx.clock.now()) } }), 200);
    ctx.clock.advance(30_000);

    const signIn = async (app: FastifyInstance) => {
      const c = expectJson(await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: u.email, password: u.password } }), 200).data.challengeToken;
      return app.inject({ method: 'POST', url: '/api/auth/login/2fa', payload: { challengeToken: c, code: totpCode(setup.secret, ctx.clock.now()) } });
    };

    const rotated = await restartedWith(NEW_SECRET);
    const refused = await signIn(rotated);
    expect(refused.statusCode).toBe(503);
    expect(refused.json().code).toBe('two_factor_key_mismatch');

    const fixed = await restartedWith(NEW_SECRET, TEST_JWT_SECRET);
    expectJson(await signIn(fixed), 200);
  });
});
