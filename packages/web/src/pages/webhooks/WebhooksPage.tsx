import { useState } from 'react';
import { webhookRoutes, type Webhook } from '@retrosync/api';
import { call } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PageHead } from '../../components/PageHead';
import { useInterval } from '../../lib/useInterval';
import { useLoad } from '../../lib/useLoad';
import { AddWebhookForm } from './AddWebhookForm';
import { SecretNotice } from './SecretNotice';
import { WebhookCard } from './WebhookCard';

export function WebhooksPage() {
  const [adding, setAdding] = useState(false);
  const [secret, setSecret] = useState<{ secret: string; url: string } | null>(null);
  const hooks = useLoad(() => call(webhookRoutes.list, {}), 'webhooks');
  const reload = () => void hooks.reload();
  // Failure counts and automatic disabling change as deliveries run.
  useInterval(reload, 5_000);
  const list = hooks.data?.webhooks ?? [];
  const policy = hooks.data?.policy;
  const full = policy ? list.length >= policy.maxPerAccount : true;
  const showSecret = (webhook: Webhook, value: string) => {
    setSecret({ secret: value, url: webhook.url });
    reload();
  };

  return (
    <>
      <PageHead
        title="Webhooks"
        intro="Your own services hear about uploads, conflicts and devices the moment they happen, as signed JSON."
        actions={
          adding ? null : (
            <button type="button" className="btn btn-primary" disabled={full} onClick={() => setAdding(true)}>
              Add webhook
            </button>
          )
        }
      />
      <div className="stack">
        {secret ? <SecretNotice secret={secret.secret} url={secret.url} onDone={() => setSecret(null)} /> : null}
        {adding && policy ? (
          <AddWebhookForm
            allowPrivate={policy.allowPrivate}
            onCancel={() => setAdding(false)}
            onCreated={(webhook, value) => {
              setAdding(false);
              showSecret(webhook, value);
            }}
          />
        ) : null}
        <ErrorNotice error={hooks.error} />
        <section className="card" aria-labelledby="webhook-list">
          <h2 id="webhook-list">
            Your webhooks <span className="badge badge-plain">{list.length}</span>
          </h2>
          {hooks.data && list.length === 0 ? (
            <EmptyState title="No webhooks yet">
              <p>Add one to post to a chat, a home-automation hub or your own script whenever a save is uploaded.</p>
            </EmptyState>
          ) : (
            <ul className="list" aria-label="Webhooks">
              {list.map((webhook) => (
                <WebhookCard key={webhook.id} webhook={webhook} disableAfter={policy?.disableAfter ?? 0} onChanged={reload} onSecret={showSecret} />
              ))}
            </ul>
          )}
          {!hooks.data && hooks.loading ? <p className="muted">Loading webhooks…</p> : null}
          {policy ? (
            <p className="muted small webhook-policy">
              Failed deliveries are retried up to {policy.maxAttempts} times with growing pauses; after {policy.disableAfter} failures in a row a webhook is turned
              off. Each request waits at most {Math.round(policy.timeoutMs / 1000)} s for an answer and never follows redirects.
            </p>
          ) : null}
        </section>
      </div>
    </>
  );
}
