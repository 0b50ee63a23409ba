/**
 * User sessions: JWT HS256, 30 days, payload `{userId, email, type: 'user'}` (+ iat/exp).
 * The verifier pins `algorithms: ['HS256']`, so `alg: none` and every other algorithm fail.
 */
import { createSigner, createVerifier, TokenError } from 'fast-jwt';
import { ApiError } from '@retrosync/api';
import type { Clock } from '../clock.js';

export const TOKEN_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export interface UserClaims {
  userId: string;
  email: string;
  type: 'user';
  /** Issued-at, seconds. */
  iat: number;
  exp: number;
}

export interface JwtService {
  sign(claims: { userId: string; email: string }): string;
  /** Throws ApiError `token_expired` or `unauthorized`. */
  verify(token: string): UserClaims;
}

export function createJwtService(secret: string, clock: Clock): JwtService {
  const key = Buffer.from(secret, 'utf8');
  return {
    sign({ userId, email }) {
      const signer = createSigner({ key, algorithm: 'HS256', expiresIn: TOKEN_TTL_MS, clockTimestamp: clock.now() });
      return signer({ userId, email, type: 'user' });
    },
    verify(token) {
      // A verifier per call so the injected clock applies; creating one is cheap (no key parsing for HS256).
      const verifier = createVerifier({ key, algorithms: ['HS256'], clockTimestamp: clock.now(), cache: false });
      let payload: Record<string, unknown>;
      try {
        payload = verifier(token) as Record<string, unknown>;
      } catch (err) {
        if (err instanceof TokenError && err.code === TokenError.codes.expired) throw new ApiError('token_expired');
        throw new ApiError('unauthorized', 'The session token is invalid; sign in again.');
      }
      if (payload.type !== 'user' || typeof payload.userId !== 'string' || typeof payload.email !== 'string' || typeof payload.iat !== 'number') {
        throw new ApiError('unauthorized', 'The session token is invalid; sign in again.');
      }
      return payload as unknown as UserClaims;
    },
  };
}
