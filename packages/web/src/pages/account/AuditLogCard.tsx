import { useState } from 'react';
import { auditRoutes, type AuditEntry, type AuditEvent } from '@retrosync/api';
import { call } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { RelativeTime } from '../../components/Time';
import { useLoad } from '../../lib/useLoad';

const PAGE_SIZE = 20;

const LABELS: Record<AuditEvent, string> = {
  sign_in: 'Signed in',
  sign_in_failed: 'Failed sign-in',
  password_changed: 'Password changed',
  two_factor_enabled: 'Two-factor on',
  two_factor_disabled: 'Two-factor off',
  recovery_code_used: 'Recovery code used',
  device_paired: 'Device paired',
  device_removed: 'Device removed',
  key_rotated: 'Device key rotated',
  webhook_changed: 'Webhook changed',
};

const WARN: ReadonlySet<AuditEvent> = new Set(['sign_in_failed', 'recovery_code_used', 'two_factor_disabled']);

/** "Firefox on Linux"-style summary of a user agent; the full string is on hover. */
export function describeAgent(ua: string | null): string {
  if (!ua) return '—';
  if (/^retrosync|curl\//i.test(ua)) return ua.split(/\s/)[0]!;
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : null;
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : null;
  if (browser) return os ? `${browser} on ${os}` : browser;
  return ua.length > 40 ? `${ua.slice(0, 40)}…` : ua;
}

function describeDetail(e: AuditEntry): string {
  const d = e.detail ?? {};
  const s = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : undefined);
  switch (e.event) {
    case 'sign_in':
      return s('method') === 'password+totp' ? 'with an app code' : s('method') === 'password+recovery_code' ? 'with a recovery code' : 'with the password';
    case 'sign_in_failed':
      return s('reason') === 'two_factor_code' ? 'wrong two-factor code' : 'wrong password';
    case 'recovery_code_used':
      return typeof d.left === 'number' ? `${d.left} left` : '';
    case 'device_paired':
    case 'device_removed':
    case 'key_rotated':
      return s('deviceName') ?? '';
    case 'webhook_changed':
      return [s('change'), s('url')].filter(Boolean).join(' ');
    default:
      return '';
  }
}

/** The account's security events, newest first, paged. */
export function AuditLogCard({ version }: { version: number }) {
  const [page, setPage] = useState(0);
  const query = { limit: PAGE_SIZE, offset: page * PAGE_SIZE };
  const log = useLoad(() => call(auditRoutes.list, { query }), `${version}:${page}`);
  const total = log.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return (
    <section className="card" aria-labelledby="audit-title" data-testid="audit-log">
      <h2 id="audit-title">Security log</h2>
      <p className="muted small">Sign-ins, password and two-factor changes, devices paired and removed — with the address and browser they came from.</p>
      <ErrorNotice error={log.error} />
      {log.data && log.data.events.length === 0 ? <EmptyState title="Nothing yet" /> : null}
      {log.data && log.data.events.length > 0 ? (
        <div className="table-wrap">
          <table className="table-cards">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">Details</th>
                <th scope="col">Address</th>
                <th scope="col">Browser or app</th>
              </tr>
            </thead>
            <tbody>
              {log.data.events.map((e) => {
                const detail = describeDetail(e);
                return (
                  <tr key={e.id} data-testid="audit-row" data-event={e.event}>
                    <td className="nowrap">
                      <RelativeTime value={e.createdAt} />
                    </td>
                    <td>
                      <span className={WARN.has(e.event) ? 'badge badge-warn badge-plain' : 'badge badge-plain'}>{LABELS[e.event]}</span>
                    </td>
                    {/* On phones each cell is labelled; an empty detail gets no label. */}
                    <td data-label={detail ? 'Details' : undefined}>{detail}</td>
                    <td className="nowrap" data-label="Address">
                      <code>{e.ip ?? '—'}</code>
                    </td>
                    <td data-label="Browser" title={e.userAgent ?? undefined}>
                      {describeAgent(e.userAgent)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {!log.data && log.loading ? <p className="muted">Loading…</p> : null}
      {pages > 1 ? (
        <nav className="row" aria-label="Security log pages">
          <button type="button" className="btn btn-small" disabled={page === 0} onClick={() => setPage((p) => p - 1)}>
            Newer
          </button>
          <span className="muted small">
            Page {page + 1} of {pages} · {total} events
          </span>
          <button type="button" className="btn btn-small" disabled={page + 1 >= pages} onClick={() => setPage((p) => p + 1)}>
            Older
          </button>
        </nav>
      ) : null}
    </section>
  );
}
