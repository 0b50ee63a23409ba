import { useState } from 'react';
import { authRoutes } from '@retrosync/api';
import { call } from '../../api/client';
import { fieldErrors } from '../../api/errors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { useSession, useUser } from '../../app/session';
import { useSubmit } from '../../lib/useSubmit';

export function NameForm() {
  const user = useUser();
  const { setUser } = useSession();
  const [name, setName] = useState(user.name ?? '');
  const { busy, error, done: saved, onSubmit } = useSubmit(async () => {
    const data = await call(authRoutes.updateMe, { body: { name: name.trim() ? name : null } });
    setUser(data.user);
  });

  return (
    <section className="card" aria-labelledby="name-title">
      <h2 id="name-title">Your name</h2>
      <form className="form" onSubmit={onSubmit}>
        <ErrorNotice error={error} />
        {saved ? (
          <div className="notice notice-ok" role="status">
            Name saved.
          </div>
        ) : null}
        <Field
          label="Display name"
          name="name"
          autoComplete="nickname"
          maxLength={100}
          hint="Leave empty to show your email instead."
          value={name}
          error={fieldErrors(error).name}
          onChange={(event) => setName(event.target.value)}
        />
        <div>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Save name
          </button>
        </div>
      </form>
    </section>
  );
}
