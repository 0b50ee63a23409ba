import { afterEach, describe, expect, it } from 'vitest';
import { deviceHeaders, expectJson, userWithDevice, type TestContext } from '../test-support/index.js';
import { createSyncTestContext, saveUrl, sha256, syncTargets, upload } from './test-support/sync-context.js';

const DAY = 86_400_000;

describe.each(syncTargets())('retention and garbage collection on %s', (target) => {
  let ctx: TestContext;
  afterEach(async () => {
    await ctx?.close();
  });

  it('keeps the last N versions and conflict versions for the configured days, then removes unreferenced blobs', async () => {
    ctx = await createSyncTestContext(target, { env: { RETENTION_VERSIONS: '3', RETENTION_DAYS: '90' } });
    ctx.clock.set(Date.now());
    const u = await userWithDevice(ctx);
    const k = u.device.apiKey;
    const key = 'gba/Game/battery';
    for (let v = 1; v <= 6; v++) expectJson(await upload(ctx, k, key, `v${v}`, { base: v === 1 ? null : v - 1 }), 200);
    // A stale upload that loses: a conflict version (7), not counted against the last 3.
    expect(expectJson(await upload(ctx, k, key, 'stale', { base: 2, mtime: ctx.clock.now() - 10 * DAY }), 200).data.outcome).toBe('conflict_lost');
    const versions = async () =>
      expectJson(await ctx.app.inject({ method: 'GET', url: saveUrl(key, '/versions'), headers: deviceHeaders(k) }), 200).data.versions.map((v: any) => [v.version, v.conflict]);
    expect(await versions()).toEqual([[7, true], [6, false], [5, false], [4, false]]);

    const blobShas = async () => {
      const out: string[] = [];
      for await (const b of ctx.app.deps.sync.blobs.list(u.user.id)) out.push(b.sha256);
      return out.sort();
    };
    // Pruned versions' blobs stay until they are older than the grace period.
    expect(await blobShas()).toHaveLength(7);
    ctx.clock.set(Date.now() + 2 * 3_600_000);
    let r = await ctx.app.deps.sync.runMaintenance();
    expect(r).toEqual({ expiredConflicts: 0, removedBlobs: 3 });
    expect(await blobShas()).toEqual(['v4', 'v5', 'v6', 'stale'].map(sha256).sort());

    ctx.clock.set(Date.now() + 91 * DAY);
    r = await ctx.app.deps.sync.runMaintenance();
    expect(r).toEqual({ expiredConflicts: 1, removedBlobs: 1 });
    expect(await versions()).toEqual([[6, false], [5, false], [4, false]]);
    expect((await ctx.app.inject({ method: 'GET', url: saveUrl(key), headers: deviceHeaders(k) })).body).toBe('v6');
  });

  it("a deleted account's blobs are collected", async () => {
    ctx = await createSyncTestContext(target);
    ctx.clock.set(Date.now());
    const u = await userWithDevice(ctx);
    const keep = await userWithDevice(ctx);
    expectJson(await upload(ctx, u.device.apiKey, 'gba/Gone/battery', 'bye'), 200);
    expectJson(await upload(ctx, keep.device.apiKey, 'gba/Gone/battery', 'bye'), 200);
    await ctx.db.deleteFrom('users').where('id', '=', u.user.id).execute();
    ctx.clock.set(Date.now() + 2 * 3_600_000);
    expect((await ctx.app.deps.sync.runMaintenance()).removedBlobs).toBe(1);
    expect((await ctx.app.inject({ method: 'GET', url: saveUrl('gba/Gone/battery'), headers: deviceHeaders(keep.device.apiKey) })).body).toBe('bye');
  });

  it('a blob still referenced by any save of its user is never collected', async () => {
    ctx = await createSyncTestContext(target, { env: { RETENTION_VERSIONS: '1' } });
    ctx.clock.set(Date.now());
    const u = await userWithDevice(ctx);
    const k = u.device.apiKey;
    expectJson(await upload(ctx, k, 'gba/A/battery', 'shared'), 200);
    expectJson(await upload(ctx, k, 'gba/B/battery', 'shared'), 200);
    expectJson(await upload(ctx, k, 'gba/A/battery', 'newer', { base: 1 }), 200); // A/1 pruned; B/1 still uses the bytes
    ctx.clock.set(Date.now() + 2 * 3_600_000);
    expect((await ctx.app.deps.sync.runMaintenance()).removedBlobs).toBe(0);
    expect((await ctx.app.inject({ method: 'GET', url: saveUrl('gba/B/battery'), headers: deviceHeaders(k) })).body).toBe('shared');
  });
});
