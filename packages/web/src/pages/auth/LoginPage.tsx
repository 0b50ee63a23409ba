import { useState } from 'react';
import { authRoutes } from '@retrosync/api';
import { call } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { Link } from '../../app/router';
import { useSession } from '../../app/session';
import { useSubmit } from '../../lib/useSubmit';
import { AuthFrame } from './AuthFrame';

export function LoginPage() {
  const { setUser } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, onSubmit } = useSubmit(
    async () => {
      const data = await call(authRoutes.login, { body: { email, password } });
      setUser(data.user); // the app then redirects to ?next= or the overview
    },
    { leavesPage: true },
  );

  return (
    <AuthFrame
      title="Sign in"
      footer={
        <>
          New to RetroSync? <Link to="/auth/register">Create an account</Link>
        </>
      }
    >
      <form className="form" onSubmit={onSubmit} noValidate>
        <ErrorNotice error={error} />
        <Field
          label="Email"
          type="email"
          name="email"
          autoComplete="username"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </AuthFrame>
  );
}
