/**
 * Two-factor sign-in (TOTP, RFC 6238, with recovery codes). Enrolment: `setup` (QR + secret),
 * then `enable` with the password and a first code (answers the recovery codes, once, and a new
 * session: every other session of the account is signed out). Sign-in: POST /api/auth/login
 * answers a challenge; POST /api/auth/login/2fa exchanges it and a code for the session.
 */
import { z } from 'zod';
import { defineRoute } from '../contract.js';
import { user } from '../schemas.js';
import { session } from './auth.js';
import { authenticatorCode, twoFactorCode, twoFactorStatus } from './two-factor-schemas.js';

const passwordField = z.string().min(1).max(256);
const recoveryCodes = z.array(z.string()).describe('Shown once; each works once instead of a code');

export const twoFactorRoutes = {
  status: defineRoute({
    id: 'twoFactor.status',
    method: 'GET',
    path: '/api/auth/2fa',
    auth: 'user',
    summary: 'Whether two-factor sign-in is on, and how many recovery codes are left',
    tags: ['auth'],
    response: twoFactorStatus,
  }),
  setup: defineRoute({
    id: 'twoFactor.setup',
    method: 'POST',
    path: '/api/auth/2fa/setup',
    auth: 'user',
    summary: 'Start enrolment: a new TOTP secret as text, otpauth:// URI and QR code (not active until confirmed)',
    tags: ['auth'],
    response: z.object({
      secret: z.string().describe('Base32, for typing into an authenticator app'),
      otpauthUrl: z.string(),
      qrCode: z.string().describe('PNG data URL of otpauthUrl'),
    }),
    errors: ['two_factor_enabled'],
  }),
  enable: defineRoute({
    id: 'twoFactor.enable',
    method: 'POST',
    path: '/api/auth/2fa/enable',
    auth: 'user',
    summary: 'Confirm enrolment with the password and a code; signs out every other session',
    tags: ['auth'],
    body: z.object({ password: passwordField, code: authenticatorCode }),
    response: z.object({ user, token: z.string(), recoveryCodes }),
    errors: ['invalid_credentials', 'invalid_two_factor_code', 'two_factor_not_started', 'two_factor_enabled', 'rate_limited'],
    example: { body: { password: 'not the password', code: '123456' } },
  }),
  disable: defineRoute({
    id: 'twoFactor.disable',
    method: 'POST',
    path: '/api/auth/2fa/disable',
    auth: 'user',
    summary: 'Turn two-factor sign-in off (password and a code or recovery code)',
    tags: ['auth'],
    body: z.object({ password: passwordField, code: twoFactorCode }),
    response: twoFactorStatus,
    errors: ['invalid_credentials', 'invalid_two_factor_code', 'two_factor_not_enabled', 'rate_limited'],
    example: { body: { password: 'not the password', code: '123456' } },
  }),
  regenerateRecoveryCodes: defineRoute({
    id: 'twoFactor.recoveryCodes',
    method: 'POST',
    path: '/api/auth/2fa/recovery-codes',
    auth: 'user',
    summary: 'Replace the recovery codes (password and a code); the old ones stop working',
    tags: ['auth'],
    body: z.object({ password: passwordField, code: twoFactorCode }),
    response: z.object({ recoveryCodes }),
    errors: ['invalid_credentials', 'invalid_two_factor_code', 'two_factor_not_enabled', 'rate_limited'],
    example: { body: { password: 'not the password', code: '123456' } },
  }),
  verifyLogin: defineRoute({
    id: 'twoFactor.verifyLogin',
    method: 'POST',
    path: '/api/auth/login/2fa',
    auth: 'none',
    summary: 'Second sign-in step: the challenge from POST /api/auth/login and a code (or a recovery code)',
    tags: ['auth'],
    body: z.object({ challengeToken: z.string().min(1).max(128), code: twoFactorCode }),
    response: session,
    errors: ['invalid_two_factor_code', 'two_factor_challenge_expired', 'rate_limited'],
    example: { body: { challengeToken: 'expired-or-made-up', code: '123456' } },
  }),
};
