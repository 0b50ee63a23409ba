/**
 * Webhook delivery end to end, on SQLite and PostgreSQL: a real server (real clock) sends to a real
 * HTTP receiver on loopback (so the private-target opt-in is on) that checks every signature and
 * timestamp with the recipe from docs/webhooks.md. Covers every event type, retries after receiver
 * failures (same event id, fresh signature), giving up after the attempt limit, disabling a hook
 * after repeated failures, the test event, and the delivery log.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { remove, upload } from '../sync/test-support/sync-context.js';
import { bearer, createTestContext, databaseTargets, expectJson, pairDevice, userWithDevice, type TestContext } from '../test-support/index.js';
import { startReceiver, verifyLikeDocs, type Receiver } from './test-support/receiver.js';

/** The real clock: signatures are checked against the receiver's wall clock. */
class WallClock extends ManualClock {
  override now(): number {
    return Date.now();
  }
}

const SETTINGS = {
  WEBHOOKS_ALLOW_PRIVATE: 'true',
  WEBHOOKS_RETRY_BASE_MS: '40',
  WEBHOOKS_POLL_MS: '50',
  WEBHOOKS_MAX_ATTEMPTS: '3',
  WEBHOOKS_DISABLE_AFTER: '5',
  WEBHOOKS_TIMEOUT_MS: '2000',
};

describe.each(databaseTargets())('webhook delivery on %s', (target) => {
  let ctx: TestContext;
  let receiver: Receiver;
  beforeAll(async () => {
    ctx = await createTestContext(target, { clock: new WallClock(), env: SETTINGS });
  });
  afterAll(async () => {
    await ctx?.close();
  });
  afterEach(async () => {
    await receiver?.close();
  });

  async function hookFor(token: string, body: Record<string, unknown> = {}) {
    receiver = await startReceiver();
    const created = expectJson(await ctx.app.inject({ method: 'POST', url: '/api/webhooks', headers: bearer(token), payload: { url: receiver.url, ...body } }), 201).data;
    receiver.secret = created.secret;
    return created as { webhook: { id: string }; secret: string };
  }
  const log = async (token: string, id: string) => expectJson(await ctx.app.inject({ method: 'GET', url: `/api/webhooks/${id}/deliveries`, headers: bearer(token) }), 200).data;
  const hooks = async (token: string) => expectJson(await ctx.app.inject({ method: 'GET', url: '/api/webhooks', headers: bearer(token) }), 200).data.webhooks;

  it('delivers save uploaded, conflict, device paired and removed, each signed and fresh, with a unique event id', async () => {
    const alice = await userWithDevice(ctx, { deviceName: 'RG35XX+' });
    const { secret } = await hookFor(alice.token, { description: 'all events' });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    const pc = await pairDevice(ctx, alice.token, { deviceName: 'Desk PC' });
    const now = Date.now();
    const key = 'gba/Pokemon Emerald/battery';
    expectJson(await upload(ctx, alice.device.apiKey, key, 'base', { mtime: now - 10_000, clientTime: now }), 200);
    expectJson(await upload(ctx, alice.device.apiKey, key, 'handheld', { base: 1, mtime: now - 3000, clientTime: now }), 200);
    const won = expectJson(await upload(ctx, pc.apiKey, key, 'pc newer', { base: 1, mtime: now - 1000, clientTime: now }), 200).data;
    expect(won.outcome).toBe('conflict_won');
    expectJson(await remove(ctx, alice.device.apiKey, key, { base: 3, mtime: now, clientTime: now }), 200); // a deletion is not "uploaded"
    expectJson(await ctx.app.inject({ method: 'DELETE', url: `/api/devices?deviceId=${pc.device.id}`, headers: bearer(alice.token) }), 200);

    const got = await receiver.waitFor((all) => all.length >= 6);
    await new Promise((r) => setTimeout(r, 300)); // nothing more is coming
    expect(receiver.received).toHaveLength(6);
    const byType = (t: string) => got.filter((r) => r.event === t);
    expect(byType('device.paired').map((r) => r.json.data)).toEqual([{ deviceId: pc.device.id, deviceName: 'Desk PC', deviceType: 'linux' }]);
    expect(byType('save.uploaded').map((r) => [r.json.data.version, r.json.data.deviceName])).toEqual(
      expect.arrayContaining([
        [1, 'RG35XX+'],
        [2, 'RG35XX+'],
        [3, 'Desk PC'],
      ]),
    );
    const [conflict] = byType('save.conflict');
    expect(conflict!.json.data).toMatchObject({ key, winner: { version: 3, deviceName: 'Desk PC' }, loser: { version: 2, deviceName: 'RG35XX+' } });
    expect(byType('device.removed').map((r) => r.json.data)).toEqual([{ deviceId: pc.device.id, deviceName: 'Desk PC', deviceType: 'linux' }]);
    for (const r of got) {
      expect(r.verified, r.event).toBe(true);
      expect(r.ageSeconds).toBeLessThanOrEqual(5);
      expect(r.json.id).toBe(r.eventId);
      expect(r.json.type).toBe(r.event);
      expect(r.headers['user-agent']).toMatch(/^RetroSync-Webhooks\//);
      expect(r.headers['content-type']).toBe('application/json');
      // A tampered body, the wrong secret or an old timestamp fail the same check.
      expect(verifyLikeDocs(secret, r.headers, r.body.replace('"', ' "'))).toBe(false);
      expect(verifyLikeDocs(`${secret}x`, r.headers, r.body)).toBe(false);
      expect(verifyLikeDocs(secret, r.headers, r.body, r.timestamp + 301)).toBe(false);
    }
    expect(new Set(got.map((r) => r.eventId)).size).toBe(6);
  });

  it('retries after receiver failures with the same event id and a fresh signature, then succeeds; the log shows every attempt', async () => {
    const bob = await userWithDevice(ctx);
    const { webhook } = await hookFor(bob.token, { events: ['save.uploaded'] });
    let failuresLeft = 2;
    receiver.respond = () => (failuresLeft-- > 0 ? 500 : 200);
    expectJson(await upload(ctx, bob.device.apiKey, 'snes/Zelda/battery', 'zelda bytes'), 200);
    const got = await receiver.waitFor((all) => all.some((r) => r.status === 200));
    expect(got.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(new Set(got.map((r) => r.eventId)).size).toBe(1);
    expect(got.every((r) => r.verified)).toBe(true);
    // Backoff: each retry waited at least 0.75 × base·2^(n−1).
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(30);
    expect(got[2]!.at - got[1]!.at).toBeGreaterThanOrEqual(60);
    expect(got[2]!.timestamp).toBeGreaterThanOrEqual(got[0]!.timestamp);

    await waitUntil(async () => (await log(bob.token, webhook.id)).attempts.length === 3);
    const { attempts, queued } = await log(bob.token, webhook.id);
    expect(queued).toEqual([]);
    expect(attempts.map((a: any) => [a.attempt, a.ok, a.statusCode])).toEqual([
      [3, true, 200],
      [2, false, 500],
      [1, false, 500],
    ]);
    expect(attempts[1].error).toMatch(/^HTTP 500: receiver is down for the test/);
    expect(attempts.every((a: any) => a.eventId === got[0]!.eventId && a.eventType === 'save.uploaded' && a.durationMs >= 0)).toBe(true);
    const [hook] = await hooks(bob.token);
    expect(hook).toMatchObject({ enabled: true, consecutiveFailures: 0 });
    expect(hook.lastSuccessAt).not.toBeNull();
  });

  it('gives a delivery up after WEBHOOKS_MAX_ATTEMPTS and disables the hook after WEBHOOKS_DISABLE_AFTER failed attempts in a row', async () => {
    const carol = await userWithDevice(ctx);
    const { webhook } = await hookFor(carol.token, { events: ['save.uploaded'] });
    receiver.respond = () => 503;
    expectJson(await upload(ctx, carol.device.apiKey, 'gb/Tetris/battery', 'one'), 200);
    await receiver.waitFor((all) => all.length === 3);
    await waitUntil(async () => (await log(carol.token, webhook.id)).attempts.length === 3 && (await log(carol.token, webhook.id)).queued.length === 0);
    expect((await hooks(carol.token))[0]).toMatchObject({ enabled: true, consecutiveFailures: 3 });

    // Two more failed attempts reach the limit of 5: disabled, and the rest of its queue cancelled.
    expectJson(await upload(ctx, carol.device.apiKey, 'gb/Tetris/battery', 'two', { base: 1 }), 200);
    await waitUntil(async () => (await hooks(carol.token))[0].enabled === false);
    const [hook] = await hooks(carol.token);
    expect(hook).toMatchObject({ enabled: false, disabledReason: 'failures', consecutiveFailures: 5 });
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received).toHaveLength(5);
    expect((await log(carol.token, webhook.id)).queued).toEqual([]);
    const rows = await ctx.db.selectFrom('webhook_deliveries').select(['status']).where('webhook_id', '=', webhook.id).orderBy('created_at').execute();
    expect(rows.map((r) => r.status).sort()).toEqual(['cancelled', 'failed']);

    // While disabled, new events are not queued for it.
    expectJson(await upload(ctx, carol.device.apiKey, 'gb/Tetris/battery', 'three', { base: 2 }), 200);
    const count = await ctx.db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('webhook_id', '=', webhook.id).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(2);

    // The test event still goes out (to check a fix); enabling clears the count and events flow again.
    receiver.respond = () => 204;
    const { eventId } = expectJson(await ctx.app.inject({ method: 'POST', url: `/api/webhooks/${webhook.id}/test`, headers: bearer(carol.token) }), 202).data;
    const test = (await receiver.waitFor((all) => all.some((r) => r.eventId === eventId))).find((r) => r.eventId === eventId)!;
    expect(test).toMatchObject({ event: 'webhook.test', verified: true, status: 204 });
    expect(test.json.data.message).toMatch(/test event/);
    const enabled = expectJson(await ctx.app.inject({ method: 'PATCH', url: `/api/webhooks/${webhook.id}`, headers: bearer(carol.token), payload: { enabled: true } }), 200).data.webhook;
    expect(enabled).toMatchObject({ enabled: true, consecutiveFailures: 0, disabledReason: null });
    expectJson(await upload(ctx, carol.device.apiKey, 'gb/Tetris/battery', 'four', { base: 3 }), 200);
    await receiver.waitFor((all) => all.some((r) => r.event === 'save.uploaded' && r.json.data.version === 4 && r.status === 204));
  });

  it('a regenerated secret signs the next delivery; the old one no longer verifies', async () => {
    const dan = await userWithDevice(ctx);
    const { webhook, secret: old } = await hookFor(dan.token);
    const next = expectJson(await ctx.app.inject({ method: 'POST', url: `/api/webhooks/${webhook.id}/secret`, headers: bearer(dan.token) }), 200).data;
    expect(next.secret).not.toBe(old);
    expect(next.webhook.secretHint).toBe(`…${next.secret.slice(-4)}`);
    receiver.secret = next.secret;
    expectJson(await ctx.app.inject({ method: 'POST', url: `/api/webhooks/${webhook.id}/test`, headers: bearer(dan.token) }), 202);
    const [got] = await receiver.waitFor((all) => all.length === 1);
    expect(got!.verified).toBe(true);
    expect(verifyLikeDocs(old, got!.headers, got!.body)).toBe(false);
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
