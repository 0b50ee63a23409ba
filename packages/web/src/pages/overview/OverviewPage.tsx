import { deviceRoutes, saveRoutes, syncLogRoutes } from '@retrosync/api';
import { call } from '../../api/client';
import { useServerEvents } from '../../app/events';
import { Link } from '../../app/router';
import { useUser } from '../../app/session';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PageHead } from '../../components/PageHead';
import { useInterval } from '../../lib/useInterval';
import { useLoad } from '../../lib/useLoad';
import { LogTable } from '../activity/LogTable';
import { ConflictsCard } from './ConflictsCard';
import { DevicesCard } from './DevicesCard';
import { StorageCard } from './StorageCard';
import { PlayingCard } from './PlayingCard';
import { useLeases } from '../../lib/leases';

export function OverviewPage() {
  const user = useUser();
  const devices = useLoad(() => call(deviceRoutes.list, { query: {} }), 'devices');
  const saves = useLoad(() => call(saveRoutes.list, { query: {} }), 'saves');
  const logs = useLoad(() => call(syncLogRoutes.list, { query: { limit: 8 } }), 'logs');
  const usage = useLoad(() => call(saveRoutes.usage, {}), 'usage');
  const leases = useLeases();
  useServerEvents(
    () => true,
    (event) => {
      if (event.type === 'device' || event.type === 'resync') void devices.reload();
      if (event.type !== 'device') {
        void saves.reload();
        void logs.reload();
        if (event.type === 'save') void usage.reload();
      }
    },
  );
  // Live state arrives as `device`/`log` events; a slow re-read is the safety net for a dropped stream.
  useInterval(() => {
    void devices.reload();
    void logs.reload();
  }, 60_000);

  return (
    <>
      <PageHead title={`Hello${user.name ? `, ${user.name}` : ''}`} intro="Your saves and devices at a glance." />
      <ErrorNotice error={devices.error ?? saves.error ?? logs.error ?? usage.error} />
      <div className="grid">
        <DevicesCard devices={devices.data?.devices} />
        <StorageCard usage={usage.data} saves={saves.data?.saves} />
        <ConflictsCard saves={saves.data?.saves} />
        <PlayingCard leases={leases.all} />
      </div>
      <section className="card overview-activity" aria-labelledby="recent-title">
        <h2 id="recent-title">
          Recent activity <Link to="/dashboard/activity">All activity</Link>
        </h2>
        {logs.data && logs.data.logs.length === 0 ? (
          <EmptyState title="Nothing synced yet">
            <p>Activity from your devices appears here as it happens.</p>
          </EmptyState>
        ) : null}
        {logs.data && logs.data.logs.length > 0 ? <LogTable logs={logs.data.logs} compact /> : null}
      </section>
    </>
  );
}
