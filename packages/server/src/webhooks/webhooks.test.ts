/**
 * /api/webhooks on SQLite and PostgreSQL: the secret shown once, stable error codes for refused
 * URLs and bad input, every query scoped to the caller, changes in the audit log, and the outbox
 * written with the change that caused it (a rolled-back or refused write queues nothing). Delivery
 * itself is delivery.test.ts; the address rules are ssrf.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upload } from '../sync/test-support/sync-context.js';
import { bearer, createTestContext, databaseTargets, expectJson, pairDevice, registerUser, userWithDevice, type TestContext } from '../test-support/index.js';
import { MAX_WEBHOOKS_PER_ACCOUNT } from './webhook-service.js';

describe.each(databaseTargets())('webhooks API on %s', (target) => {
  let ctx: TestContext;
  beforeAll(async () => {
    // Delivery is not under test here: a long poll and no private targets (so nothing is ever sent).
    ctx = await createTestContext(target, { env: { WEBHOOKS_POLL_MS: '600000', PAIRING_IP_FAILURES: '1000', PAIRING_USER_FAILURES: '1000' } });
    await ctx.app.deps.webhooks.dispatcher.close();
  });
  afterAll(async () => {
    await ctx?.close();
  });

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token: string, payload?: unknown) =>
    ctx.app.inject({ method, url, headers: { ...bearer(token), 'user-agent': 'HookTest/1.0' }, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const create = async (token: string, body: Record<string, unknown>) => expectJson(await call('POST', '/api/webhooks', token, body), 201).data;
  /** A public address literal: accepted without DNS (nothing is sent in this file). */
  const PUBLIC = 'https://93.184.216.34/hook';

  it('creates a hook with every event by default; the secret is in the create reply only', async () => {
    const u = await registerUser(ctx);
    const created = await create(u.token, { url: PUBLIC, description: '  Discord #saves  ' });
    expect(created.secret).toMatch(/^whsec_/);
    expect(created.webhook).toMatchObject({ url: PUBLIC, description: 'Discord #saves', events: ['save.uploaded', 'save.conflict', 'device.paired', 'device.removed'], enabled: true, consecutiveFailures: 0 });
    const list = expectJson(await call('GET', '/api/webhooks', u.token), 200).data;
    expect(list.webhooks).toHaveLength(1);
    expect(list.policy).toMatchObject({ allowPrivate: false, maxAttempts: 10, disableAfter: 30, maxPerAccount: MAX_WEBHOOKS_PER_ACCOUNT });
    expect(JSON.stringify(list)).not.toContain(created.secret);
    expect(list.webhooks[0].secretHint).toBe(`…${created.secret.slice(-4)}`);
  });

  it('refuses loopback, metadata, link-local, private and plain-http URLs with webhook_url_refused', async () => {
    const u = await registerUser(ctx);
    for (const url of [
      'https://127.0.0.1/x',
      'https://localhost/x',
      'https://169.254.169.254/latest/meta-data/',
      'https://[::1]/x',
      'https://[fe80::1]/x',
      'https://[::ffff:127.0.0.1]/x',
      'https://[::ffff:169.254.169.254]/x',
      'https://10.0.0.1/x',
      'https://192.168.1.20/x',
      'http://93.184.216.34/x',
      'https://user:pass@93.184.216.34/x',
      'file:///etc/passwd',
    ]) {
      const res = await call('POST', '/api/webhooks', u.token, { url });
      const body = expectJson(res, 400);
      expect(body.code, url).toBe('webhook_url_refused');
      expect(body.details.fields[0]).toMatchObject({ in: 'body', field: 'url' });
    }
    expect(expectJson(await call('GET', '/api/webhooks', u.token), 200).data.webhooks).toEqual([]);
    // Bad shapes are validation errors.
    expect(expectJson(await call('POST', '/api/webhooks', u.token, { url: PUBLIC, events: ['save.deleted'] }), 400).code).toBe('validation_failed');
    expect(expectJson(await call('POST', '/api/webhooks', u.token, { url: PUBLIC, events: [] }), 400).code).toBe('validation_failed');
    expect(expectJson(await call('POST', '/api/webhooks', u.token, {}), 400).code).toBe('validation_failed');
  });

  it('is scoped to the owner: another account sees 404 and changes nothing', async () => {
    const owner = await registerUser(ctx);
    const other = await registerUser(ctx);
    const { webhook } = await create(owner.token, { url: PUBLIC });
    for (const [method, suffix, payload] of [
      ['PATCH', '', { enabled: false }],
      ['DELETE', '', undefined],
      ['POST', '/secret', undefined],
      ['POST', '/test', undefined],
      ['GET', '/deliveries', undefined],
    ] as const) {
      const res = await call(method, `/api/webhooks/${webhook.id}${suffix}`, other.token, payload);
      expect(expectJson(res, 404).code, `${method} ${suffix}`).toBe('not_found');
      expect(res.body).not.toContain(PUBLIC);
    }
    expect(expectJson(await call('GET', '/api/webhooks', other.token), 200).data.webhooks).toEqual([]);
    const [still] = expectJson(await call('GET', '/api/webhooks', owner.token), 200).data.webhooks;
    expect(still).toMatchObject({ id: webhook.id, enabled: true });
    const queued = await ctx.db.selectFrom('webhook_deliveries').select('id').where('webhook_id', '=', webhook.id).execute();
    expect(queued).toEqual([]);
  });

  it('updates, disables, enables, regenerates and deletes — each recorded as webhook_changed in the audit log', async () => {
    const u = await registerUser(ctx);
    const { webhook, secret } = await create(u.token, { url: PUBLIC });
    const patched = expectJson(await call('PATCH', `/api/webhooks/${webhook.id}`, u.token, { events: ['save.conflict', 'save.uploaded'], description: 'conflicts' }), 200).data.webhook;
    expect(patched).toMatchObject({ events: ['save.uploaded', 'save.conflict'], description: 'conflicts' });
    expect(expectJson(await call('PATCH', `/api/webhooks/${webhook.id}`, u.token, { url: 'https://127.0.0.1/x' }), 400).code).toBe('webhook_url_refused');
    expect(expectJson(await call('PATCH', `/api/webhooks/${webhook.id}`, u.token, { enabled: false }), 200).data.webhook).toMatchObject({ enabled: false, disabledReason: 'user' });
    expect(expectJson(await call('PATCH', `/api/webhooks/${webhook.id}`, u.token, { enabled: true }), 200).data.webhook).toMatchObject({ enabled: true, disabledReason: null });
    const regenerated = expectJson(await call('POST', `/api/webhooks/${webhook.id}/secret`, u.token), 200).data;
    expect(regenerated.secret).not.toBe(secret);
    expect(expectJson(await call('DELETE', `/api/webhooks/${webhook.id}`, u.token), 200).data).toEqual({ webhookId: webhook.id, deleted: true });
    expect(expectJson(await call('DELETE', `/api/webhooks/${webhook.id}`, u.token), 404).code).toBe('not_found');

    const audit = expectJson(await call('GET', '/api/auth/audit-log', u.token), 200).data.events;
    const changes = audit.filter((e: any) => e.event === 'webhook_changed').map((e: any) => e.detail.change).reverse();
    expect(changes).toEqual(['created', 'updated', 'disabled', 'enabled', 'secret_regenerated', 'deleted']);
    const entry = audit.find((e: any) => e.event === 'webhook_changed');
    expect(entry).toMatchObject({ userAgent: 'HookTest/1.0', detail: { webhookId: webhook.id, url: 'https://93.184.216.34' } });
    expect(JSON.stringify(audit)).not.toContain('/hook'); // paths (a chat webhook's token) stay out of the log
    expect(JSON.stringify(audit)).not.toContain('whsec_');
  });

  it(`allows ${MAX_WEBHOOKS_PER_ACCOUNT} hooks per account, then webhook_limit_reached`, async () => {
    const u = await registerUser(ctx);
    for (let i = 0; i < MAX_WEBHOOKS_PER_ACCOUNT; i++) await create(u.token, { url: `${PUBLIC}/${i}` });
    expect(expectJson(await call('POST', '/api/webhooks', u.token, { url: PUBLIC }), 403).code).toBe('webhook_limit_reached');
  });

  it('queues deliveries with the change: per subscribed enabled hook, none for refused writes or other accounts', async () => {
    const u = await userWithDevice(ctx, { deviceName: 'Miyoo' });
    const bystander = await userWithDevice(ctx);
    await create(bystander.token, { url: PUBLIC });
    const all = (await create(u.token, { url: `${PUBLIC}/all` })).webhook;
    const onlyDevices = (await create(u.token, { url: `${PUBLIC}/devices`, events: ['device.paired', 'device.removed'] })).webhook;
    const off = (await create(u.token, { url: `${PUBLIC}/off` })).webhook;
    expectJson(await call('PATCH', `/api/webhooks/${off.id}`, u.token, { enabled: false }), 200);

    expectJson(await upload(ctx, u.device.apiKey, 'gba/Game/battery', 'bytes'), 200);
    expectJson(await upload(ctx, u.device.apiKey, 'gba/Game/battery', 'bytes', { base: 1 }), 200); // unchanged: no event
    expect((await upload(ctx, u.device.apiKey, 'gba/Game/battery', 'x', { sha: '0'.repeat(64), base: 1 })).statusCode).toBe(400); // refused
    const second = await pairDevice(ctx, u.token, { deviceName: 'PC' });
    expectJson(await call('DELETE', `/api/devices?deviceId=${second.device.id}`, u.token), 200);

    const rows = await ctx.db.selectFrom('webhook_deliveries').select(['webhook_id', 'event_type', 'payload', 'status', 'user_id']).where('user_id', '=', u.user.id).orderBy('created_at').execute();
    const of = (id: string) => rows.filter((r) => r.webhook_id === id).map((r) => r.event_type);
    expect(of(all.id)).toEqual(['save.uploaded', 'device.paired', 'device.removed']);
    expect(of(onlyDevices.id)).toEqual(['device.paired', 'device.removed']);
    expect(of(off.id)).toEqual([]);
    expect(rows.every((r) => r.status === 'pending')).toBe(true);
    const uploaded = JSON.parse(rows.find((r) => r.event_type === 'save.uploaded')!.payload);
    expect(uploaded).toMatchObject({ type: 'save.uploaded', data: { key: 'gba/Game/battery', version: 1, size: 5, deviceId: u.device.device.id, deviceName: 'Miyoo' } });
    expect(typeof uploaded.id).toBe('string');
    const bystanderRows = await ctx.db.selectFrom('webhook_deliveries').select('id').where('user_id', '=', bystander.user.id).execute();
    expect(bystanderRows).toEqual([]);
  });

  it('a test event is queued for the hook and listed in its log as queued until sent', async () => {
    const u = await registerUser(ctx);
    const { webhook } = await create(u.token, { url: PUBLIC });
    const { eventId } = expectJson(await call('POST', `/api/webhooks/${webhook.id}/test`, u.token), 202).data;
    const log = expectJson(await call('GET', `/api/webhooks/${webhook.id}/deliveries`, u.token), 200).data;
    expect(log.attempts).toEqual([]);
    expect(log.queued).toMatchObject([{ eventId, eventType: 'webhook.test', attempts: 0 }]);
    expect(expectJson(await call('GET', `/api/webhooks/${webhook.id}/deliveries?limit=0`, u.token), 400).code).toBe('validation_failed');
  });
});
