/**
 * Puts webhook events into the outbox (`webhook_deliveries`): one row per subscribed, enabled hook
 * of the account. Save and conflict events are staged inside the transaction that wrote the
 * version (sync/version-writer.ts), so a rolled-back write sends nothing and a committed one is
 * never forgotten, whatever happens to the process next; device events are written right after
 * the pairing or removal. Every row is then sent by whichever replica claims it (dispatcher.ts).
 *
 * Costs one indexed SELECT per event for an account without hooks.
 */
import type { Kysely } from 'kysely';
import type { WebhookDeliveryEventType, WebhookEventType } from '@retrosync/api';
import type { Clock } from '../clock.js';
import { newId } from '../db/schema.js';
import type { SyncEvent } from '../events/event-hub.js';
import type { WebhookTables } from './schema.js';

export interface WebhookEvent {
  type: WebhookEventType;
  data: Record<string, unknown>;
}

type Db = Kysely<WebhookTables & { devices: { id: string; user_id: string; name: string } }>;

/** The body every delivery carries (its `id` is also the X-RetroSync-Event-Id header). */
export function payloadOf(id: string, type: WebhookDeliveryEventType, createdAt: number, data: Record<string, unknown>): string {
  return JSON.stringify({ id, type, createdAt: new Date(createdAt).toISOString(), data });
}

export class WebhookOutbox {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly clock: Clock) {}

  /** Called after new rows commit (the local dispatcher sends them without waiting for its next poll). */
  onEnqueued(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private wake = (): void => {
    for (const l of [...this.listeners]) l();
  };

  /**
   * Stages the webhook events among a version write's change events inside its transaction.
   * Returns what to call once the transaction has committed.
   */
  async stage(trx: Kysely<any>, userId: string, events: readonly SyncEvent[]): Promise<() => void> {
    const mapped: WebhookEvent[] = [];
    for (const e of events) {
      if (e.type === 'save' && !e.data.deleted) {
        mapped.push({ type: 'save.uploaded', data: { key: e.data.key, version: e.data.version, size: e.data.size, sha256: e.data.sha256, deviceId: e.data.deviceId } });
      } else if (e.type === 'conflict') {
        mapped.push({ type: 'save.conflict', data: { key: e.data.key, winner: e.data.winner, loser: e.data.loser } });
      }
    }
    if (mapped.length === 0) return () => {};
    return (await this.insert(trx as Db, userId, mapped)) ? this.wake : () => {};
  }

  /** Enqueues an event not tied to a sync transaction (device paired/removed). */
  async emit(db: Kysely<any>, userId: string, event: WebhookEvent): Promise<void> {
    if (await this.insert(db as Db, userId, [event])) this.wake();
  }

  /** Enqueues the dashboard's test event for one hook. */
  async enqueueTest(db: Kysely<any>, userId: string, webhookId: string): Promise<string> {
    const now = this.clock.now();
    const id = newId();
    await (db as Db)
      .insertInto('webhook_deliveries')
      .values(row(id, webhookId, userId, 'webhook.test', payloadOf(id, 'webhook.test', now, { message: 'A test event from RetroSync: this webhook is set up.' }), now))
      .execute();
    this.wake();
    return id;
  }

  private async insert(db: Db, userId: string, events: readonly WebhookEvent[]): Promise<boolean> {
    const hooks = await db.selectFrom('webhooks').select(['id', 'events']).where('user_id', '=', userId).where('disabled_at', 'is', null).execute();
    if (hooks.length === 0) return false;
    const now = this.clock.now();
    const names = await deviceNames(db, userId, events);
    const rows = [];
    for (const hook of hooks) {
      const wanted = new Set(JSON.parse(hook.events) as string[]);
      for (const e of events) {
        if (!wanted.has(e.type)) continue;
        const id = newId();
        const data = withDeviceNames(e.data, names);
        rows.push(row(id, hook.id, userId, e.type, payloadOf(id, e.type, now, data), now));
      }
    }
    if (rows.length === 0) return false;
    await db.insertInto('webhook_deliveries').values(rows).execute();
    return true;
  }
}

function row(id: string, webhookId: string, userId: string, type: WebhookDeliveryEventType, payload: string, now: number) {
  return { id, webhook_id: webhookId, user_id: userId, event_type: type, payload, status: 'pending' as const, attempts: 0, next_attempt_at: now, claimed_until: null, claimed_by: null, created_at: now, completed_at: null };
}

/** Names of the devices the events mention, so a receiver can say "saved on RG35XX+". */
async function deviceNames(db: Db, userId: string, events: readonly WebhookEvent[]): Promise<Map<string, string>> {
  const ids = new Set<string>();
  for (const e of events) {
    for (const v of [e.data.deviceId, (e.data.winner as { deviceId?: unknown } | undefined)?.deviceId, (e.data.loser as { deviceId?: unknown } | undefined)?.deviceId]) {
      if (typeof v === 'string') ids.add(v);
    }
  }
  if (ids.size === 0) return new Map();
  const rows = await db.selectFrom('devices').select(['id', 'name']).where('user_id', '=', userId).where('id', 'in', [...ids]).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

function withDeviceNames(data: Record<string, unknown>, names: Map<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  if ('deviceId' in data) out.deviceName = typeof data.deviceId === 'string' ? (names.get(data.deviceId) ?? null) : null;
  for (const side of ['winner', 'loser'] as const) {
    const s = data[side] as { deviceId?: string | null } | undefined;
    if (s) out[side] = { ...s, deviceName: s.deviceId ? (names.get(s.deviceId) ?? null) : null };
  }
  return out;
}
