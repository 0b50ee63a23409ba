import type { SyncLog } from '@retrosync/api';
import { RelativeTime } from '../../components/Time';
import { formatBytes } from '../../lib/format';

const STATUS_BADGE: Record<string, string> = {
  success: 'badge badge-ok',
  failed: 'badge badge-danger',
  pending: 'badge badge-warn',
};

export function ActionBadge({ action }: { action: string }) {
  return <span className={action === 'conflict' ? 'badge badge-warn badge-plain' : 'badge badge-plain'}>{action}</span>;
}

/** Sync log rows; a table on wide screens, stacked cards on phones. */
export function LogTable({ logs, compact = false }: { logs: readonly SyncLog[]; compact?: boolean }) {
  return (
    <div className="table-wrap">
      <table className="table-cards">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Device</th>
            <th scope="col">Action</th>
            <th scope="col">Save</th>
            {compact ? null : <th scope="col">Size</th>}
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {logs.map((log) => (
            <tr key={log.id} data-testid="log-row">
              <td className="nowrap">
                <RelativeTime value={log.createdAt} />
              </td>
              <td>{log.deviceName}</td>
              <td>
                <ActionBadge action={log.action} />
              </td>
              <td className="wide">
                <code>{log.filePath}</code>
              </td>
              {compact ? null : (
                <td className="nowrap" data-label="Size">
                  {log.fileSize === null ? '—' : formatBytes(log.fileSize)}
                </td>
              )}
              <td>
                <span className={STATUS_BADGE[log.status] ?? 'badge'}>{log.status}</span>
                {log.errorMsg ? <div className="field-error">{log.errorMsg}</div> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
