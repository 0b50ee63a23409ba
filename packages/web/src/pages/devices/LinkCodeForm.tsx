import { useState } from 'react';
import { deviceRoutes } from '@retrosync/api';
import { call } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { useSubmit } from '../../lib/useSubmit';

/** The device-shown flow: a handheld displays a code, the player types it here. */
export function LinkCodeForm({ onLinked }: { onLinked: () => void }) {
  const [code, setCode] = useState('');
  const [linked, setLinked] = useState<string | null>(null);
  const { busy, error, done, onSubmit } = useSubmit(async () => {
    const data = await call(deviceRoutes.linkDeviceCode, { body: { code: code.replace(/[\s-]+/g, '') } });
    setLinked(data.device.name);
    setCode('');
    onLinked();
  });

  return (
    <section className="card" aria-labelledby="link-code-title">
      <h2 id="link-code-title">Device showing a code?</h2>
      <p className="muted">Some handhelds show a code instead of asking for one. Type it here to link that device.</p>
      <form className="form" onSubmit={onSubmit}>
        <ErrorNotice error={error} />
        {done && linked ? (
          <div className="notice notice-ok" role="status">
            <strong>{linked}</strong> is linked. It picks up its key within a few seconds.
          </div>
        ) : null}
        <div className="inline-form">
          <Field
            label="Enter the code shown on your device"
            className="code-input"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9 \-]{6,14}"
            maxLength={14}
            required
            placeholder="123 456"
            value={code}
            onChange={(event) => setCode(event.target.value.replace(/[^0-9 -]/g, ''))}
          />
          <button type="submit" className="btn btn-primary" disabled={busy || ![6, 12].includes(code.replace(/[\s-]+/g, '').length)}>
            {busy ? 'Linking…' : 'Link device'}
          </button>
        </div>
      </form>
    </section>
  );
}
