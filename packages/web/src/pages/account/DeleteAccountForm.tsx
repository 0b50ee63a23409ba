import { useState } from 'react';
import { authRoutes } from '@retrosync/api';
import { call } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { navigate } from '../../app/router';
import { useSession } from '../../app/session';
import { useSubmit } from '../../lib/useSubmit';

export function DeleteAccountForm() {
  const { setUser } = useSession();
  const [password, setPassword] = useState('');
  const { busy, error, onSubmit } = useSubmit(
    async () => {
      await call(authRoutes.deleteMe, { body: { password } });
      navigate('/', { replace: true });
      setUser(null);
    },
    { leavesPage: true },
  );

  return (
    <section className="card" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete account</h2>
      <p className="muted">
        This removes your account, every device, every save with its whole history, and the activity log. It cannot be
        undone. Download anything you want to keep first.
      </p>
      <form className="form" onSubmit={onSubmit}>
        <ErrorNotice error={error} />
        <div className="inline-form">
          <Field
            label="Type your password to confirm"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
          <button type="submit" className="btn btn-danger" disabled={busy || password.length === 0}>
            Delete my account
          </button>
        </div>
      </form>
    </section>
  );
}
