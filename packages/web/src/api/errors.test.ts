import { ApiError } from '@retrosync/api';
import { describe, expect, it } from 'vitest';
import { errorMessage, fieldErrors, isUnauthorized } from './errors';

describe('API errors in the dashboard', () => {
  it("shows the API's own message", () => {
    expect(errorMessage(new ApiError('email_taken'))).toBe('An account with this email already exists.');
    expect(errorMessage(new ApiError('forbidden', 'Custom words from the server.'))).toBe('Custom words from the server.');
  });

  it('explains network failures and falls back for unknown throws', () => {
    expect(errorMessage(new TypeError('Failed to fetch'))).toMatch(/Cannot reach the RetroSync server/);
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage('??')).toBe('Something went wrong.');
  });

  it('maps validation details to the first message per field', () => {
    const error = new ApiError('validation_failed', 'Invalid request: check password, email.', {
      fields: [
        { in: 'body', field: 'password', message: 'at least 8 characters' },
        { in: 'body', field: 'password', message: 'second message' },
        { in: 'body', field: 'email', message: 'Invalid email address' },
      ],
    });
    expect(fieldErrors(error)).toEqual({ password: 'at least 8 characters', email: 'Invalid email address' });
    expect(fieldErrors(new ApiError('email_taken'))).toEqual({});
  });

  it('recognises an expired or missing session', () => {
    expect(isUnauthorized(new ApiError('token_expired'))).toBe(true);
    expect(isUnauthorized(new ApiError('forbidden'))).toBe(false);
  });
});
