/**
 * Sends the outbox. Every replica runs one dispatcher; a row is sent by the replica that claims it:
 *
 *   PostgreSQL  UPDATE … SET claimed_by = me, claimed_until = now + lease
 *               WHERE id IN (SELECT id … FOR UPDATE SKIP LOCKED LIMIT n) RETURNING *
 *               — concurrent replicas skip each other's rows instead of waiting or doubling up.
 *   SQLite      one conditional UPDATE per candidate (… WHERE id = ? AND still unclaimed); the row
 *               counts as claimed only when that UPDATE changed it.
 *
 * A claim is a lease longer than one attempt can take, so a replica that dies mid-send leaves a row
 * that another picks up once the lease runs out (the receiver may then see that event id twice —
 * which is why every delivery carries one). After an attempt: success → `delivered`; failure →
 * retry after base·2^(n−1) (≤ 1 h, ±25 % jitter) until `maxAttempts`, then `failed`. Every
 * attempt is logged (webhook_attempts) and counts toward the hook's consecutive failures; at
 * `disableAfter` the hook is disabled and its queued deliveries are cancelled. Sending runs in a
 * pool: at most MAX_IN_FLIGHT attempts per process and PER_HOOK per webhook, so one receiver that
 * never answers cannot hold up the others.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { WebhookSettings } from '../config.js';
import { dialectOf } from '../db/open.js';
import { newId } from '../db/schema.js';
import type { WebhookOutbox } from './outbox.js';
import type { DeliveryRow, WebhookTables } from './schema.js';
import { sendWebhook, type SendInput, type SendResult } from './sender.js';
import { HEADER_EVENT, HEADER_EVENT_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, signPayload } from './signing.js';
import type { Resolver } from './ssrf.js';

const BATCH = 8;
/** Attempts one replica runs at once, and of those at most PER_HOOK for one webhook: a receiver
 *  that never answers holds two slots for its timeout, never the whole replica. */
const MAX_IN_FLIGHT = 16;
const PER_HOOK = 2;
const MAX_DELAY_MS = 3_600_000;
/** Attempts and finished deliveries older than this leave the log. */
export const LOG_RETENTION_MS = 30 * 86_400_000;

export interface DispatcherOptions {
  db: Kysely<any>;
  clock: Clock;
  settings: WebhookSettings;
  outbox: WebhookOutbox;
  userAgent: string;
  resolve?: Resolver;
  /** Replace the HTTP attempt (tests). */
  send?: (input: SendInput) => Promise<SendResult>;
  onError?: (err: unknown) => void;
}

export function retryDelayMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const raw = Math.min(MAX_DELAY_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.75 + random() * 0.5));
}

export class WebhookDispatcher {
  readonly id = randomUUID();
  private readonly db: Kysely<WebhookTables>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;
  private readonly detach: () => void;
  /** Attempts under way in this process, per webhook. */
  private readonly inFlight = new Map<string, number>();
  private readonly sending = new Set<Promise<void>>();

  constructor(private readonly options: DispatcherOptions) {
    this.db = options.db as Kysely<WebhookTables>;
    this.detach = options.outbox.onEnqueued(() => this.wake());
  }

  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => this.wake(), this.options.settings.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Runs a pass now (or right after the one in progress). */
  wake(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          while (!this.closed && (await this.fill()) > 0);
        } while (this.again && !this.closed);
      } catch (err) {
        this.options.onError?.(err);
      } finally {
        this.running = null;
      }
    })();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.detach();
    await this.running;
    await Promise.all([...this.sending]);
  }

  /**
   * Claims as many due rows as there are free slots (skipping webhooks that already use their
   * share) and starts sending them; each finished attempt frees its slot and wakes the next pass.
   * Returns how many it started.
   */
  private async fill(): Promise<number> {
    const used = [...this.inFlight.values()].reduce((a, b) => a + b, 0);
    const free = Math.min(BATCH, MAX_IN_FLIGHT - used);
    if (free <= 0) return 0;
    const busy = [...this.inFlight].filter(([, n]) => n >= PER_HOOK).map(([id]) => id);
    const claimed = await this.claim(free, busy);
    let started = 0;
    for (const row of claimed) {
      const n = this.inFlight.get(row.webhook_id) ?? 0;
      if (n >= PER_HOOK) {
        await this.release(row); // its webhook's share is taken by rows of this same batch
        continue;
      }
      this.inFlight.set(row.webhook_id, n + 1);
      started++;
      const sending: Promise<void> = this.deliver(row)
        .catch((err) => this.options.onError?.(err))
        .finally(() => {
          const left = (this.inFlight.get(row.webhook_id) ?? 1) - 1;
          if (left > 0) this.inFlight.set(row.webhook_id, left);
          else this.inFlight.delete(row.webhook_id);
          this.sending.delete(sending);
          this.wake();
        });
      this.sending.add(sending);
    }
    return started;
  }

  /** One pass for tests: claims up to a batch of due rows, sends them all and waits; returns how many it claimed. */
  async runOnce(): Promise<number> {
    const claimed = await this.claim(BATCH, []);
    await Promise.all(claimed.map((row) => this.deliver(row).catch((err) => this.options.onError?.(err))));
    return claimed.length;
  }

  private async release(row: DeliveryRow): Promise<void> {
    await this.db.updateTable('webhook_deliveries').set({ claimed_by: null, claimed_until: null }).where('id', '=', row.id).where('claimed_by', '=', this.id).execute();
  }

  /** Longer than an attempt can take (its deadline) plus the database writes around it. */
  private leaseMs(): number {
    return 2 * this.options.settings.timeoutMs + 5_000;
  }

  private async claim(limit: number, skipHooks: readonly string[]): Promise<DeliveryRow[]> {
    const now = this.options.clock.now();
    const until = now + this.leaseMs();
    if (dialectOf(this.db) === 'postgres') {
      const { rows } = await sql<DeliveryRow>`
        update webhook_deliveries set claimed_by = ${this.id}, claimed_until = ${until}
        where id in (
          select id from webhook_deliveries
          where status = 'pending' and next_attempt_at <= ${now} and (claimed_until is null or claimed_until < ${now})
            ${skipHooks.length > 0 ? sql`and webhook_id not in (${sql.join(skipHooks)})` : sql``}
          order by next_attempt_at limit ${limit}
          for update skip locked)
        returning *`.execute(this.db);
      return rows;
    }
    const candidates = await this.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .$if(skipHooks.length > 0, (q) => q.where('webhook_id', 'not in', skipHooks))
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    const claimed: DeliveryRow[] = [];
    for (const { id } of candidates) {
      const res = await this.db
        .updateTable('webhook_deliveries')
        .set({ claimed_by: this.id, claimed_until: until })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
        .returningAll()
        .executeTakeFirst();
      if (res) claimed.push(res);
    }
    return claimed;
  }

  private async deliver(row: DeliveryRow): Promise<void> {
    const { settings, clock } = this.options;
    const hook = await this.db.selectFrom('webhooks').selectAll().where('id', '=', row.webhook_id).executeTakeFirst();
    if (!hook) return; // deleted: its deliveries went with it
    if (hook.disabled_at !== null && row.event_type !== 'webhook.test') {
      await this.db
        .updateTable('webhook_deliveries')
        .set({ status: 'cancelled', completed_at: clock.now(), claimed_by: null, claimed_until: null })
        .where('id', '=', row.id)
        .where('claimed_by', '=', this.id)
        .execute();
      return;
    }
    const timestamp = Math.floor(clock.now() / 1000);
    const headers = {
      'user-agent': this.options.userAgent,
      [HEADER_EVENT]: row.event_type,
      [HEADER_EVENT_ID]: row.id,
      [HEADER_TIMESTAMP]: String(timestamp),
      [HEADER_SIGNATURE]: signPayload(hook.secret, timestamp, row.payload),
    };
    const send = this.options.send ?? sendWebhook;
    const result = await send({
      url: hook.url,
      body: row.payload,
      headers,
      timeoutMs: settings.timeoutMs,
      maxResponseBytes: settings.maxResponseBytes,
      allowPrivate: settings.allowPrivate,
      resolve: this.options.resolve,
    });
    await this.record(row, result);
  }

  private async record(row: DeliveryRow, result: SendResult): Promise<void> {
    const { settings, clock } = this.options;
    const now = clock.now();
    const attempt = row.attempts + 1;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('webhook_attempts')
        .values({
          id: newId(),
          delivery_id: row.id,
          webhook_id: row.webhook_id,
          user_id: row.user_id,
          event_type: row.event_type,
          attempt,
          ok: result.ok ? 1 : 0,
          status_code: result.statusCode,
          duration_ms: result.durationMs,
          error: result.error,
          sender: this.id,
          created_at: now,
        })
        .execute();
      const giveUp = !result.ok && attempt >= settings.maxAttempts;
      await trx
        .updateTable('webhook_deliveries')
        .set({
          attempts: attempt,
          status: result.ok ? 'delivered' : giveUp ? 'failed' : 'pending',
          completed_at: result.ok || giveUp ? now : null,
          next_attempt_at: result.ok || giveUp ? row.next_attempt_at : now + retryDelayMs(attempt, settings.retryBaseMs),
          claimed_by: null,
          claimed_until: null,
        })
        .where('id', '=', row.id)
        .execute();
      if (result.ok) {
        await trx.updateTable('webhooks').set({ consecutive_failures: 0, last_success_at: now }).where('id', '=', row.webhook_id).execute();
        return;
      }
      // Counted in the database, so failures seen by different replicas add up.
      const hook = await trx
        .updateTable('webhooks')
        .set((eb) => ({ consecutive_failures: eb('consecutive_failures', '+', 1), last_failure_at: now }))
        .where('id', '=', row.webhook_id)
        .returning(['consecutive_failures', 'disabled_at'])
        .executeTakeFirst();
      if (hook && hook.disabled_at === null && hook.consecutive_failures >= settings.disableAfter) {
        await trx.updateTable('webhooks').set({ disabled_at: now, disabled_reason: 'failures', updated_at: now }).where('id', '=', row.webhook_id).execute();
        await trx
          .updateTable('webhook_deliveries')
          .set({ status: 'cancelled', completed_at: now })
          .where('webhook_id', '=', row.webhook_id)
          .where('status', '=', 'pending')
          .where('event_type', '!=', 'webhook.test')
          .execute();
      }
    });
  }

  /** Drops log entries older than LOG_RETENTION_MS (run by the hourly maintenance). */
  async prune(): Promise<void> {
    const now = this.options.clock.now();
    const before = now - LOG_RETENTION_MS;
    await this.db.deleteFrom('webhook_attempts').where('created_at', '<', before).execute();
    await this.db.deleteFrom('webhook_deliveries').where('status', '!=', 'pending').where('completed_at', '<', before).execute();
  }
}
