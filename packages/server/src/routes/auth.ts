import type {} from '@fastify/cookie';
import type { FastifyReply } from 'fastify';
import { ApiError, authRoutes } from '@retrosync/api';
import { requestMeta } from '../account/audit.js';
import { endOtherSessionStreams } from '../account/sessions.js';
import type { AppDeps } from '../app-deps.js';
import { SESSION_COOKIE } from '../http/auth.js';
import { ok, registerRoute } from '../http/register-route.js';
import { TOKEN_TTL_MS } from '../security/jwt.js';
import type { RouteModule } from '../app-deps.js';
import { normalizeEmail, userToWire } from '../services/users.js';

export function setSessionCookie(reply: FastifyReply, deps: AppDeps, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: deps.config.secureCookies,
    path: '/',
    maxAge: Math.floor(TOKEN_TTL_MS / 1000),
  });
}

function clearSessionCookie(reply: FastifyReply, deps: AppDeps): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: deps.config.secureCookies, path: '/' });
}

export const authRouteModule: RouteModule = (app, deps) => {
  const { users, limits, audit, twoFactor } = deps;

  registerRoute(app, authRoutes.register, async ({ body, reply, ip }) => {
    await limits.registration(ip);
    const session = await users.register(body);
    setSessionCookie(reply, deps, session.token);
    return ok(session, { message: 'Account created' });
  });

  registerRoute(app, authRoutes.login, async ({ body, reply, ip, req }) => {
    const account = normalizeEmail(body.email);
    const ticket = await limits.passwordAttempt(ip, account);
    const session = await users.login(body);
    if (!session) {
      // Only an existing account has a log to write to; an unknown email leaves no trace.
      const userId = await users.idForEmail(account);
      if (userId) await audit.record({ userId, event: 'sign_in_failed', ...requestMeta(req), detail: { reason: 'password' } });
      throw new ApiError('invalid_credentials');
    }
    await limits.passwordSucceeded(ticket, ip, account);
    // Two-factor on: no session yet, a challenge for the second step (account/two-factor-routes.ts).
    if (await twoFactor.isEnabled(session.user.id)) return ok(await twoFactor.createChallenge(session.user.id).then((c) => ({ twoFactorRequired: true as const, ...c })), { message: 'Enter the code from your authenticator app' });
    await audit.record({ userId: session.user.id, event: 'sign_in', ...requestMeta(req), detail: { method: 'password' } });
    setSessionCookie(reply, deps, session.token);
    return ok(session, { message: 'Signed in' });
  });

  registerRoute(app, authRoutes.logout, async ({ reply }) => {
    clearSessionCookie(reply, deps);
    return { loggedOut: true as const };
  });

  registerRoute(app, authRoutes.me, async ({ auth }) => ({ user: userToWire(auth.user) }));

  registerRoute(app, authRoutes.updateMe, async ({ auth, body }) => ({ user: await users.rename(auth.userId, body.name) }));

  registerRoute(app, authRoutes.changePassword, async ({ auth, body, reply, ip, req }) => {
    const account = `user:${auth.userId}`;
    const ticket = await limits.passwordAttempt(ip, account);
    const session = await users.changePassword(auth.userId, body.currentPassword, body.newPassword);
    if (!session) throw new ApiError('invalid_credentials', 'The current password is wrong.');
    await limits.passwordSucceeded(ticket, ip, account);
    await endOtherSessionStreams(deps, auth.userId);
    await audit.record({ userId: auth.userId, event: 'password_changed', ...requestMeta(req) });
    setSessionCookie(reply, deps, session.token);
    return ok(session, { message: 'Password changed; other sessions are signed out' });
  });

  registerRoute(app, authRoutes.deleteMe, async ({ auth, body, reply, ip }) => {
    const ticket = await limits.passwordAttempt(ip, `user:${auth.userId}`);
    if (!(await users.delete(auth.userId, body.password))) throw new ApiError('invalid_credentials', 'The password is wrong.');
    await limits.refund(ticket);
    clearSessionCookie(reply, deps);
    return ok({ deleted: true as const }, { message: 'Account deleted' });
  });
};
