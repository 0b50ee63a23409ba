import { useMemo } from 'react';
import { leaseRoutes, type PlayLease } from '@retrosync/api';
import { call } from '../api/client';
import { useServerEvents } from '../app/events';
import { useInterval } from './useInterval';
import { useLoad } from './useLoad';

/**
 * Play leases ("in use on RG35XX+ since 14:02"): the account's live leases, reloaded live on the
 * `lease` events (and device online/offline), and every 30 s so expired ones drop out.
 */

/** The form keys are compared in (the server's normalizeSaveKey, without importing core). */
export function leaseKeyId(key: string): string {
  return key.normalize('NFC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** "14:02" today, "2 Dec 14:02" on another day (the viewer's time zone). */
export function formatSince(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (d.toDateString() === now.toDateString()) return time;
  return `${d.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })} ${time}`;
}

export function inUseText(lease: Pick<PlayLease, 'deviceName' | 'since'>): string {
  return `In use on ${lease.deviceName} since ${formatSince(lease.since)}`;
}

export type Leases = { byKey: ReadonlyMap<string, PlayLease>; all: readonly PlayLease[]; error: unknown; reload: () => Promise<void> };

export function useLeases(): Leases {
  const loaded = useLoad(() => call(leaseRoutes.list, { query: {} }), 'leases');
  useServerEvents((type) => type === 'lease' || type === 'device', () => void loaded.reload());
  useInterval(() => void loaded.reload(), 30_000);
  const all = useMemo(() => loaded.data?.leases ?? [], [loaded.data]);
  const byKey = useMemo(() => new Map(all.map((lease) => [leaseKeyId(lease.key), lease] as const)), [all]);
  return { byKey, all, error: loaded.error, reload: loaded.reload };
}
