import { useState } from 'react';
import { WEBHOOK_EVENTS, webhookRoutes, type Webhook, type WebhookEventType } from '@retrosync/api';
import { call } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { useSubmit } from '../../lib/useSubmit';
import { EVENT_LABELS } from './events';

type Props = {
  allowPrivate: boolean;
  onCreated: (webhook: Webhook, secret: string) => void;
  onCancel: () => void;
};

export function AddWebhookForm({ allowPrivate, onCreated, onCancel }: Props) {
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<WebhookEventType[]>([...WEBHOOK_EVENTS]);
  const submit = useSubmit(async () => {
    const body = { url, events, ...(description.trim() ? { description } : {}) };
    const created = await call(webhookRoutes.create, { body });
    onCreated(created.webhook, created.secret);
  });
  const toggle = (event: WebhookEventType, on: boolean) => setEvents((list) => (on ? WEBHOOK_EVENTS.filter((e) => e === event || list.includes(e)) : list.filter((e) => e !== event)));

  return (
    <section className="card" aria-labelledby="add-webhook">
      <h2 id="add-webhook">Add a webhook</h2>
      <form className="form" onSubmit={submit.onSubmit}>
        <Field
          label="Endpoint URL"
          type="url"
          required
          value={url}
          maxLength={2048}
          placeholder="https://example.com/retrosync"
          hint={
            allowPrivate
              ? 'This server also allows http:// and addresses on your own network.'
              : 'Must be https:// and reachable on the internet; addresses on your own network are refused.'
          }
          onChange={(event) => setUrl(event.target.value)}
        />
        <Field label="Note (optional)" value={description} maxLength={200} placeholder="Discord #saves" onChange={(event) => setDescription(event.target.value)} />
        <fieldset className="field webhook-events">
          <legend>Send these events</legend>
          {WEBHOOK_EVENTS.map((event) => (
            <label key={event} className="check">
              <input type="checkbox" checked={events.includes(event)} onChange={(e) => toggle(event, e.target.checked)} />
              {EVENT_LABELS[event]}
            </label>
          ))}
        </fieldset>
        <ErrorNotice error={submit.error} />
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={submit.busy || events.length === 0}>
            {submit.busy ? 'Checking the URL…' : 'Add webhook'}
          </button>
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
