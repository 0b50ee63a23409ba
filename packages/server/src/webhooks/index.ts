/**
 * Webhooks, wired: the outbox (where events become deliveries), the service behind the routes,
 * and this replica's dispatcher (started with the app, stopped before the database closes).
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { WebhookSettings } from '../config.js';
import { SERVER_VERSION } from '../version.js';
import { WebhookDispatcher } from './dispatcher.js';
import { WebhookOutbox } from './outbox.js';
import type { Resolver } from './ssrf.js';
import { WebhookService } from './webhook-service.js';

export interface Webhooks {
  outbox: WebhookOutbox;
  service: WebhookService;
  dispatcher: WebhookDispatcher;
}

export function createWebhooks(options: { db: Kysely<any>; clock: Clock; settings: WebhookSettings; resolve?: Resolver; onError?: (err: unknown) => void }): Webhooks {
  const outbox = new WebhookOutbox(options.clock);
  const service = new WebhookService(options.db, options.clock, options.settings, outbox, options.resolve);
  const dispatcher = new WebhookDispatcher({
    db: options.db,
    clock: options.clock,
    settings: options.settings,
    outbox,
    userAgent: `RetroSync-Webhooks/${SERVER_VERSION}`,
    ...(options.resolve ? { resolve: options.resolve } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  return { outbox, service, dispatcher };
}

export { WebhookDispatcher, retryDelayMs } from './dispatcher.js';
export { WebhookOutbox } from './outbox.js';
export { WebhookService } from './webhook-service.js';
