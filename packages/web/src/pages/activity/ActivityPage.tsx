import { useState } from 'react';
import { deviceRoutes, syncLogRoutes, SYNC_ACTIONS, SYNC_STATUSES } from '@retrosync/api';
import { call } from '../../api/client';
import { useServerEvents } from '../../app/events';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { SelectField } from '../../components/Field';
import { PageHead } from '../../components/PageHead';
import { useInterval } from '../../lib/useInterval';
import { useLoad } from '../../lib/useLoad';
import { LogTable } from './LogTable';

const PAGE_SIZE = 50;

type Filters = { deviceId: string; action: string; status: string };

const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

export function ActivityPage() {
  const [filters, setFilters] = useState<Filters>({ deviceId: '', action: '', status: '' });
  const [page, setPage] = useState(0);
  const devices = useLoad(() => call(deviceRoutes.list, { query: { includeRevoked: 'true' } }), 'devices');
  const query = {
    limit: PAGE_SIZE,
    offset: page * PAGE_SIZE,
    ...(filters.deviceId ? { deviceId: filters.deviceId } : {}),
    ...(filters.action ? { action: filters.action as (typeof SYNC_ACTIONS)[number] } : {}),
    ...(filters.status ? { status: filters.status as (typeof SYNC_STATUSES)[number] } : {}),
  };
  const logs = useLoad(() => call(syncLogRoutes.list, { query }), JSON.stringify(query));
  useServerEvents((type) => type === 'log' || type === 'conflict' || type === 'save', () => void logs.reload());
  // New entries arrive as `log` events; a slow re-read is the safety net for a dropped stream.
  useInterval(() => void logs.reload(), 60_000);

  const set = (key: keyof Filters) => (value: string) => {
    setFilters((current) => ({ ...current, [key]: value }));
    setPage(0);
  };
  const total = logs.data?.total ?? 0;
  const filtered = Boolean(filters.deviceId || filters.action || filters.status);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));

  return (
    <>
      <PageHead title="Activity" intro="Every upload, download, deletion and conflict, newest first. Updates live." />
      <section className="card" aria-label="Sync log">
        <div className="filters" role="group" aria-label="Filters">
          <SelectField
            label="Device"
            value={filters.deviceId}
            onChange={set('deviceId')}
            options={[
              { value: '', label: 'All devices' },
              ...(devices.data?.devices ?? []).map((d) => ({ value: d.id, label: d.isActive ? d.name : `${d.name} (removed)` })),
            ]}
          />
          <SelectField
            label="Action"
            value={filters.action}
            onChange={set('action')}
            options={[{ value: '', label: 'All actions' }, ...SYNC_ACTIONS.map((a) => ({ value: a, label: capitalise(a) }))]}
          />
          <SelectField
            label="Status"
            value={filters.status}
            onChange={set('status')}
            options={[{ value: '', label: 'Any status' }, ...SYNC_STATUSES.map((s) => ({ value: s, label: capitalise(s) }))]}
          />
        </div>
        <ErrorNotice error={logs.error ?? devices.error} />
        {logs.data && logs.data.logs.length === 0 ? (
          <EmptyState title={filtered ? 'Nothing matches these filters' : 'No activity yet'}>
            <p>{filtered ? 'Try another device, action or status.' : 'When a paired device syncs a save, it shows up here.'}</p>
          </EmptyState>
        ) : null}
        {logs.data && logs.data.logs.length > 0 ? <LogTable logs={logs.data.logs} /> : null}
        {!logs.data && logs.loading ? <p className="muted">Loading activity…</p> : null}
        {pages > 1 ? (
          <nav className="row" aria-label="Pages">
            <button type="button" className="btn btn-small" disabled={page === 0} onClick={() => setPage((p) => p - 1)}>
              Newer
            </button>
            <span className="muted small">
              Page {page + 1} of {pages} · {total} entries
            </span>
            <button type="button" className="btn btn-small" disabled={page + 1 >= pages} onClick={() => setPage((p) => p + 1)}>
              Older
            </button>
          </nav>
        ) : null}
      </section>
    </>
  );
}
