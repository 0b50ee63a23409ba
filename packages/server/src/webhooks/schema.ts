/**
 * Tables of the webhooks (migration 430-webhooks).
 *
 *   webhooks            per account: the endpoint, which events it wants, its signing secret, and
 *                       its health (consecutive failed attempts; `disabled_at` once they reach the
 *                       limit, see WEBHOOKS_DISABLE_AFTER).
 *   webhook_deliveries  the outbox: one row per (event, hook), written in the transaction that
 *                       made the event (a save, a conflict) or right after it (pairing, removal).
 *                       Any replica claims due rows (dispatcher.ts) and sends them; the row's id
 *                       is the event id receivers de-duplicate on.
 *   webhook_attempts    the delivery log: one row per HTTP attempt (code, duration, error).
 */
import type { Selectable } from 'kysely';

export interface WebhooksTable {
  id: string;
  user_id: string;
  url: string;
  description: string | null;
  /** JSON array of event types this hook receives. */
  events: string;
  /** HMAC-SHA256 key (`whsec_…`); shown to the owner once, at creation or regeneration. */
  secret: string;
  created_at: number;
  updated_at: number;
  consecutive_failures: number;
  disabled_at: number | null;
  /** Why it was disabled: `failures` (automatic) or `user`. */
  disabled_reason: string | null;
  last_success_at: number | null;
  last_failure_at: number | null;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';

export interface WebhookDeliveriesTable {
  /** Also the event id sent in X-RetroSync-Event-Id. */
  id: string;
  webhook_id: string;
  user_id: string;
  event_type: string;
  /** The JSON body, exactly as signed and sent. */
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number;
  /** Claim lease: a replica sending this row holds it until then (a crashed replica's claim runs out). */
  claimed_until: number | null;
  claimed_by: string | null;
  created_at: number;
  completed_at: number | null;
}

export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  webhook_id: string;
  user_id: string;
  event_type: string;
  attempt: number;
  ok: number;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  /** Which replica's dispatcher made the attempt (its random id). */
  sender: string;
  created_at: number;
}

export interface WebhookTables {
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}

export type WebhookRow = Selectable<WebhooksTable>;
export type DeliveryRow = Selectable<WebhookDeliveriesTable>;
export type AttemptRow = Selectable<WebhookAttemptsTable>;
