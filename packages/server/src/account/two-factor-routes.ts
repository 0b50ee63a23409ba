/**
 * Two-factor routes (contract: twoFactorRoutes in @retrosync/api). Every code check is counted
 * by limits.twoFactorAttempt before it happens and given back when it succeeds; every password
 * check by limits.passwordAttempt, as at sign-in. Each outcome lands in the audit log.
 */
import { ApiError, twoFactorRoutes } from '@retrosync/api';
import type { FastifyRequest } from 'fastify';
import type { RouteModule } from '../app-deps.js';
import { ok, registerRoute } from '../http/register-route.js';
import { setSessionCookie } from '../routes/auth.js';
import { requestMeta } from './audit.js';
import { endOtherSessionStreams } from './sessions.js';
import type { CodeMethod } from './two-factor.js';

export const twoFactorRouteModule: RouteModule = (app, deps) => {
  const { users, limits, audit, twoFactor } = deps;

  /** The password, counted like a sign-in attempt on this account. */
  async function requirePassword(userId: string, password: string, ip: string): Promise<void> {
    const account = `user:${userId}`;
    const ticket = await limits.passwordAttempt(ip, account);
    if (!(await users.checkPassword(userId, password))) throw new ApiError('invalid_credentials', 'The password is wrong.');
    await limits.passwordSucceeded(ticket, ip, account);
  }

  /** Checks and spends a code (TOTP or recovery) of an account with two-factor on; 401 when wrong. */
  async function requireCode(userId: string, code: string, req: FastifyRequest, purpose: string): Promise<void> {
    const ticket = await limits.twoFactorAttempt(req.ip, userId);
    const method = await twoFactor.consume(userId, code);
    if (method === null) {
      await audit.record({ userId, event: 'sign_in_failed', ...requestMeta(req), detail: { reason: 'two_factor_code', purpose } });
      throw new ApiError('invalid_two_factor_code');
    }
    await limits.refund(ticket);
    if (method === 'recovery_code') await recordRecoveryUse(userId, req, purpose);
  }

  async function recordRecoveryUse(userId: string, req: FastifyRequest, purpose: string): Promise<void> {
    await audit.record({ userId, event: 'recovery_code_used', ...requestMeta(req), detail: { purpose, left: await twoFactor.recoveryCodesLeft(userId) } });
  }

  registerRoute(app, twoFactorRoutes.status, async ({ auth }) => twoFactor.status(auth.userId));

  registerRoute(app, twoFactorRoutes.setup, async ({ auth }) => twoFactor.setup(auth.userId, auth.user.email));

  registerRoute(app, twoFactorRoutes.enable, async ({ auth, body, req, reply, ip }) => {
    await requirePassword(auth.userId, body.password, ip);
    const ticket = await limits.twoFactorAttempt(ip, auth.userId);
    const recoveryCodes = await twoFactor.enable(auth.userId, body.code);
    await limits.refund(ticket);
    const session = await users.signOutOtherSessions(auth.userId);
    await endOtherSessionStreams(deps, auth.userId);
    setSessionCookie(reply, deps, session.token);
    await audit.record({ userId: auth.userId, event: 'two_factor_enabled', ...requestMeta(req) });
    return ok({ ...session, recoveryCodes }, { message: 'Two-factor sign-in is on; other sessions are signed out. Keep the recovery codes somewhere safe.' });
  });

  registerRoute(app, twoFactorRoutes.disable, async ({ auth, body, req, ip }) => {
    if (!(await twoFactor.isEnabled(auth.userId))) throw new ApiError('two_factor_not_enabled');
    await requirePassword(auth.userId, body.password, ip);
    await requireCode(auth.userId, body.code, req, 'disable');
    await twoFactor.disable(auth.userId);
    await audit.record({ userId: auth.userId, event: 'two_factor_disabled', ...requestMeta(req) });
    return ok(await twoFactor.status(auth.userId), { message: 'Two-factor sign-in is off' });
  });

  registerRoute(app, twoFactorRoutes.regenerateRecoveryCodes, async ({ auth, body, req, ip }) => {
    if (!(await twoFactor.isEnabled(auth.userId))) throw new ApiError('two_factor_not_enabled');
    await requirePassword(auth.userId, body.password, ip);
    await requireCode(auth.userId, body.code, req, 'new_recovery_codes');
    return ok({ recoveryCodes: await twoFactor.regenerateRecoveryCodes(auth.userId) }, { message: 'New recovery codes; the old ones no longer work' });
  });

  registerRoute(app, twoFactorRoutes.verifyLogin, async ({ body, req, reply, ip }) => {
    const challenge = await twoFactor.liveChallenge(body.challengeToken);
    const userId = challenge.user_id;
    const ticket = await limits.twoFactorAttempt(ip, userId);
    let method: CodeMethod | null;
    try {
      method = await twoFactor.completeChallenge(challenge, body.code);
    } catch (err) {
      await limits.refund(ticket); // not checked (the challenge went away meanwhile)
      throw err;
    }
    if (method === null) {
      await audit.record({ userId, event: 'sign_in_failed', ...requestMeta(req), detail: { reason: 'two_factor_code' } });
      throw new ApiError('invalid_two_factor_code');
    }
    await limits.refund(ticket);
    const session = await users.sessionFor(userId);
    setSessionCookie(reply, deps, session.token);
    if (method === 'recovery_code') await recordRecoveryUse(userId, req, 'sign_in');
    await audit.record({ userId, event: 'sign_in', ...requestMeta(req), detail: { method: method === 'totp' ? 'password+totp' : 'password+recovery_code' } });
    return ok(session, { message: 'Signed in' });
  });
};

