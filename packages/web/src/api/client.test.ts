import { ApiError, authRoutes, deviceRoutes, twoFactorRoutes } from '@retrosync/api';
import { describe, expect, it } from 'vitest';
import { endsSession } from './client';

describe('endsSession', () => {
  it('treats a 401 on a signed-in route as a lost session', () => {
    expect(endsSession(deviceRoutes.list, new ApiError('token_expired'))).toBe(true);
    expect(endsSession(authRoutes.me, new ApiError('unauthorized'))).toBe(true);
  });

  it('does not treat a wrong password at sign-in, other errors or network failures as one', () => {
    expect(endsSession(authRoutes.login, new ApiError('invalid_credentials'))).toBe(false);
    expect(endsSession(authRoutes.changePassword, new ApiError('invalid_credentials'))).toBe(false);
    expect(endsSession(authRoutes.deleteMe, new ApiError('invalid_credentials'))).toBe(false);
    expect(endsSession(deviceRoutes.list, new ApiError('forbidden'))).toBe(false);
    expect(endsSession(deviceRoutes.list, new TypeError('Failed to fetch'))).toBe(false);
  });

  it('does not treat a wrong two-factor code typed to confirm a change as one (the page stayed signed in)', () => {
    expect(endsSession(twoFactorRoutes.enable, new ApiError('invalid_two_factor_code'))).toBe(false);
    expect(endsSession(twoFactorRoutes.disable, new ApiError('invalid_two_factor_code'))).toBe(false);
    expect(endsSession(twoFactorRoutes.regenerateRecoveryCodes, new ApiError('invalid_two_factor_code'))).toBe(false);
  });
});
