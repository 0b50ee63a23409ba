import { useEffect } from 'react';
import { webhookRoutes } from '@retrosync/api';
import { call } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { RelativeTime } from '../../components/Time';
import { useInterval } from '../../lib/useInterval';
import { useLoad } from '../../lib/useLoad';
import { eventLabel } from './events';

/** The error without the "HTTP 500:" the badge already says. */
function detail(error: string, status: number | null): string {
  return status === null ? error : error.replace(new RegExp(`^HTTP ${status}:? ?`), '') || `HTTP ${status}`;
}

/** Recent attempts of one webhook (newest first) and what is still queued; refreshed every 2 s while open. */
export function DeliveryLog({ webhookId, refreshKey, onNewAttempt }: { webhookId: string; refreshKey: number; onNewAttempt: () => void }) {
  const log = useLoad(() => call(webhookRoutes.deliveries, { params: { webhookId }, query: { limit: 50 } }), `${webhookId}:${refreshKey}`);
  useInterval(() => void log.reload(), 2_000);
  const attempts = log.data?.attempts ?? [];
  const queued = log.data?.queued ?? [];
  // A new attempt changes the webhook's own status (last delivered, failures, turned off): re-read it.
  const newest = attempts[0] ? `${attempts[0].eventId}:${attempts[0].attempt}` : '';
  useEffect(() => {
    if (newest) onNewAttempt();
  }, [newest]);
  return (
    <div className="stack webhook-log" data-testid="delivery-log">
      <ErrorNotice error={log.error} />
      {queued.length > 0 ? (
        <p className="muted" data-testid="delivery-queued">
          {queued.length} waiting to be sent
          {queued[0]!.attempts > 0 ? (
            <>
              {' '}
              · next try <RelativeTime value={queued[0]!.nextAttemptAt} />
            </>
          ) : null}
        </p>
      ) : null}
      {log.data && attempts.length === 0 && queued.length === 0 ? <p className="muted">Nothing sent yet. Send a test event to try it.</p> : null}
      {attempts.length > 0 ? (
        <div className="table-wrap">
          <table className="table-cards">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">Attempt</th>
                <th scope="col">Result</th>
                <th scope="col">Time</th>
              </tr>
            </thead>
            <tbody>
              {attempts.map((a) => (
                <tr key={`${a.eventId}:${a.attempt}`} data-testid="delivery-row" data-ok={a.ok}>
                  <td className="nowrap">
                    <RelativeTime value={a.at} />
                  </td>
                  <td>
                    {eventLabel(a.eventType)}
                    <div className="muted small">
                      <code title="X-RetroSync-Event-Id">{a.eventId.slice(0, 8)}</code>
                    </div>
                  </td>
                  <td data-label="Attempt">#{a.attempt}</td>
                  <td className="wide">
                    <span className={a.ok ? 'badge badge-ok' : 'badge badge-danger'}>{a.statusCode === null ? 'No response' : `HTTP ${a.statusCode}`}</span>
                    {a.error ? <div className="field-error">{detail(a.error, a.statusCode)}</div> : null}
                  </td>
                  <td className="nowrap" data-label="Time">
                    {a.durationMs} ms
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
