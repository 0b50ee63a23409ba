import { afterEach, describe, expect, it } from 'vitest';
import { bearer, expectJson, userWithDevice, type TestContext } from '../test-support/index.js';
import { createSyncTestContext, syncTargets, upload } from './test-support/sync-context.js';

describe.each(syncTargets())('quotas on %s', (target) => {
  let ctx: TestContext;
  afterEach(async () => {
    await ctx?.close();
  });

  it('refuses new bytes over the tier quota with 413 quota_exceeded and usage in details; identical bytes cost nothing', async () => {
    // Free tier with a 1,000-byte quota (QUOTA_FREE_MB is in MiB).
    ctx = await createSyncTestContext(target, { env: { DEFAULT_TIER: 'free', QUOTA_FREE_MB: String(1000 / 1024 / 1024) } });
    const u = await userWithDevice(ctx);
    const k = u.device.apiKey;
    const a = Buffer.alloc(600, 1);
    const b = Buffer.alloc(600, 2);
    expectJson(await upload(ctx, k, 'gba/A/battery', a), 200);
    // The same bytes under another key are stored once: still within quota.
    expect(expectJson(await upload(ctx, k, 'gba/B/battery', a), 200).data.outcome).toBe('accepted');
    const over = expectJson(await upload(ctx, k, 'gba/C/battery', b), 413);
    expect(over).toMatchObject({ code: 'quota_exceeded', details: { tier: 'free', usedBytes: 600, limitBytes: 1000, incomingBytes: 600 } });
    // Without Content-Length the check happens in the transaction, with the same answer.
    const chunked = await ctx.app.inject({
      method: 'PUT',
      url: '/api/sync/saves/gba/C/battery',
      headers: { 'x-api-key': k, 'content-type': 'application/octet-stream', 'x-content-sha256': (await import('./test-support/sync-context.js')).sha256(b), 'transfer-encoding': 'chunked' },
      payload: (await import('node:stream')).Readable.from([b]),
    });
    expect(expectJson(chunked, 413).code).toBe('quota_exceeded');
    expect(expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/files', headers: { 'x-api-key': k } }), 200).data.count).toBe(2);
    // The dashboard's view of the same numbers.
    const usage = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/saves/usage', headers: bearer(u.token) }), 200);
    expect(usage.data).toEqual({ tier: 'free', usedBytes: 600, limitBytes: 1000 });
  });

  it('enterprise (the self-hosting default) is unlimited', async () => {
    ctx = await createSyncTestContext(target);
    const u = await userWithDevice(ctx);
    expect(ctx.config.defaultTier).toBe('enterprise');
    expect(expectJson(await upload(ctx, u.device.apiKey, 'gba/Big/battery', Buffer.alloc(2 * 1024 * 1024, 7)), 200).data.outcome).toBe('accepted');
    const usage = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/saves/usage', headers: bearer(u.token) }), 200);
    expect(usage.data).toEqual({ tier: 'enterprise', usedBytes: 2 * 1024 * 1024, limitBytes: null });
  });
});
