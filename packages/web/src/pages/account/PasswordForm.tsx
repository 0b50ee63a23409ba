import { useState, type FormEvent } from 'react';
import { authRoutes } from '@retrosync/api';
import { call } from '../../api/client';
import { fieldErrors } from '../../api/errors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { useSession, useUser } from '../../app/session';
import { useSubmit } from '../../lib/useSubmit';

export function PasswordForm({ onChange }: { onChange?: () => void } = {}) {
  const { setUser } = useSession();
  const user = useUser();
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [confirm, setConfirm] = useState('');
  const mismatch = confirm.length > 0 && confirm !== newPassword;
  const { busy, error, done: saved, onSubmit } = useSubmit(async () => {
    const data = await call(authRoutes.changePassword, { body: { currentPassword, newPassword } });
    setUser(data.user);
    setCurrent('');
    setNew('');
    setConfirm('');
    onChange?.();
  });
  const fields = fieldErrors(error);
  const submit = (event: FormEvent) => (mismatch ? event.preventDefault() : onSubmit(event));

  return (
    <section className="card" aria-labelledby="password-title">
      <h2 id="password-title">Change password</h2>
      <form className="form" onSubmit={submit}>
        <ErrorNotice error={error} />
        {saved ? (
          <div className="notice notice-ok" role="status">
            Password changed. Other browsers signed in to this account are signed out.
          </div>
        ) : null}
        <input type="email" name="username" autoComplete="username" hidden readOnly value={user.email} />
        <Field
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          value={currentPassword}
          error={fields.currentPassword}
          onChange={(event) => setCurrent(event.target.value)}
        />
        <Field
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          hint="At least 8 characters."
          value={newPassword}
          error={fields.newPassword}
          onChange={(event) => setNew(event.target.value)}
        />
        <Field
          label="Repeat the new password"
          type="password"
          autoComplete="new-password"
          required
          value={confirm}
          error={mismatch ? 'The two new passwords differ.' : undefined}
          onChange={(event) => setConfirm(event.target.value)}
        />
        <div>
          <button type="submit" className="btn btn-primary" disabled={busy || mismatch}>
            Change password
          </button>
        </div>
      </form>
    </section>
  );
}
