import { useEffect, useState } from 'react';
import { webhookRoutes, type Webhook } from '@retrosync/api';
import { call } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { RelativeTime } from '../../components/Time';
import { DeliveryLog } from './DeliveryLog';
import { eventLabel } from './events';

type Props = {
  webhook: Webhook;
  disableAfter: number;
  onChanged: () => void;
  onSecret: (webhook: Webhook, secret: string) => void;
};

function StatusBadge({ webhook, disableAfter }: { webhook: Webhook; disableAfter: number }) {
  if (webhook.enabled) {
    return webhook.consecutiveFailures > 0 ? (
      <span className="badge badge-warn">Failing ({webhook.consecutiveFailures} of {disableAfter})</span>
    ) : (
      <span className="badge badge-ok">Active</span>
    );
  }
  return <span className="badge badge-danger">{webhook.disabledReason === 'failures' ? 'Disabled' : 'Paused'}</span>;
}

export function WebhookCard({ webhook, disableAfter, onChanged, onSecret }: Props) {
  const [showLog, setShowLog] = useState(false);
  const [refresh, setRefresh] = useState(0);
  const [confirm, setConfirm] = useState<'delete' | 'secret' | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState(false);
  useEffect(() => {
    if (!sent) return;
    const timer = window.setTimeout(() => setSent(false), 6_000);
    return () => window.clearTimeout(timer);
  }, [sent]);

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
      setConfirm(null);
    }
  };
  const params = { webhookId: webhook.id };
  const sendTest = () =>
    run(async () => {
      await call(webhookRoutes.test, { params });
      setSent(true);
      setShowLog(true);
      setRefresh((n) => n + 1);
    });
  const setEnabled = (enabled: boolean) =>
    run(async () => {
      await call(webhookRoutes.update, { params, body: { enabled } });
      onChanged();
    });
  const regenerate = () =>
    run(async () => {
      const result = await call(webhookRoutes.regenerateSecret, { params });
      onSecret(result.webhook, result.secret);
    });
  const remove = () =>
    run(async () => {
      await call(webhookRoutes.remove, { params });
      onChanged();
    });

  return (
    <li className="list-item webhook" data-testid="webhook-row" data-enabled={webhook.enabled}>
      <div className="stack">
        <div className="row">
          <span className="title webhook-url">{webhook.url}</span>
          <StatusBadge webhook={webhook} disableAfter={disableAfter} />
        </div>
        {webhook.description ? <div>{webhook.description}</div> : null}
        <div className="meta">
          <span>{webhook.events.map(eventLabel).join(' · ')}</span>
          <span>
            Last delivered <RelativeTime value={webhook.lastSuccessAt} />
          </span>
          <span>Secret {webhook.secretHint}</span>
        </div>
        {!webhook.enabled && webhook.disabledReason === 'failures' ? (
          <div className="notice notice-warn" role="status" data-testid="webhook-disabled">
            Turned off <RelativeTime value={webhook.disabledAt} /> after {disableAfter} failed deliveries in a row. Fix the receiver, send a test event,
            then turn it back on.
          </div>
        ) : null}
        {sent ? (
          <p className="notice notice-ok" role="status">
            Test event queued; its result appears in the log below.
          </p>
        ) : null}
        <ErrorNotice error={error} />
        <div className="row actions">
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => void sendTest()}>
            Send test event
          </button>
          <button type="button" className="btn btn-small" aria-expanded={showLog} onClick={() => setShowLog((v) => !v)}>
            {showLog ? 'Hide delivery log' : 'Delivery log'}
          </button>
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => void setEnabled(!webhook.enabled)}>
            {webhook.enabled ? 'Pause' : 'Turn on'}
          </button>
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => setConfirm('secret')}>
            New secret
          </button>
          <button type="button" className="btn btn-small btn-danger" disabled={busy} onClick={() => setConfirm('delete')}>
            Delete
          </button>
        </div>
        {showLog ? <DeliveryLog webhookId={webhook.id} refreshKey={refresh} onNewAttempt={onChanged} /> : null}
      </div>
      <ConfirmDialog
        open={confirm === 'delete'}
        title="Delete this webhook?"
        confirmLabel="Delete webhook"
        danger
        busy={busy}
        onConfirm={() => void remove()}
        onCancel={() => setConfirm(null)}
      >
        <p>
          <code>{webhook.url}</code> stops receiving events, and its delivery log is deleted.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === 'secret'}
        title="Make a new signing secret?"
        confirmLabel="Make new secret"
        busy={busy}
        onConfirm={() => void regenerate()}
        onCancel={() => setConfirm(null)}
      >
        <p>The current secret stops working at once: deliveries signed with the new one fail at your receiver until you give it the new secret.</p>
      </ConfirmDialog>
    </li>
  );
}
