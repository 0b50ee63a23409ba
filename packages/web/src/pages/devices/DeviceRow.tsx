import { useState, type FormEvent } from 'react';
import { deviceRoutes, type Device } from '@retrosync/api';
import { call } from '../../api/client';
import { Link } from '../../app/router';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { RelativeTime } from '../../components/Time';
import { deviceTypeLabel } from '../../lib/devices';

export function OnlineBadge({ device }: { device: Device }) {
  return device.online ? (
    <span className="badge badge-ok">Online</span>
  ) : (
    <span className="badge">Offline</span>
  );
}

type Props = { device: Device; onChanged: () => void };

export function DeviceRow({ device, onChanged }: Props) {
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(device.name);
  const [removing, setRemoving] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const rename = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await call(deviceRoutes.rename, { body: { deviceId: device.id, name } });
      setRenaming(false);
      onChanged();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await call(deviceRoutes.remove, { query: { deviceId: device.id } });
      setRemoving(false);
      onChanged();
    } catch (caught) {
      setRemoving(false);
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const lastSeen = device.lastHeartbeatAt ?? device.lastSyncAt;
  return (
    <li className="list-item" data-testid="device-row" data-online={device.online}>
      <div>
        {renaming ? (
          <form className="inline-form" onSubmit={(event) => void rename(event)}>
            <Field label={`New name for ${device.name}`} value={name} maxLength={64} required autoFocus onChange={(event) => setName(event.target.value)} />
            <button type="submit" className="btn btn-primary" disabled={busy}>
              Save
            </button>
            <button type="button" className="btn" onClick={() => setRenaming(false)}>
              Cancel
            </button>
          </form>
        ) : (
          <div className="row">
            <Link className="title" to={`/dashboard/device?id=${encodeURIComponent(device.id)}`}>
              {device.name}
            </Link>
            <OnlineBadge device={device} />
          </div>
        )}
        <div className="meta">
          <span>{deviceTypeLabel(device.deviceType)}</span>
          <span>
            {device.online ? 'Last check-in ' : 'Last seen '}
            <RelativeTime value={lastSeen} />
          </span>
          {device.clientVersion ? <span>Client {device.clientVersion}</span> : null}
          {device.clockOffsetMs !== null && Math.abs(device.clockOffsetMs) >= 60_000 ? (
            <span className="badge badge-warn badge-plain">Clock off by {Math.round(device.clockOffsetMs / 60_000)} min</span>
          ) : null}
        </div>
        <ErrorNotice error={error} />
      </div>
      {renaming ? null : (
        <div className="actions">
          <Link className="btn btn-small" to={`/dashboard/device?id=${encodeURIComponent(device.id)}`} aria-label={`Open ${device.name}: playing now, API key`}>
            Details
          </Link>
          <button
            type="button"
            className="btn btn-small"
            aria-label={`Rename ${device.name}`}
            onClick={() => {
              setName(device.name);
              setRenaming(true);
            }}
          >
            Rename
          </button>
          <button type="button" className="btn btn-small btn-danger" aria-label={`Remove ${device.name}`} onClick={() => setRemoving(true)}>
            Remove
          </button>
        </div>
      )}
      <ConfirmDialog
        open={removing}
        title={`Remove ${device.name}?`}
        confirmLabel="Remove device"
        danger
        busy={busy}
        onConfirm={() => void remove()}
        onCancel={() => setRemoving(false)}
      >
        <p>
          Its key stops working at once and it will no longer sync. Its saves and their history stay on the server. To use it
          again, pair it anew.
        </p>
      </ConfirmDialog>
    </li>
  );
}
