import { useState } from 'react';
import { keyRotationRoutes, type Device } from '@retrosync/api';
import { call } from '../../api/client';
import { useServerEvents } from '../../app/events';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { RelativeTime } from '../../components/Time';
import { useLoad } from '../../lib/useLoad';

/**
 * The device's API key: when it last changed, and "Rotate key". The dashboard never sees a
 * device's key, so it asks the device to rotate: an online device does it within seconds (its
 * event stream, or its next check-in), without re-pairing; the old key then stops at once.
 */
export function KeyRotationPanel({ device }: { device: Device }) {
  const state = useLoad(() => call(keyRotationRoutes.state, { query: { deviceId: device.id } }), `key:${device.id}`);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useServerEvents(
    (type) => type === 'key',
    (event) => {
      if ((event.data as { deviceId?: string } | null)?.deviceId === device.id || event.type === 'resync') void state.reload();
    },
  );

  const request = async () => {
    setBusy(true);
    setError(null);
    try {
      await call(keyRotationRoutes.request, { body: { deviceId: device.id } });
      await state.reload();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
      setAsking(false);
    }
  };

  const s = state.data;
  const waiting = s?.requestedAt != null;
  return (
    <section className="card" aria-labelledby="key-title" data-testid="key-rotation">
      <h2 id="key-title">API key</h2>
      <p className="muted small">
        The device proves who it is with a key it was given when paired. Rotating replaces that key; the device stays paired and
        keeps its history.
      </p>
      <ErrorNotice error={state.error ?? error} />
      {s ? (
        <dl className="facts">
          <dt>Last changed</dt>
          <dd data-testid="key-rotated-at">{s.rotatedAt ? <RelativeTime value={s.rotatedAt} /> : 'when it was paired'}</dd>
        </dl>
      ) : null}
      {waiting ? (
        <p className="notice notice-warn" role="status" data-testid="key-waiting">
          Waiting for {device.name} to take its new key (asked <RelativeTime value={s?.requestedAt ?? null} />).{' '}
          {device.online
            ? 'It is online, so this takes a few seconds.'
            : 'It is offline: it rotates the next time it connects. Until then its current key keeps working — if the device was lost or stolen, remove it instead.'}
        </p>
      ) : s?.rotatedAt && Date.now() - Date.parse(s.rotatedAt) < 10 * 60_000 ? (
        <p className="notice notice-ok" role="status" data-testid="key-done">
          {device.name} now uses a new key; the old one no longer works anywhere.
        </p>
      ) : null}
      <div className="row">
        <button type="button" className="btn" disabled={busy || waiting || !s} onClick={() => setAsking(true)}>
          Rotate key
        </button>
      </div>
      <ConfirmDialog
        open={asking}
        title={`Rotate the key of ${device.name}?`}
        confirmLabel="Rotate key"
        busy={busy}
        onConfirm={() => void request()}
        onCancel={() => setAsking(false)}
      >
        <p>
          {device.name} gets a new key the next time it talks to the server — {device.online ? 'within seconds, as it is online' : 'it is offline now'}. Its old key
          stops working on every server at that moment. Nothing to type on the device, no re-pairing.
        </p>
        <p className="muted small">Lost or stolen device? Remove it on the Devices page instead: that stops its key at once.</p>
        <p className="muted small">
          RetroArch set up with “Add RetroArch” (Cloud Sync) uses the key as its password and cannot take a new one by itself:
          remove it and add it again instead.
        </p>
      </ConfirmDialog>
    </section>
  );
}
