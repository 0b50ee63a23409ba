import { z } from 'zod';
import { defineRoute } from '../contract.js';
import { email, password, personName, user } from '../schemas.js';
import { twoFactorChallenge } from './two-factor-schemas.js';

export const session = z.object({ user, token: z.string().describe('JWT (HS256, 30 days); also set as the retrosync_token cookie') });

export const authRoutes = {
  register: defineRoute({
    id: 'auth.register',
    method: 'POST',
    path: '/api/auth/register',
    auth: 'none',
    summary: 'Create an account and sign in',
    tags: ['auth'],
    body: z.object({ email, password, name: personName.optional() }),
    response: session,
    successStatus: 201,
    errors: ['email_taken', 'rate_limited'],
    example: { body: { email: 'matrix-new@example.com', password: 'correct horse', name: 'M' } },
  }),
  login: defineRoute({
    id: 'auth.login',
    method: 'POST',
    path: '/api/auth/login',
    auth: 'none',
    summary: 'Sign in with email and password',
    tags: ['auth'],
    description:
      'Answers `{user, token}` (and sets the session cookie), or — when the account has two-factor sign-in on — ' +
      '`{twoFactorRequired: true, challengeToken, expiresAt}`: send the challenge token with a code to POST /api/auth/login/2fa.',
    body: z.object({ email, password: z.string().min(1).max(256) }),
    response: z.union([session, twoFactorChallenge]),
    errors: ['invalid_credentials', 'rate_limited'],
    example: { body: { email: 'nobody@example.com', password: 'wrong password' } },
  }),
  logout: defineRoute({
    id: 'auth.logout',
    method: 'POST',
    path: '/api/auth/logout',
    auth: 'none',
    summary: 'Clear the session cookie',
    tags: ['auth'],
    response: z.object({ loggedOut: z.literal(true) }),
  }),
  me: defineRoute({
    id: 'auth.me',
    method: 'GET',
    path: '/api/auth/me',
    auth: 'user',
    summary: 'The signed-in user',
    tags: ['auth'],
    response: z.object({ user }),
  }),
  updateMe: defineRoute({
    id: 'auth.updateMe',
    method: 'PATCH',
    path: '/api/auth/me',
    auth: 'user',
    summary: 'Change the display name',
    tags: ['auth'],
    body: z.object({ name: personName.nullable() }),
    response: z.object({ user }),
    example: { body: { name: 'Renamed' } },
  }),
  changePassword: defineRoute({
    id: 'auth.changePassword',
    method: 'POST',
    path: '/api/auth/password',
    auth: 'user',
    summary: 'Change the password (signs out other sessions)',
    tags: ['auth'],
    body: z.object({ currentPassword: z.string().min(1).max(256), newPassword: password }),
    response: session,
    errors: ['invalid_credentials'],
    example: { body: { currentPassword: 'not the password', newPassword: 'another password' } },
  }),
  deleteMe: defineRoute({
    id: 'auth.deleteMe',
    method: 'DELETE',
    path: '/api/auth/me',
    auth: 'user',
    summary: 'Delete the account with its devices, saves and logs',
    tags: ['auth'],
    body: z.object({ password: z.string().min(1).max(256) }),
    response: z.object({ deleted: z.literal(true) }),
    errors: ['invalid_credentials'],
    example: { body: { password: 'not the password' } },
  }),
};
