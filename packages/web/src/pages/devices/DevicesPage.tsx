import { useState } from 'react';
import { deviceRoutes } from '@retrosync/api';
import { call } from '../../api/client';
import { useServerEvents } from '../../app/events';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PageHead } from '../../components/PageHead';
import { useLoad } from '../../lib/useLoad';
import { useInterval } from '../../lib/useInterval';
import { AddDevicePanel } from './AddDevicePanel';
import { AddRetroArchPanel } from './AddRetroArchPanel';
import { DeviceRow } from './DeviceRow';
import { LinkCodeForm } from './LinkCodeForm';

export function DevicesPage() {
  const [adding, setAdding] = useState(false);
  const [addingRetroArch, setAddingRetroArch] = useState(false);
  const devices = useLoad(() => call(deviceRoutes.list, { query: {} }), 'devices');
  const reload = () => void devices.reload();
  useServerEvents((type) => type === 'device' || type === 'log', reload);
  // The server pushes `device` events (online at the first check-in, offline when the window
  // lapses); a slow re-read is the safety net for a dropped stream. While a pairing code is
  // shown, look often: a paired device exists before its first check-in announces it.
  useInterval(reload, adding ? 2_000 : 60_000);

  const list = devices.data?.devices ?? [];
  return (
    <>
      <PageHead
        title="Devices"
        intro="Handhelds and PCs that sync with your account."
        actions={
          adding || addingRetroArch ? null : (
            <>
              <button type="button" className="btn btn-primary" disabled={!devices.data} onClick={() => setAdding(true)}>
                Add device
              </button>
              <button type="button" className="btn" onClick={() => setAddingRetroArch(true)}>
                Add RetroArch
              </button>
            </>
          )
        }
      />
      <div className="stack">
        {adding && devices.data ? <AddDevicePanel devices={list} onClose={() => setAdding(false)} /> : null}
        {addingRetroArch ? <AddRetroArchPanel onClose={() => setAddingRetroArch(false)} onPaired={reload} /> : null}
        <ErrorNotice error={devices.error} />
        <section className="card" aria-labelledby="device-list">
          <h2 id="device-list">
            Your devices <span className="badge badge-plain">{list.length}</span>
          </h2>
          {devices.data && list.length === 0 ? (
            <EmptyState title="No devices yet — add one">
              <p>Press “Add device” and type the code on your handheld or PC, or enter the code your device shows below.</p>
            </EmptyState>
          ) : (
            <ul className="list" aria-label="Devices">
              {list.map((device) => (
                <DeviceRow key={device.id} device={device} onChanged={reload} />
              ))}
            </ul>
          )}
          {!devices.data && devices.loading ? <p className="muted">Loading devices…</p> : null}
        </section>
        <LinkCodeForm onLinked={reload} />
      </div>
    </>
  );
}
