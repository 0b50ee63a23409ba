/**
 * The dispatcher's claim on both databases: two dispatchers (as two replicas would) drain one
 * outbox concurrently and every row is sent exactly once — through FOR UPDATE SKIP LOCKED on
 * PostgreSQL and the conditional UPDATE on SQLite. Also: a claim left by a crashed sender is taken
 * over only after its lease, and the retry schedule (exponential, capped, jittered).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { createTestContext, databaseTargets, registerUser, type TestContext } from '../test-support/index.js';
import { retryDelayMs, WebhookDispatcher } from './dispatcher.js';
import { WebhookOutbox } from './outbox.js';
import type { SendInput, SendResult } from './sender.js';

const SETTINGS = { allowPrivate: true, timeoutMs: 1000, maxAttempts: 3, disableAfter: 1000, retryBaseMs: 1000, pollMs: 600_000, maxResponseBytes: 1024 };

describe('retryDelayMs', () => {
  it('doubles from the base, stays within ±25 %, and never exceeds an hour (+25 %)', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 30_000, () => 0.5))).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(retryDelayMs(1, 30_000, () => 0)).toBe(22_500);
    expect(retryDelayMs(1, 30_000, () => 0.999999)).toBe(37_500);
    expect(retryDelayMs(20, 30_000, () => 0.5)).toBe(3_600_000);
  });
});

describe.each(databaseTargets())('dispatcher claims on %s', (target) => {
  let ctx: TestContext;
  let userId: string;
  let hookId: string;
  beforeAll(async () => {
    ctx = await createTestContext(target, { env: { WEBHOOKS_POLL_MS: '600000' } });
    await ctx.app.deps.webhooks.dispatcher.close(); // the app's own dispatcher stays out of it
    userId = (await registerUser(ctx)).user.id;
    hookId = randomUUID();
    const now = ctx.clock.now();
    await ctx.db
      .insertInto('webhooks')
      .values({ id: hookId, user_id: userId, url: 'http://127.0.0.1:9/unused', description: null, events: '["save.uploaded"]', secret: 'whsec_test', created_at: now, updated_at: now, consecutive_failures: 0, disabled_at: null, disabled_reason: null, last_success_at: null, last_failure_at: null })
      .execute();
  });
  afterAll(async () => {
    await ctx?.close();
  });

  async function backlog(n: number, at: number): Promise<string[]> {
    const ids = Array.from({ length: n }, () => randomUUID());
    for (let i = 0; i < n; i += 50) {
      await ctx.db
        .insertInto('webhook_deliveries')
        .values(ids.slice(i, i + 50).map((id) => ({ id, webhook_id: hookId, user_id: userId, event_type: 'save.uploaded', payload: '{}', status: 'pending' as const, attempts: 0, next_attempt_at: at, claimed_until: null, claimed_by: null, created_at: at, completed_at: null })))
        .execute();
    }
    return ids;
  }

  function dispatcher(clock: ManualClock, sent: string[], result: Partial<SendResult> = {}) {
    return new WebhookDispatcher({
      db: ctx.db,
      clock,
      settings: SETTINGS,
      outbox: new WebhookOutbox(clock),
      userAgent: 'test',
      send: async (input: SendInput) => {
        sent.push(input.headers['x-retrosync-event-id']!);
        await new Promise((r) => setTimeout(r, 2)); // in flight for a moment, as over a network
        return { ok: true, statusCode: 200, durationMs: 2, error: null, ...result };
      },
    });
  }

  it('two dispatchers draining one backlog send every row exactly once', async () => {
    const ids = await backlog(120, ctx.clock.now());
    const sent: string[] = [];
    const [a, b] = [dispatcher(ctx.clock, sent), dispatcher(ctx.clock, sent)];
    const left = async () => (await ctx.db.selectFrom('webhook_deliveries').select('id').where('status', '=', 'pending').where('webhook_id', '=', hookId).execute()).length;
    // Each keeps claiming until nothing is pending (an empty claim means the other one holds the rows).
    const drain = async (d: WebhookDispatcher) => {
      let n = 0;
      while ((await left()) > 0) {
        n += await d.runOnce();
        await new Promise((r) => setImmediate(r)); // SQLite answers in microtasks: let timers run
      }
      return n;
    };
    const [na, nb] = await Promise.all([drain(a), drain(b)]);
    expect(na + nb).toBe(120);
    expect(na).toBeGreaterThan(0);
    expect(nb).toBeGreaterThan(0);
    expect(sent.sort()).toEqual([...ids].sort());
    const rows = await ctx.db.selectFrom('webhook_deliveries').select(['status', 'attempts', 'claimed_by']).where('id', 'in', ids).execute();
    expect(rows.every((r) => r.status === 'delivered' && r.attempts === 1 && r.claimed_by === null)).toBe(true);
  });

  it('a receiver that never answers does not hold up other hooks: at most 2 of its deliveries are in flight', async () => {
    const slowHook = randomUUID();
    const now = ctx.clock.now();
    await ctx.db
      .insertInto('webhooks')
      .values({ id: slowHook, user_id: userId, url: 'http://127.0.0.1:9/slow', description: null, events: '["save.uploaded"]', secret: 'whsec_slow', created_at: now, updated_at: now, consecutive_failures: 0, disabled_at: null, disabled_reason: null, last_success_at: null, last_failure_at: null })
      .execute();
    // 30 deliveries to the black hole are older (first in line) than the one to the healthy hook.
    const slowIds = Array.from({ length: 30 }, () => randomUUID());
    await ctx.db
      .insertInto('webhook_deliveries')
      .values(slowIds.map((id, i) => ({ id, webhook_id: slowHook, user_id: userId, event_type: 'save.uploaded', payload: '{}', status: 'pending' as const, attempts: 0, next_attempt_at: now - 1000 + i, claimed_until: null, claimed_by: null, created_at: now, completed_at: null })))
      .execute();
    const [fastId] = await backlog(1, now);
    let slowInFlight = 0;
    let maxSlowInFlight = 0;
    const sentAt = new Map<string, number>();
    const started = Date.now();
    const d = new WebhookDispatcher({
      db: ctx.db,
      clock: ctx.clock,
      settings: { ...SETTINGS, pollMs: 20 },
      outbox: new WebhookOutbox(ctx.clock),
      userAgent: 'test',
      send: async (input: SendInput) => {
        sentAt.set(input.headers['x-retrosync-event-id']!, Date.now() - started);
        if (!input.url.endsWith('/slow')) return { ok: true, statusCode: 200, durationMs: 1, error: null };
        slowInFlight++;
        maxSlowInFlight = Math.max(maxSlowInFlight, slowInFlight);
        await new Promise((r) => setTimeout(r, 1000)); // the whole timeout, every time
        slowInFlight--;
        return { ok: false, statusCode: null, durationMs: 1000, error: 'timed out after 1000 ms' };
      },
    });
    d.start();
    try {
      const deadline = Date.now() + 5000;
      while (!sentAt.has(fastId!) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(sentAt.get(fastId!)).toBeLessThan(500);
      await new Promise((r) => setTimeout(r, 300));
      expect(maxSlowInFlight).toBe(2);
    } finally {
      await d.close();
      await ctx.db.deleteFrom('webhooks').where('id', '=', slowHook).execute();
    }
  });

  it("a crashed sender's claim is taken over only after its lease runs out; a failure schedules a retry", async () => {
    const [id] = await backlog(1, ctx.clock.now());
    const now = ctx.clock.now();
    // A replica claimed it and died before recording anything.
    await ctx.db.updateTable('webhook_deliveries').set({ claimed_by: 'dead-replica', claimed_until: now + 7000 }).where('id', '=', id!).execute();
    const sent: string[] = [];
    const d = dispatcher(ctx.clock, sent, { ok: false, statusCode: 502, error: 'HTTP 502' });
    expect(await d.runOnce()).toBe(0);
    ctx.clock.advance(7001);
    expect(await d.runOnce()).toBe(1);
    expect(sent).toEqual([id]);
    const row = await ctx.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id!).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', attempts: 1, claimed_by: null });
    const delay = row.next_attempt_at - ctx.clock.now();
    expect(delay).toBeGreaterThanOrEqual(750);
    expect(delay).toBeLessThanOrEqual(1250);
    expect(await d.runOnce()).toBe(0); // not due yet
    ctx.clock.advance(1250);
    expect(await d.runOnce()).toBe(1);
    const attempts = await ctx.db.selectFrom('webhook_attempts').select(['attempt', 'ok', 'status_code', 'sender']).where('delivery_id', '=', id!).orderBy('attempt').execute();
    expect(attempts).toEqual([
      { attempt: 1, ok: 0, status_code: 502, sender: d.id },
      { attempt: 2, ok: 0, status_code: 502, sender: d.id },
    ]);
  });
});
