import { z } from 'zod';
import { isoDate } from '../schemas.js';

/** What sign-in answers instead of a session when the account has two-factor sign-in on. */
export const twoFactorChallenge = z.object({
  twoFactorRequired: z.literal(true),
  challengeToken: z.string().describe('Single use, valid 5 minutes; send it with a code to POST /api/auth/login/2fa'),
  expiresAt: isoDate,
});
export type TwoFactorChallenge = z.infer<typeof twoFactorChallenge>;

export const twoFactorStatus = z.object({
  enabled: z.boolean(),
  enabledAt: isoDate.nullable(),
  recoveryCodesLeft: z.number().int(),
});
export type TwoFactorStatus = z.infer<typeof twoFactorStatus>;

/** A 6-digit authenticator code, or a recovery code (`xxxxx-xxxxx`). */
export const twoFactorCode = z.string().trim().min(6).max(32).describe('The 6-digit code from the authenticator app, or a recovery code');
export const authenticatorCode = z.string().trim().regex(/^\d{6}$/, 'expected the 6-digit code from the authenticator app');
