/**
 * Sync protocol v1.1 "Deletions" (docs/protocol.md) through the HTTP API: scenario 7 of issue 11
 * (an edit against a deletion converges in one pass) and the server side of scenario 11
 * (deletions are versions, carried by the change feed, restorable from the dashboard).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, deviceHeaders, expectJson, pairDevice, userWithDevice, type TestContext } from '../test-support/index.js';
import { createSyncTestContext, remove, saveUrl, sha256, syncTargets, upload } from '../sync/test-support/sync-context.js';

const KEY = 'nes/Zelda II/battery';
const MIN = 60_000;

describe.each(syncTargets())('deletions on %s', (target) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createSyncTestContext(target);
  });
  afterEach(async () => {
    await ctx?.close();
  });

  async function twoDevices() {
    const alice = await userWithDevice(ctx, { deviceName: 'Anbernic' });
    const pc = await pairDevice(ctx, alice.token, { deviceName: 'PC' });
    const T0 = ctx.clock.now();
    expectJson(await upload(ctx, alice.device.apiKey, KEY, 'v1', { mtime: T0 - MIN, clientTime: T0 }), 200);
    return { alice, a: alice.device.apiKey, b: pc.apiKey, T0 };
  }
  const versionCount = async (k: string) => expectJson(await ctx.app.inject({ method: 'GET', url: saveUrl(KEY, '/versions'), headers: deviceHeaders(k) }), 200).data.versions.length;

  it('scenario 7: an edit against a deletion becomes the head in one pass (the deletion stays in history); later passes store nothing', async () => {
    const { a, b, T0 } = await twoDevices();
    // Device A deletes the save at T0+10min; device B played offline at T0+5min, from version 1.
    ctx.clock.set(T0 + 10 * MIN);
    expect(expectJson(await remove(ctx, a, KEY, { base: 1, clientTime: ctx.clock.now() }), 200).data).toMatchObject({ outcome: 'accepted', head: { version: 2, deleted: true } });
    ctx.clock.set(T0 + 20 * MIN);
    const r = expectJson(await upload(ctx, b, KEY, 'offline edit', { base: 1, mtime: T0 + 5 * MIN, clientTime: ctx.clock.now() }), 200).data;
    expect(r).toMatchObject({ outcome: 'conflict_won', head: { version: 3, deleted: false, sha256: sha256('offline edit') } });
    // B's next passes: from the head it now holds, or (a client that failed to record it) from its old base.
    expect(expectJson(await upload(ctx, b, KEY, 'offline edit', { base: 3 }), 200).data.outcome).toBe('unchanged');
    expect(expectJson(await upload(ctx, b, KEY, 'offline edit', { base: 1, mtime: T0 + 5 * MIN }), 200).data.outcome).toBe('unchanged');
    expect(await versionCount(a)).toBe(3);
    // A sees the edit come back through the feed; the deletion is still in history.
    const feed = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/files?since=0', headers: deviceHeaders(a) }), 200).data;
    expect(feed.files).toMatchObject([{ key: KEY, version: 3, deleted: false }]);
    const versions = expectJson(await ctx.app.inject({ method: 'GET', url: saveUrl(KEY, '/versions'), headers: deviceHeaders(a) }), 200).data.versions;
    expect(versions.map((v: any) => [v.version, v.deleted, v.head])).toEqual([
      [3, false, true],
      [2, true, false],
      [1, false, false],
    ]);
  });

  it('scenario 7: a deletion against a changed head is kept as a conflict version and the head stays, once', async () => {
    const { a, b, T0 } = await twoDevices();
    ctx.clock.set(T0 + 10 * MIN);
    expectJson(await upload(ctx, b, KEY, 'played on', { base: 1, mtime: T0 + 9 * MIN, clientTime: ctx.clock.now() }), 200);
    ctx.clock.set(T0 + 20 * MIN);
    // A deletes later than B's edit, from version 1: a modification beats a deletion.
    for (let pass = 0; pass < 3; pass++) {
      const r = expectJson(await remove(ctx, a, KEY, { base: 1, clientTime: ctx.clock.now() }), 200).data;
      expect(r).toMatchObject({ outcome: 'conflict_lost', head: { version: 2, deleted: false }, stored: { version: 3 } });
    }
    expect(await versionCount(a)).toBe(3);
    expect((await ctx.app.inject({ method: 'GET', url: saveUrl(KEY), headers: deviceHeaders(a) })).body).toBe('played on');
  });

  it('scenario 11: a deletion is a version the feed carries; the dashboard restores the version before it', async () => {
    const { alice, a, b } = await twoDevices();
    const cursor = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/files?since=0', headers: deviceHeaders(b) }), 200).data.cursor;
    expectJson(await remove(ctx, a, KEY, { base: 1 }), 200);
    const feed = expectJson(await ctx.app.inject({ method: 'GET', url: `/api/sync/files?since=${cursor}`, headers: deviceHeaders(b) }), 200).data;
    expect(feed.files).toMatchObject([{ key: KEY, version: 2, deleted: true, sha256: sha256('v1') }]);
    const tsv = await ctx.app.inject({ method: 'GET', url: `/api/sync/files?since=${cursor}&format=tsv`, headers: deviceHeaders(b) });
    expect(tsv.body.split('\n')[1]?.split('\t').slice(0, 5)).toEqual([encodeURI(KEY).replace(/%20/g, '%20'), '2', sha256('v1'), '2', 'true']);
    // The dashboard lists the deleted save and offers "Restore" on the deletion: the version before it comes back.
    const saves = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/saves?includeDeleted=true', headers: bearer(alice.token) }), 200).data.saves;
    expect(saves).toMatchObject([{ key: KEY, version: 2, deleted: true }]);
    const restored = expectJson(await ctx.app.inject({ method: 'POST', url: '/api/saves/restore', headers: bearer(alice.token), payload: { key: KEY, version: 2 } }), 200).data;
    expect(restored).toMatchObject({ outcome: 'accepted', head: { version: 3, deleted: false, sha256: sha256('v1') } });
    expect((await ctx.app.inject({ method: 'GET', url: saveUrl(KEY), headers: deviceHeaders(b) })).body).toBe('v1');
  });
});
