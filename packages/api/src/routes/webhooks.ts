/**
 * Webhooks: per account, HTTPS endpoints that receive signed JSON for save uploads, conflicts and
 * device pairing/removal (docs/webhooks.md). The secret is shown once, at creation or regeneration.
 */
import { z } from 'zod';
import { defineRoute } from '../contract.js';
import { isoDate } from '../schemas.js';

export const WEBHOOK_EVENTS = ['save.uploaded', 'save.conflict', 'device.paired', 'device.removed'] as const;
export const webhookEventType = z.enum(WEBHOOK_EVENTS);
export type WebhookEventType = z.infer<typeof webhookEventType>;
/** What a delivery may carry: the subscribable events plus the dashboard's test event. */
export type WebhookDeliveryEventType = WebhookEventType | 'webhook.test';

const webhookUrl = z.string().trim().min(1).max(2048).describe('https:// URL (http:// and private addresses only when the server allows private targets)');
const description = z.string().trim().max(200).describe('a note for yourself, e.g. "Discord #saves"');
const events = z.array(webhookEventType).min(1).max(WEBHOOK_EVENTS.length);
const webhookId = z.string().min(1).max(64);

export const webhook = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  events: z.array(webhookEventType),
  enabled: z.boolean(),
  disabledAt: isoDate.nullable(),
  disabledReason: z.enum(['failures', 'user']).nullable(),
  consecutiveFailures: z.number().int(),
  lastSuccessAt: isoDate.nullable(),
  lastFailureAt: isoDate.nullable(),
  secretHint: z.string().describe('the last characters of the secret, to tell secrets apart'),
  createdAt: isoDate,
  updatedAt: isoDate,
});
export type Webhook = z.infer<typeof webhook>;

export const webhookAttempt = z.object({
  eventId: z.string(),
  eventType: z.string(),
  attempt: z.number().int(),
  ok: z.boolean(),
  statusCode: z.number().int().nullable(),
  durationMs: z.number().int(),
  error: z.string().nullable(),
  at: isoDate,
});
export type WebhookAttempt = z.infer<typeof webhookAttempt>;

export const webhookQueued = z.object({
  eventId: z.string(),
  eventType: z.string(),
  attempts: z.number().int(),
  nextAttemptAt: isoDate,
  createdAt: isoDate,
});
export type WebhookQueued = z.infer<typeof webhookQueued>;

const params = z.object({ webhookId });
const EXAMPLE_ID = { webhookId: '00000000-0000-4000-8000-000000000000' };
const withSecret = z.object({ webhook, secret: z.string().describe('HMAC-SHA256 signing secret; shown this once, store it in the receiver') });

export const webhookRoutes = {
  list: defineRoute({
    id: 'webhooks.list',
    method: 'GET',
    path: '/api/webhooks',
    auth: 'user',
    summary: "The account's webhooks, with the server's delivery policy",
    tags: ['webhooks'],
    response: z.object({
      webhooks: z.array(webhook),
      events: z.array(webhookEventType),
      policy: z.object({
        allowPrivate: z.boolean(),
        maxAttempts: z.number().int(),
        disableAfter: z.number().int(),
        timeoutMs: z.number().int(),
        maxPerAccount: z.number().int(),
      }),
    }),
  }),
  create: defineRoute({
    id: 'webhooks.create',
    method: 'POST',
    path: '/api/webhooks',
    auth: 'user',
    summary: 'Add a webhook; the reply holds its signing secret, shown only this once',
    tags: ['webhooks'],
    body: z.object({ url: webhookUrl, description: description.optional(), events: events.optional() }),
    response: withSecret,
    successStatus: 201,
    errors: ['webhook_url_refused', 'webhook_limit_reached'],
    example: { body: { url: 'https://203.0.113.7/hook' } },
  }),
  update: defineRoute({
    id: 'webhooks.update',
    method: 'PATCH',
    path: '/api/webhooks/:webhookId',
    auth: 'user',
    summary: 'Change a webhook: URL, note, events, or enable/disable it (enabling clears its failure count)',
    tags: ['webhooks'],
    params,
    body: z.object({ url: webhookUrl.optional(), description: description.nullable().optional(), events: events.optional(), enabled: z.boolean().optional() }),
    response: z.object({ webhook }),
    errors: ['not_found', 'webhook_url_refused'],
    example: { params: EXAMPLE_ID, body: { enabled: false } },
  }),
  remove: defineRoute({
    id: 'webhooks.remove',
    method: 'DELETE',
    path: '/api/webhooks/:webhookId',
    auth: 'user',
    summary: 'Delete a webhook and its delivery log',
    tags: ['webhooks'],
    params,
    response: z.object({ webhookId: z.string(), deleted: z.literal(true) }),
    errors: ['not_found'],
    example: { params: EXAMPLE_ID },
  }),
  regenerateSecret: defineRoute({
    id: 'webhooks.regenerateSecret',
    method: 'POST',
    path: '/api/webhooks/:webhookId/secret',
    auth: 'user',
    summary: 'Replace the signing secret (the old one stops at once); the new one is shown only this once',
    tags: ['webhooks'],
    params,
    response: withSecret,
    errors: ['not_found'],
    example: { params: EXAMPLE_ID },
  }),
  test: defineRoute({
    id: 'webhooks.test',
    method: 'POST',
    path: '/api/webhooks/:webhookId/test',
    auth: 'user',
    summary: 'Queue a `webhook.test` event for this webhook (sent even while it is disabled)',
    tags: ['webhooks'],
    params,
    response: z.object({ eventId: z.string() }),
    successStatus: 202,
    errors: ['not_found'],
    example: { params: EXAMPLE_ID },
  }),
  deliveries: defineRoute({
    id: 'webhooks.deliveries',
    method: 'GET',
    path: '/api/webhooks/:webhookId/deliveries',
    auth: 'user',
    summary: 'The delivery log of a webhook: recent attempts (newest first) and deliveries still queued',
    tags: ['webhooks'],
    params,
    query: z.object({ limit: z.coerce.number().int().min(1).max(200).optional() }),
    response: z.object({ attempts: z.array(webhookAttempt), queued: z.array(webhookQueued) }),
    errors: ['not_found'],
    example: { params: EXAMPLE_ID },
  }),
};
