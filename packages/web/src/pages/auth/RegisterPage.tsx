import { useState } from 'react';
import { authRoutes } from '@retrosync/api';
import { call } from '../../api/client';
import { fieldErrors } from '../../api/errors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { Link } from '../../app/router';
import { useSession } from '../../app/session';
import { useSubmit } from '../../lib/useSubmit';
import { AuthFrame } from './AuthFrame';

export function RegisterPage() {
  const { setUser } = useSession();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, onSubmit } = useSubmit(
    async () => {
      const body = name.trim() ? { email, password, name } : { email, password };
      const data = await call(authRoutes.register, { body });
      setUser(data.user); // the app then opens the devices page to pair the first device
    },
    { leavesPage: true },
  );
  const fields = fieldErrors(error);

  return (
    <AuthFrame
      title="Create your account"
      footer={
        <>
          Already have an account? <Link to="/auth/login">Sign in</Link>
        </>
      }
    >
      <form className="form" onSubmit={onSubmit} noValidate>
        <ErrorNotice error={error} />
        <Field
          label="Name"
          name="name"
          autoComplete="nickname"
          hint="Optional — shown in the dashboard."
          value={name}
          error={fields.name}
          onChange={(event) => setName(event.target.value)}
        />
        <Field
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          required
          value={email}
          error={fields.email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete="new-password"
          required
          minLength={8}
          hint="At least 8 characters."
          value={password}
          error={fields.password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Creating account…' : 'Create account'}
        </button>
      </form>
    </AuthFrame>
  );
}
