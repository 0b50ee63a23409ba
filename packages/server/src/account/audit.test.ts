import { afterEach, describe, expect, it } from 'vitest';
import { AUDIT_USER_AGENT_MAX } from './audit.js';
import { bearer, createTestContext, databaseTargets, expectJson, pairDevice, registerUser, type TestContext } from '../test-support/index.js';

const DAY = 86_400_000;

describe.each(databaseTargets())('audit log on %s', (target) => {
  let ctx: TestContext;
  afterEach(async () => {
    await ctx?.close();
  });

  const login = (email: string, password: string, headers: Record<string, string> = {}, remoteAddress?: string) =>
    ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password }, headers, ...(remoteAddress ? { remoteAddress } : {}) });
  const auditLog = async (token: string, query = '') => expectJson(await ctx.app.inject({ method: 'GET', url: `/api/auth/audit-log${query}`, headers: bearer(token) }), 200).data;

  it('records sign-ins and failed sign-ins with the address (X-Forwarded-For only with TRUST_PROXY) and a capped user agent', async () => {
    ctx = await createTestContext(target, { env: { TRUST_PROXY: 'true' } });
    const u = await registerUser(ctx, { email: 'audit@example.com', password: 'right password' });
    const longUa = `Firefox/\u0007${'x'.repeat(1000)}`;
    expect((await login('audit@example.com', 'wrong password', { 'x-forwarded-for': '203.0.113.9', 'user-agent': longUa })).statusCode).toBe(401);
    ctx.clock.advance(1000);
    expectJson(await login('audit@example.com', 'right password', { 'x-forwarded-for': '198.51.100.7', 'user-agent': 'Mozilla/5.0 Test' }), 200);
    // An unknown email has no account, so nothing is written anywhere.
    expect((await login('nobody@example.com', 'right password')).statusCode).toBe(401);

    const log = await auditLog(u.token);
    expect(log.total).toBe(2);
    expect(log.events.map((e: { event: string }) => e.event)).toEqual(['sign_in', 'sign_in_failed']);
    const [ok, failed] = log.events;
    expect(ok).toMatchObject({ ip: '198.51.100.7', userAgent: 'Mozilla/5.0 Test', detail: { method: 'password' } });
    expect(failed).toMatchObject({ ip: '203.0.113.9', detail: { reason: 'password' } });
    expect(failed.userAgent).toHaveLength(AUDIT_USER_AGENT_MAX);
    expect(failed.userAgent).toMatch(/^Firefox\/ x+$/); // the control character is gone
    const rows = await ctx.db.selectFrom('audit_events').select('user_id').execute();
    expect(rows.every((r) => r.user_id === u.user.id)).toBe(true);
  });

  it('without TRUST_PROXY the socket address is stored, not X-Forwarded-For', async () => {
    ctx = await createTestContext(target);
    const u = await registerUser(ctx, { email: 'direct@example.com', password: 'right password' });
    expectJson(await login('direct@example.com', 'right password', { 'x-forwarded-for': '203.0.113.9' }, '192.0.2.44'), 200);
    const log = await auditLog(u.token);
    expect(log.events[0]).toMatchObject({ event: 'sign_in', ip: '192.0.2.44' });
  });

  it('records device paired and removed and a password change; each user sees only their own events, newest first, paged', async () => {
    ctx = await createTestContext(target);
    const a = await registerUser(ctx, { email: 'a@example.com', password: 'password a' });
    const b = await registerUser(ctx, { email: 'b@example.com', password: 'password b' });
    const dev = await pairDevice(ctx, a.token, { deviceName: 'RG35XX+' });
    ctx.clock.advance(1000);
    expectJson(await ctx.app.inject({ method: 'DELETE', url: `/api/devices?deviceId=${dev.device.id}`, headers: bearer(a.token) }), 200);
    ctx.clock.advance(1000);
    const changed = expectJson(
      await ctx.app.inject({ method: 'POST', url: '/api/auth/password', headers: bearer(a.token), payload: { currentPassword: 'password a', newPassword: 'password a2' } }),
      200,
    );
    const all = await auditLog(changed.data.token);
    expect(all.events.map((e: { event: string }) => e.event)).toEqual(['password_changed', 'device_removed', 'device_paired']);
    expect(all.events[2].detail).toMatchObject({ deviceId: dev.device.id, deviceName: 'RG35XX+', flow: 'code' });
    expect(all.events[1].detail).toMatchObject({ deviceId: dev.device.id, deviceName: 'RG35XX+' });

    const page = await auditLog(changed.data.token, '?limit=1&offset=1');
    expect(page).toMatchObject({ total: 3, limit: 1, offset: 1 });
    expect(page.events.map((e: { event: string }) => e.event)).toEqual(['device_removed']);

    expect(await auditLog(b.token)).toMatchObject({ events: [], total: 0 });
    const bad = await ctx.app.inject({ method: 'GET', url: '/api/auth/audit-log?limit=500', headers: bearer(changed.data.token) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('validation_failed');
  });

  it('keeps events of one millisecond in the order they happened', async () => {
    ctx = await createTestContext(target);
    const u = await registerUser(ctx);
    for (const event of ['key_rotated', 'webhook_changed', 'device_removed'] as const) await ctx.app.deps.audit.record({ userId: u.user.id, event });
    expect((await auditLog(u.token)).events.map((e: { event: string }) => e.event)).toEqual(['device_removed', 'webhook_changed', 'key_rotated']);
    await expect(ctx.app.deps.audit.record({ userId: u.user.id, event: 'made_up' as never })).rejects.toThrow();
  });

  it('maintenance prunes events past AUDIT_RETENTION_DAYS and beyond AUDIT_MAX_EVENTS_PER_USER per user', async () => {
    ctx = await createTestContext(target, { env: { AUDIT_RETENTION_DAYS: '30', AUDIT_MAX_EVENTS_PER_USER: '100' } });
    const busy = await registerUser(ctx, { email: 'busy@example.com' });
    const quiet = await registerUser(ctx, { email: 'quiet@example.com' });
    const { audit } = ctx.app.deps;
    await audit.record({ userId: quiet.user.id, event: 'sign_in', detail: { n: 'old' } });
    ctx.clock.advance(31 * DAY);
    await audit.record({ userId: quiet.user.id, event: 'sign_in', detail: { n: 'recent' } });
    for (let i = 0; i < 130; i++) {
      await audit.record({ userId: busy.user.id, event: 'sign_in_failed', detail: { n: i } });
      if (i % 7 === 0) ctx.clock.advance(1);
    }
    await ctx.app.deps.sync.runMaintenance();
    const quietLog = await audit.list(quiet.user.id, { limit: 10, offset: 0 });
    expect(quietLog.events.map((e) => e.detail?.n)).toEqual(['recent']);
    const busyLog = await audit.list(busy.user.id, { limit: 100, offset: 0 });
    expect(busyLog.total).toBe(100);
    expect(busyLog.events[0]!.detail?.n).toBe(129);
    expect(busyLog.events[99]!.detail?.n).toBe(30);
  });
});
