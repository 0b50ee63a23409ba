import { afterEach, describe, expect, it } from 'vitest';
import { bearer, deviceHeaders, expectJson, pairDevice, userWithDevice, type TestContext } from '../test-support/index.js';
import { createSyncTestContext, saveUrl, sha256, syncTargets, upload } from './test-support/sync-context.js';

const DAY = 86_400_000;

/** A fresh session (the one from registration expires after 30 days of test time). */
async function signIn(ctx: TestContext, u: { email: string; password: string }): Promise<Record<string, string>> {
  return bearer(expectJson(await ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: u.email, password: u.password } }), 200).data.token);
}

describe.each(syncTargets())('retention and garbage collection on %s', (target) => {
  let ctx: TestContext;
  afterEach(async () => {
    await ctx?.close();
  });

  it('keeps every version superseded within RETENTION_DAYS; then thins to the last N and expires conflict versions; GC follows', async () => {
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
    const all = [[7, true], [6, false], [5, false], [4, false], [3, false], [2, false], [1, false]];
    expect(await versions()).toEqual(all);

    const blobShas = async () => {
      const out: string[] = [];
      for await (const b of ctx.app.deps.sync.blobs.list(u.user.id)) out.push(b.sha256);
      return out.sort();
    };
    // Everything was superseded today: within the window nothing is thinned, no blob goes.
    ctx.clock.set(Date.now() + 2 * 3_600_000);
    let r = await ctx.app.deps.sync.runMaintenance();
    expect(r).toEqual({ expiredConflicts: 0, thinnedVersions: 0, removedBlobs: 0 });
    expect(await versions()).toEqual(all);
    expect(await blobShas()).toHaveLength(7);

    ctx.clock.set(Date.now() + 91 * DAY);
    r = await ctx.app.deps.sync.runMaintenance();
    expect(r).toEqual({ expiredConflicts: 1, thinnedVersions: 3, removedBlobs: 4 });
    expect(await versions()).toEqual([[6, false], [5, false], [4, false]]);
    expect(await blobShas()).toEqual(['v4', 'v5', 'v6'].map(sha256).sort());
    expect((await ctx.app.inject({ method: 'GET', url: saveUrl(key), headers: deviceHeaders(k) })).body).toBe('v6');
  });

  it('scenario 1: a save uploaded 100 days ago that loses a conflict today is kept for RETENTION_DAYS from today, with its bytes', async () => {
    ctx = await createSyncTestContext(target, { env: { RETENTION_VERSIONS: '1', RETENTION_DAYS: '90' } });
    const today = Date.now();
    ctx.clock.set(today - 100 * DAY);
    const u = await userWithDevice(ctx);
    const key = 'gba/Old Game/battery';
    const t = ctx.clock.now();
    expectJson(await upload(ctx, u.device.apiKey, key, 'played 100 days ago', { mtime: t - 60_000, clientTime: t }), 200);
    ctx.clock.set(today);
    const pc = await pairDevice(ctx, (await signIn(ctx, u)).authorization!.slice('Bearer '.length), { deviceName: 'PC' });
    // A new device that never synced this save uploads its own copy: a conflict, and it wins.
    const won = expectJson(await upload(ctx, pc.apiKey, key, 'new device', { mtime: today - 60_000, clientTime: today }), 200).data;
    expect(won.outcome).toBe('conflict_won');
    const loser = async () => ctx.app.inject({ method: 'GET', url: `${saveUrl(key)}?version=1`, headers: deviceHeaders(u.device.apiKey) });

    for (const later of [2 * 3_600_000, 89 * DAY]) {
      ctx.clock.set(today + later);
      const r = await ctx.app.deps.sync.runMaintenance();
      expect(r).toEqual({ expiredConflicts: 0, thinnedVersions: 0, removedBlobs: 0 });
      expect((await loser()).body).toBe('played 100 days ago');
    }
    const listed = expectJson(await ctx.app.inject({ method: 'GET', url: saveUrl(key, '/versions'), headers: await signIn(ctx, u) }), 200).data.versions;
    expect(listed.find((v: any) => v.version === 1)).toMatchObject({ conflict: true, supersededAt: new Date(today).toISOString() });

    ctx.clock.set(today + 91 * DAY);
    expect(await ctx.app.deps.sync.runMaintenance()).toEqual({ expiredConflicts: 1, thinnedVersions: 0, removedBlobs: 1 });
    expect((await loser()).statusCode).toBe(404);
  });

  it('scenario 1: a head replaced today by a newer upload, a restore or a deletion counts from today, not from its upload', async () => {
    ctx = await createSyncTestContext(target, { env: { RETENTION_VERSIONS: '1', RETENTION_DAYS: '30' } });
    const today = Date.now();
    ctx.clock.set(today - 100 * DAY);
    const u = await userWithDevice(ctx);
    const k = u.device.apiKey;
    const key = 'snes/Zelda/battery';
    expectJson(await upload(ctx, k, key, 'one'), 200); // v1, 100 days old
    ctx.clock.set(today);
    expectJson(await upload(ctx, k, key, 'two', { base: 1 }), 200); // v2: v1 superseded today
    ctx.clock.set(today + DAY);
    expectJson(await ctx.app.inject({ method: 'POST', url: '/api/saves/restore', headers: await signIn(ctx, u), payload: { key, version: 1 } }), 200); // v3: v2 superseded
    ctx.clock.set(today + 2 * DAY);
    expectJson(await ctx.app.inject({ method: 'DELETE', url: saveUrl(key), headers: { ...deviceHeaders(k), 'x-base-version': '3' } }), 200); // v4: v3 superseded

    const superseded = async () =>
      Object.fromEntries(
        expectJson(await ctx.app.inject({ method: 'GET', url: saveUrl(key, '/versions'), headers: deviceHeaders(k) }), 200).data.versions.map((v: any) => [v.version, v.supersededAt]),
      );
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(await superseded()).toEqual({ 1: iso(today), 2: iso(today + DAY), 3: iso(today + 2 * DAY), 4: null });

    ctx.clock.set(today + 29 * DAY);
    expect((await ctx.app.deps.sync.runMaintenance()).thinnedVersions).toBe(0);
    // 31½ days on: v1 and v2 (superseded on days 0 and 1) left the window; v3 (day 2) is still inside it.
    ctx.clock.set(today + 31.5 * DAY);
    expect((await ctx.app.deps.sync.runMaintenance()).thinnedVersions).toBe(2);
    expect(Object.keys(await superseded())).toEqual(['3', '4']);
    // The deletion is the head; the bytes it deleted stay restorable from v3.
    expect(expectJson(await ctx.app.inject({ method: 'POST', url: '/api/saves/restore', headers: await signIn(ctx, u), payload: { key, version: 3 } }), 200).data.head.deleted).toBe(false);
    expect((await ctx.app.inject({ method: 'GET', url: saveUrl(key), headers: deviceHeaders(k) })).body).toBe('one');
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
