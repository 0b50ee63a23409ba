import { useState } from 'react';
import { ApiError } from '@retrosync/api';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { useSubmit } from '../../lib/useSubmit';
import { AuthFrame } from './AuthFrame';

/** The second sign-in step: a code from the authenticator app, or a recovery code. */
export function TwoFactorStep({ email, onCode, onRestart }: { email: string; onCode: (code: string) => Promise<void>; onRestart: () => void }) {
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState(false);
  const { busy, error, onSubmit } = useSubmit(() => onCode(code.trim()), { leavesPage: true });
  // The challenge is gone (5 minutes passed, or too many wrong codes): back to the password.
  const expired = error instanceof ApiError && error.code === 'two_factor_challenge_expired';

  return (
    <AuthFrame
      title="Two-factor sign-in"
      footer={
        <button type="button" className="btn-link" onClick={onRestart}>
          Start again with the password
        </button>
      }
    >
      <form className="form" onSubmit={onSubmit} noValidate>
        <p className="muted">
          {recovery ? (
            <>Type one of the recovery codes you saved for <strong>{email}</strong>. Each code works once.</>
          ) : (
            <>Open your authenticator app and type the 6-digit code it shows for <strong>{email}</strong>.</>
          )}
        </p>
        <ErrorNotice error={error} />
        {expired ? (
          <button type="button" className="btn" onClick={onRestart}>
            Sign in again
          </button>
        ) : null}
        <Field
          label={recovery ? 'Recovery code' : 'Authentication code'}
          name="code"
          autoComplete="one-time-code"
          inputMode={recovery ? 'text' : 'numeric'}
          pattern={recovery ? undefined : '[0-9]{6}'}
          maxLength={recovery ? 32 : 6}
          placeholder={recovery ? 'xxxxx-xxxxx' : '123456'}
          required
          autoFocus
          value={code}
          onChange={(event) => setCode(event.target.value)}
        />
        <button type="submit" className="btn btn-primary" disabled={busy || code.trim().length < 6}>
          {busy ? 'Checking…' : 'Verify'}
        </button>
        <button
          type="button"
          className="btn-link"
          onClick={() => {
            setRecovery((r) => !r);
            setCode('');
          }}
        >
          {recovery ? 'Use the authenticator app instead' : 'Lost your phone? Use a recovery code'}
        </button>
      </form>
    </AuthFrame>
  );
}
