/**
 * The account's webhooks: create (the URL checked against SSRF, the secret returned once), list,
 * change, delete, regenerate the secret, queue a test event, read the delivery log. Every query is
 * scoped by the caller's user id; another account's hook id answers 404 like an unknown one.
 */
import type { Kysely } from 'kysely';
import { ApiError, WEBHOOK_EVENTS, type Webhook, type WebhookAttempt, type WebhookEventType, type WebhookQueued } from '@retrosync/api';
import type { Clock } from '../clock.js';
import type { WebhookSettings } from '../config.js';
import { newId, toIso } from '../db/schema.js';
import type { WebhookOutbox } from './outbox.js';
import type { WebhookRow, WebhookTables } from './schema.js';
import { newWebhookSecret } from './signing.js';
import { checkTarget, TargetRefused, type Resolver } from './ssrf.js';

/** Hooks one account may have. */
export const MAX_WEBHOOKS_PER_ACCOUNT = 10;

export interface WebhookInput {
  url: string;
  description?: string | undefined;
  events?: WebhookEventType[] | undefined;
}

export interface WebhookPatch {
  url?: string | undefined;
  description?: string | null | undefined;
  events?: WebhookEventType[] | undefined;
  enabled?: boolean | undefined;
}

/** What changed, for the audit log. */
export type WebhookChange = 'created' | 'updated' | 'enabled' | 'disabled' | 'deleted' | 'secret_regenerated';
export type WebhookChangeListener = (userId: string, webhookId: string, change: WebhookChange, url: string) => Promise<void> | void;

export class WebhookService {
  private readonly db: Kysely<WebhookTables>;

  constructor(
    db: Kysely<any>,
    private readonly clock: Clock,
    private readonly settings: WebhookSettings,
    private readonly outbox: WebhookOutbox,
    private readonly resolve?: Resolver,
  ) {
    this.db = db as Kysely<WebhookTables>;
  }

  readonly events = WEBHOOK_EVENTS;

  get policy() {
    const s = this.settings;
    return { allowPrivate: s.allowPrivate, maxAttempts: s.maxAttempts, disableAfter: s.disableAfter, timeoutMs: s.timeoutMs, maxPerAccount: MAX_WEBHOOKS_PER_ACCOUNT };
  }

  async list(userId: string): Promise<Webhook[]> {
    const rows = await this.db.selectFrom('webhooks').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute();
    return rows.map(toWire);
  }

  async create(userId: string, input: WebhookInput): Promise<{ webhook: Webhook; secret: string }> {
    const url = await this.checkUrl(input.url);
    const { n } = await this.db
      .selectFrom('webhooks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    if (Number(n) >= MAX_WEBHOOKS_PER_ACCOUNT) throw new ApiError('webhook_limit_reached', undefined, { limit: MAX_WEBHOOKS_PER_ACCOUNT });
    const now = this.clock.now();
    const row: WebhookRow = {
      id: newId(),
      user_id: userId,
      url,
      description: input.description || null,
      events: JSON.stringify(normalizeEvents(input.events ?? [...WEBHOOK_EVENTS])),
      secret: newWebhookSecret(),
      created_at: now,
      updated_at: now,
      consecutive_failures: 0,
      disabled_at: null,
      disabled_reason: null,
      last_success_at: null,
      last_failure_at: null,
    };
    await this.db.insertInto('webhooks').values(row).execute();
    return { webhook: toWire(row), secret: row.secret };
  }

  async update(userId: string, id: string, patch: WebhookPatch): Promise<{ webhook: Webhook; changes: WebhookChange[] }> {
    const current = await this.owned(userId, id);
    const now = this.clock.now();
    const set: Partial<WebhookRow> = { updated_at: now };
    const changes: WebhookChange[] = [];
    if (patch.url !== undefined && patch.url !== current.url) set.url = await this.checkUrl(patch.url);
    if (patch.description !== undefined) set.description = patch.description || null;
    if (patch.events !== undefined) set.events = JSON.stringify(normalizeEvents(patch.events));
    if (set.url !== undefined || set.description !== undefined || set.events !== undefined) changes.push('updated');
    if (patch.enabled === true && current.disabled_at !== null) {
      Object.assign(set, { disabled_at: null, disabled_reason: null, consecutive_failures: 0 });
      changes.push('enabled');
    } else if (patch.enabled === false && current.disabled_at === null) {
      Object.assign(set, { disabled_at: now, disabled_reason: 'user' });
      changes.push('disabled');
    }
    await this.db.updateTable('webhooks').set(set).where('id', '=', id).where('user_id', '=', userId).execute();
    return { webhook: toWire(await this.owned(userId, id)), changes };
  }

  async remove(userId: string, id: string): Promise<WebhookRow> {
    const row = await this.owned(userId, id);
    await this.db.deleteFrom('webhooks').where('id', '=', id).where('user_id', '=', userId).execute();
    return row;
  }

  async regenerateSecret(userId: string, id: string): Promise<{ webhook: Webhook; secret: string }> {
    await this.owned(userId, id);
    const secret = newWebhookSecret();
    await this.db.updateTable('webhooks').set({ secret, updated_at: this.clock.now() }).where('id', '=', id).where('user_id', '=', userId).execute();
    return { webhook: toWire(await this.owned(userId, id)), secret };
  }

  async sendTest(userId: string, id: string): Promise<string> {
    await this.owned(userId, id);
    return this.outbox.enqueueTest(this.db, userId, id);
  }

  async deliveries(userId: string, id: string, limit = 50): Promise<{ attempts: WebhookAttempt[]; queued: WebhookQueued[] }> {
    await this.owned(userId, id);
    const attempts = await this.db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('webhook_id', '=', id)
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('attempt', 'desc')
      .limit(limit)
      .execute();
    const queued = await this.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'event_type', 'attempts', 'next_attempt_at', 'created_at'])
      .where('webhook_id', '=', id)
      .where('user_id', '=', userId)
      .where('status', '=', 'pending')
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return {
      attempts: attempts.map((a) => ({
        eventId: a.delivery_id,
        eventType: a.event_type,
        attempt: a.attempt,
        ok: a.ok === 1,
        statusCode: a.status_code,
        durationMs: a.duration_ms,
        error: a.error,
        at: toIso(a.created_at),
      })),
      queued: queued.map((q) => ({ eventId: q.id, eventType: q.event_type, attempts: q.attempts, nextAttemptAt: toIso(q.next_attempt_at), createdAt: toIso(q.created_at) })),
    };
  }

  private async owned(userId: string, id: string): Promise<WebhookRow> {
    const row = await this.db.selectFrom('webhooks').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    if (!row) throw new ApiError('not_found', 'No such webhook.');
    return row;
  }

  private async checkUrl(raw: string): Promise<string> {
    try {
      return (await checkTarget(raw.trim(), this.settings.allowPrivate, this.resolve)).url.toString();
    } catch (err) {
      if (err instanceof TargetRefused) {
        throw new ApiError('webhook_url_refused', `This webhook URL is not allowed: ${err.message}.`, { fields: [{ in: 'body', field: 'url', message: err.message }] });
      }
      throw err;
    }
  }
}

function normalizeEvents(events: readonly WebhookEventType[]): WebhookEventType[] {
  return WEBHOOK_EVENTS.filter((e) => events.includes(e));
}

function toWire(row: WebhookRow): Webhook {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: JSON.parse(row.events) as WebhookEventType[],
    enabled: row.disabled_at === null,
    disabledAt: toIso(row.disabled_at),
    disabledReason: row.disabled_reason === 'failures' || row.disabled_reason === 'user' ? row.disabled_reason : null,
    consecutiveFailures: row.consecutive_failures,
    lastSuccessAt: toIso(row.last_success_at),
    lastFailureAt: toIso(row.last_failure_at),
    secretHint: `…${row.secret.slice(-4)}`,
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
}
