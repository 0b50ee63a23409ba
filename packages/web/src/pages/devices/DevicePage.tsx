import { deviceRoutes } from '@retrosync/api';
import { call } from '../../api/client';
import { useServerEvents } from '../../app/events';
import { Link, useLocation } from '../../app/router';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { InUseBadge } from '../../components/InUseBadge';
import { PageHead } from '../../components/PageHead';
import { RelativeTime } from '../../components/Time';
import { deviceTypeLabel } from '../../lib/devices';
import { useLeases } from '../../lib/leases';
import { splitKey } from '../../lib/saves';
import { useLoad } from '../../lib/useLoad';
import { OnlineBadge } from './DeviceRow';
import { KeyRotationPanel } from './KeyRotationPanel';
import { SyncFilterPanel } from './SyncFilterPanel';

/** One device: its state, the saves it is playing now, and its API key (`/dashboard/device?id=…`). */
export function DevicePage() {
  const { search } = useLocation();
  const id = search.get('id') ?? '';
  const devices = useLoad(() => call(deviceRoutes.list, { query: {} }), 'devices');
  useServerEvents((type) => type === 'device' || type === 'key', () => void devices.reload());
  const leases = useLeases();
  const device = devices.data?.devices.find((d) => d.id === id);
  const playing = leases.all.filter((lease) => lease.deviceId === id);

  if (devices.data && !device) {
    return (
      <>
        <PageHead title="Device not found" />
        <section className="card">
          <EmptyState title="No such device">
            <p>
              It may have been removed. <Link to="/dashboard/devices">Back to your devices</Link>
            </p>
          </EmptyState>
        </section>
      </>
    );
  }
  return (
    <>
      <PageHead title={device?.name ?? 'Device'} intro={<Link to="/dashboard/devices">← All devices</Link>} />
      <ErrorNotice error={devices.error ?? leases.error} />
      {device ? (
        <div className="stack">
          <section className="card" aria-labelledby="device-state">
            <div className="row">
              <h2 id="device-state">Status</h2>
              <OnlineBadge device={device} />
            </div>
            <div className="meta device-meta">
              <span>{deviceTypeLabel(device.deviceType)}</span>
              <span>
                {device.online ? 'Last check-in ' : 'Last seen '}
                <RelativeTime value={device.lastHeartbeatAt ?? device.lastSyncAt} />
              </span>
              {device.clientVersion ? <span>Client {device.clientVersion}</span> : null}
              <span>
                Paired <RelativeTime value={device.createdAt} />
              </span>
            </div>
          </section>
          <section className="card" aria-labelledby="device-playing" data-testid="device-playing">
            <h2 id="device-playing">Playing now</h2>
            {playing.length === 0 ? (
              <p className="muted">Nothing right now. A save shows here while this device writes it or a game is started on it.</p>
            ) : (
              <ul className="list">
                {playing.map((lease) => (
                  <li className="list-item" key={lease.key}>
                    <span>
                      <Link className="title" to={`/dashboard/saves?key=${encodeURIComponent(lease.key)}`}>
                        {splitKey(lease.key).game}
                      </Link>
                    </span>
                    <InUseBadge lease={lease} />
                  </li>
                ))}
              </ul>
            )}
          </section>
          <SyncFilterPanel device={device} />
          <KeyRotationPanel device={device} />
        </div>
      ) : devices.loading ? (
        <p className="muted">Loading…</p>
      ) : null}
    </>
  );
}
