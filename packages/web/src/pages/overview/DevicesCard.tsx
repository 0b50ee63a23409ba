import type { Device } from '@retrosync/api';
import { Link } from '../../app/router';

export function DevicesCard({ devices }: { devices: readonly Device[] | undefined }) {
  const online = devices?.filter((device) => device.online) ?? [];
  return (
    <section className="card" aria-labelledby="devices-card-title">
      <h2 id="devices-card-title">Devices online</h2>
      {devices === undefined ? (
        <p className="muted">Loading…</p>
      ) : devices.length === 0 ? (
        <p>
          No devices yet — <Link to="/dashboard/devices">add one</Link>.
        </p>
      ) : (
        <>
          <p className="stat-value" data-testid="online-count">
            {online.length} <span className="muted small">of {devices.length}</span>
          </p>
          <p className="muted small">
            {online.length > 0 ? online.map((device) => device.name).join(', ') : 'None checked in recently.'}{' '}
            <Link to="/dashboard/devices">Manage devices</Link>
          </p>
        </>
      )}
    </section>
  );
}
