import { useState } from 'react';
import { twoFactorRoutes, type TwoFactorStatus } from '@retrosync/api';
import { call } from '../../api/client';
import { fieldErrors } from '../../api/errors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { useSession, useUser } from '../../app/session';
import { formatDateTime } from '../../lib/format';
import { useLoad } from '../../lib/useLoad';
import { useSubmit } from '../../lib/useSubmit';
import { RecoveryCodes } from './RecoveryCodes';

type Setup = { secret: string; otpauthUrl: string; qrCode: string };

/** Two-factor sign-in: enrol (QR + secret, confirmed with the password and a code), turn off, new recovery codes. */
export function TwoFactorCard({ onChange }: { onChange?: () => void }) {
  const status = useLoad(() => call(twoFactorRoutes.status, {}), 'two-factor');
  const [setup, setSetup] = useState<Setup | null>(null);
  const [codes, setCodes] = useState<{ codes: string[]; fresh: boolean } | null>(null);

  const changed = () => {
    void status.reload();
    onChange?.();
  };

  return (
    <section className="card" aria-labelledby="two-factor-title" data-testid="two-factor">
      <h2 id="two-factor-title">Two-factor sign-in</h2>
      <ErrorNotice error={status.error} />
      {codes ? (
        <RecoveryCodes codes={codes.codes} fresh={codes.fresh} onDone={() => setCodes(null)} />
      ) : setup ? (
        <Enrol
          setup={setup}
          onCancel={() => setSetup(null)}
          onEnabled={(recoveryCodes) => {
            setSetup(null);
            setCodes({ codes: recoveryCodes, fresh: true });
            changed();
          }}
        />
      ) : status.data ? (
        status.data.enabled ? (
          <Enabled
            status={status.data}
            onCodes={(c) => {
              setCodes({ codes: c, fresh: false });
              changed();
            }}
            onDisabled={changed}
          />
        ) : (
          <Start onSetup={setSetup} />
        )
      ) : (
        <p className="muted">Loading…</p>
      )}
    </section>
  );
}

function Start({ onSetup }: { onSetup: (s: Setup) => void }) {
  const { busy, error, onSubmit } = useSubmit(async () => onSetup(await call(twoFactorRoutes.setup, {})));
  return (
    <form className="form" onSubmit={onSubmit}>
      <p>
        <span className="badge">Off</span> Signing in needs only your password. With two-factor sign-in on, it also needs a code
        from an authenticator app on your phone (any app that reads a QR code: Aegis, Google Authenticator, 1Password…).
      </p>
      <ErrorNotice error={error} />
      <div>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          Set up two-factor sign-in
        </button>
      </div>
    </form>
  );
}

function Enrol({ setup, onCancel, onEnabled }: { setup: Setup; onCancel: () => void; onEnabled: (codes: string[]) => void }) {
  const { setUser } = useSession();
  const user = useUser();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const { busy, error, onSubmit } = useSubmit(async () => {
    const data = await call(twoFactorRoutes.enable, { body: { password, code: code.trim() } });
    setUser(data.user);
    onEnabled(data.recoveryCodes);
  });
  const fields = fieldErrors(error);
  return (
    <form className="form" onSubmit={onSubmit}>
      <p>
        <strong>1.</strong> Scan this QR code with your authenticator app.
      </p>
      <div className="two-factor-setup">
        <img className="pairing-qr" src={setup.qrCode} width={168} height={168} alt="QR code for your authenticator app" />
        <div>
          <p className="muted small">Can’t scan it? Type this key into the app instead (time-based, 6 digits):</p>
          <code className="two-factor-secret" data-testid="totp-secret">
            {setup.secret.replace(/(.{4})/g, '$1 ').trim()}
          </code>
        </div>
      </div>
      <p>
        <strong>2.</strong> Type the 6-digit code the app shows, and your password, to turn it on.
      </p>
      <ErrorNotice error={error} />
      <input type="email" name="username" autoComplete="username" hidden readOnly value={user.email} />
      <Field
        label="Code from the app"
        className="code-input"
        inputMode="numeric"
        autoComplete="one-time-code"
        maxLength={6}
        required
        value={code}
        error={fields.code}
        onChange={(event) => setCode(event.target.value)}
      />
      <Field
        label="Password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        error={fields.password}
        onChange={(event) => setPassword(event.target.value)}
      />
      <p className="muted small">Turning it on signs out every other browser and app signed in to this account (your devices stay paired).</p>
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          Turn on
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Enabled({ status, onCodes, onDisabled }: { status: TwoFactorStatus; onCodes: (codes: string[]) => void; onDisabled: () => void }) {
  const user = useUser();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [action, setAction] = useState<'disable' | 'codes'>('disable');
  const { busy, error, onSubmit } = useSubmit(async () => {
    const body = { password, code: code.trim() };
    if (action === 'codes') onCodes((await call(twoFactorRoutes.regenerateRecoveryCodes, { body })).recoveryCodes);
    else await call(twoFactorRoutes.disable, { body });
    setPassword('');
    setCode('');
    if (action === 'disable') onDisabled();
  });
  const fields = fieldErrors(error);
  return (
    <form className="form" onSubmit={onSubmit}>
      <p>
        <span className="badge badge-ok">On</span> since {status.enabledAt ? formatDateTime(status.enabledAt) : '—'}. Signing in asks for a
        code from your authenticator app. <strong>{status.recoveryCodesLeft}</strong> of 10 recovery codes left
        {status.recoveryCodesLeft <= 3 ? ' — make new ones soon.' : '.'}
      </p>
      <p className="muted small">To turn it off or to make new recovery codes, confirm with your password and a code (or a recovery code).</p>
      <ErrorNotice error={error} />
      <input type="email" name="username" autoComplete="username" hidden readOnly value={user.email} />
      <div className="grid">
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          error={fields.password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <Field
          label="Code or recovery code"
          autoComplete="one-time-code"
          maxLength={32}
          required
          value={code}
          error={fields.code}
          onChange={(event) => setCode(event.target.value)}
        />
      </div>
      <div className="row">
        <button type="submit" className="btn btn-danger" disabled={busy} onClick={() => setAction('disable')}>
          Turn off two-factor sign-in
        </button>
        <button type="submit" className="btn" disabled={busy} onClick={() => setAction('codes')}>
          New recovery codes
        </button>
      </div>
    </form>
  );
}
