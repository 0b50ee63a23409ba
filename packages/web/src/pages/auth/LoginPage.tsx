import { useState } from 'react';
import { authRoutes, twoFactorRoutes } from '@retrosync/api';
import { call } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { Link } from '../../app/router';
import { useSession } from '../../app/session';
import { useSubmit } from '../../lib/useSubmit';
import { AuthFrame } from './AuthFrame';
import { TwoFactorStep } from './TwoFactorStep';

export function LoginPage() {
  const { setUser } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  // Two-factor on: the password was right, the server wants a code with this challenge.
  const [challenge, setChallenge] = useState<string | null>(null);
  const { busy, error, onSubmit } = useSubmit(
    async () => {
      const data = await call(authRoutes.login, { body: { email, password } });
      if ('twoFactorRequired' in data) {
        setChallenge(data.challengeToken);
        setPassword('');
        throw new SecondStep();
      }
      setUser(data.user); // the app then redirects to ?next= or the overview
    },
    { leavesPage: true },
  );

  if (challenge) {
    return (
      <TwoFactorStep
        email={email}
        onCode={async (code) => setUser((await call(twoFactorRoutes.verifyLogin, { body: { challengeToken: challenge, code } })).user)}
        onRestart={() => setChallenge(null)}
      />
    );
  }

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
        <ErrorNotice error={error instanceof SecondStep ? null : error} />
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

/** Ends the password step without an error shown: the page moves on to the code. */
class SecondStep extends Error {}
