import { useMemo, useState } from 'react';
import { deviceRoutes, saveRoutes } from '@retrosync/api';
import { call } from '../../api/client';
import { useServerEvents } from '../../app/events';
import { navigate, useLocation } from '../../app/router';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { PageHead } from '../../components/PageHead';
import { useLoad } from '../../lib/useLoad';
import { leaseKeyId, useLeases } from '../../lib/leases';
import { SaveHistory } from './SaveHistory';
import { SaveList } from './SaveList';

export function SavesPage() {
  const { search } = useLocation();
  const selected = search.get('key');
  const [filter, setFilter] = useState('');
  const [showDeleted, setShowDeleted] = useState(false);
  const saves = useLoad(() => call(saveRoutes.list, { query: showDeleted ? { includeDeleted: 'true' } : {} }), `saves:${showDeleted}`);
  const devices = useLoad(() => call(deviceRoutes.list, { query: { includeRevoked: 'true' } }), 'devices');
  const [historyVersion, setHistoryVersion] = useState(0);
  const leases = useLeases();
  useServerEvents(
    (type) => type === 'save' || type === 'conflict',
    () => {
      void saves.reload();
      setHistoryVersion((n) => n + 1);
    },
  );

  const deviceNames = useMemo(
    () => new Map((devices.data?.devices ?? []).map((device) => [device.id, device.name] as const)),
    [devices.data],
  );
  const all = saves.data?.saves ?? [];
  const needle = filter.trim().toLowerCase();
  const shown = needle
    ? all.filter((save) => `${save.game} ${save.system} ${save.metadata?.gameName ?? ''}`.toLowerCase().includes(needle))
    : all;
  const select = (key: string | null) =>
    navigate(key ? `/dashboard/saves?key=${encodeURIComponent(key)}` : '/dashboard/saves', { replace: true });

  return (
    <>
      <PageHead title="Saves" intro="Every save on the server, by system and game. Pick one to see its history." />
      <ErrorNotice error={saves.error ?? devices.error} />
      {saves.data && all.length === 0 ? (
        <section className="card">
          <EmptyState title="No saves yet">
            <p>Once a paired device syncs, its saves appear here with their full history.</p>
          </EmptyState>
        </section>
      ) : null}
      {!saves.data && saves.loading ? <p className="muted">Loading saves…</p> : null}
      {all.length > 0 ? (
        <div className="saves-layout">
          <section className="card" aria-labelledby="saves-title">
            <h2 id="saves-title">
              Games <span className="badge badge-plain">{all.length}</span>
            </h2>
            <Field label="Find a game" type="search" value={filter} onChange={(event) => setFilter(event.target.value)} />
            <label className="check small">
              <input type="checkbox" checked={showDeleted} onChange={(event) => setShowDeleted(event.target.checked)} />
              Show deleted saves (to restore one)
            </label>
            {shown.length === 0 ? <EmptyState title="No game matches" /> : null}
            <SaveList saves={shown} deviceNames={deviceNames} selected={selected} onSelect={select} leases={leases.byKey} />
          </section>
          {selected ? (
            <SaveHistory
              key={selected}
              saveKey={selected}
              deviceNames={deviceNames}
              refresh={historyVersion}
              lease={leases.byKey.get(leaseKeyId(selected)) ?? null}
              onRestored={() => void saves.reload()}
              onDeleted={() => void saves.reload()}
            />
          ) : (
            <section className="card">
              <EmptyState title="Pick a save">
                <p>Its versions, with the device and time of each, appear here. Any version can be downloaded or restored.</p>
              </EmptyState>
            </section>
          )}
        </div>
      ) : null}
    </>
  );
}
