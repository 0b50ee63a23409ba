/**
 * Issue 11 scenario 10 ("over quota with no way out"): a player deletes old versions, or a whole
 * save, from the dashboard's API. Owner only, the head kept unless the whole save goes, usage
 * drops at once and the bytes leave the blob store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, deviceHeaders, expectJson, pairDevice, userWithDevice, type TestContext } from '../test-support/index.js';
import { createSyncTestContext, saveUrl, sha256, syncTargets, upload } from '../sync/test-support/sync-context.js';

const KEY = 'gba/Metroid Fusion/battery';

describe.each(syncTargets())('deleting versions and saves on %s', (target) => {
  let ctx: TestContext;
  afterEach(async () => {
    await ctx?.close();
  });

  const blobShas = async (userId: string) => {
    const out: string[] = [];
    for await (const b of ctx.app.deps.sync.blobs.list(userId)) out.push(b.sha256);
    return out.sort();
  };
  const post = (token: string, url: string, payload: unknown) => ctx.app.inject({ method: 'POST', url, headers: bearer(token), payload: payload as object });

  it('scenario 10: a player over quota deletes old versions: usage drops at once, the bytes go, the head stays, uploads work again', async () => {
    ctx = await createSyncTestContext(target, { env: { DEFAULT_TIER: 'free', QUOTA_FREE_MB: String(1000 / 1024 / 1024) } });
    const u = await userWithDevice(ctx);
    const k = u.device.apiKey;
    const v = (n: number) => Buffer.alloc(300, n);
    for (let n = 1; n <= 3; n++) expectJson(await upload(ctx, k, KEY, v(n), { base: n === 1 ? null : n - 1 }), 200);
    expect(expectJson(await upload(ctx, k, KEY, v(4), { base: 3 }), 413).code).toBe('quota_exceeded');

    const r = expectJson(await post(u.token, '/api/saves/versions/delete', { key: KEY, versions: [1, 2] }), 200).data;
    expect(r).toEqual({ key: KEY, deleted: [1, 2], usage: { tier: 'free', usedBytes: 300, limitBytes: 1000 } });
    expect(await blobShas(u.user.id)).toEqual([sha256(v(3))]);
    const versions = expectJson(await ctx.app.inject({ method: 'GET', url: saveUrl(KEY, '/versions'), headers: bearer(u.token) }), 200).data.versions;
    expect(versions.map((x: any) => x.version)).toEqual([3]);
    expect(expectJson(await upload(ctx, k, KEY, v(4), { base: 3 }), 200).data.outcome).toBe('accepted');
    expect(expectJson(await ctx.app.inject({ method: 'GET', url: '/api/saves/usage', headers: bearer(u.token) }), 200).data.usedBytes).toBe(600);
  });

  it('the head is kept: deleting it is 409 version_is_head; unknown versions are 404 and nothing is deleted', async () => {
    ctx = await createSyncTestContext(target);
    const u = await userWithDevice(ctx);
    expectJson(await upload(ctx, u.device.apiKey, KEY, 'one'), 200);
    expectJson(await upload(ctx, u.device.apiKey, KEY, 'two', { base: 1 }), 200);
    const head = expectJson(await post(u.token, '/api/saves/versions/delete', { key: KEY, versions: [1, 2] }), 409);
    expect(head).toMatchObject({ code: 'version_is_head', details: { version: 2 } });
    const missing = expectJson(await post(u.token, '/api/saves/versions/delete', { key: KEY, versions: [1, 7] }), 404);
    expect(missing).toMatchObject({ code: 'not_found', details: { missing: [7] } });
    expect(expectJson(await post(u.token, '/api/saves/versions/delete', { key: 'gba/Nope/battery', versions: [1] }), 404).code).toBe('not_found');
    expect(expectJson(await post(u.token, '/api/saves/versions/delete', { key: 'gba/../battery', versions: [1] }), 400).code).toBe('invalid_key');
    expect(expectJson(await post(u.token, '/api/saves/versions/delete', { key: KEY, versions: [] }), 400).code).toBe('validation_failed');
    expect((await ctx.app.inject({ method: 'GET', url: `${saveUrl(KEY)}?version=1`, headers: deviceHeaders(u.device.apiKey) })).body).toBe('one');
    // A device key cannot delete versions: only the signed-in player.
    const byDevice = await ctx.app.inject({ method: 'POST', url: '/api/saves/versions/delete', headers: deviceHeaders(u.device.apiKey), payload: { key: KEY, versions: [1] } });
    expect(expectJson(byDevice, 403).code).toBe('wrong_credential_type');
  });

  it("bytes another kept version holds stay; another user's save is untouchable", async () => {
    ctx = await createSyncTestContext(target);
    const u = await userWithDevice(ctx);
    const mallory = await userWithDevice(ctx);
    expectJson(await upload(ctx, u.device.apiKey, KEY, 'shared bytes'), 200);
    expectJson(await upload(ctx, u.device.apiKey, 'gba/Other/battery', 'shared bytes'), 200);
    expectJson(await upload(ctx, u.device.apiKey, KEY, 'newer', { base: 1 }), 200);
    expectJson(await post(u.token, '/api/saves/versions/delete', { key: KEY, versions: [1] }), 200);
    expect((await ctx.app.inject({ method: 'GET', url: saveUrl('gba/Other/battery'), headers: deviceHeaders(u.device.apiKey) })).body).toBe('shared bytes');
    expect(await blobShas(u.user.id)).toEqual([sha256('newer'), sha256('shared bytes')].sort());
    // Mallory names the same key: it is her own (missing) save, never Alice's.
    expect(expectJson(await post(mallory.token, '/api/saves/versions/delete', { key: KEY, versions: [2] }), 404).code).toBe('not_found');
    expect(expectJson(await post(mallory.token, '/api/saves/delete', { key: KEY }), 404).code).toBe('not_found');
    expect((await ctx.app.inject({ method: 'GET', url: saveUrl(KEY), headers: deviceHeaders(u.device.apiKey) })).body).toBe('newer');
  });

  it('scenario 10: deleting a whole save removes every version and its bytes; a deletion head tells devices to remove their copies', async () => {
    ctx = await createSyncTestContext(target);
    const u = await userWithDevice(ctx);
    const other = await pairDevice(ctx, u.token, { deviceName: 'PC' });
    for (let n = 1; n <= 3; n++) expectJson(await upload(ctx, u.device.apiKey, KEY, `v${n}`, { base: n === 1 ? null : n - 1 }), 200);
    expectJson(await upload(ctx, u.device.apiKey, 'gba/Kept/battery', 'kept'), 200);
    const cursor = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/files', headers: deviceHeaders(other.apiKey) }), 200).data.cursor;

    const r = expectJson(await post(u.token, '/api/saves/delete', { key: KEY }), 200).data;
    expect(r).toMatchObject({ key: KEY, deletedVersions: 3, head: { version: 4, deleted: true, size: 0 }, usage: { usedBytes: 4 } });
    expect(await blobShas(u.user.id)).toEqual([sha256('kept')]);
    // Devices see a deletion in the feed (and remove their copy into their backups).
    const feed = expectJson(await ctx.app.inject({ method: 'GET', url: `/api/sync/files?since=${cursor}`, headers: deviceHeaders(other.apiKey) }), 200).data;
    expect(feed.files).toMatchObject([{ key: KEY, version: 4, deleted: true }]);
    const versions = expectJson(await ctx.app.inject({ method: 'GET', url: saveUrl(KEY, '/versions'), headers: bearer(u.token) }), 200).data.versions;
    expect(versions.map((x: any) => [x.version, x.deleted])).toEqual([[4, true]]);
    // Nothing is left to restore.
    expect(expectJson(await post(u.token, '/api/saves/restore', { key: KEY, version: 4 }), 404).code).toBe('not_found');
    // A device that changed the save meanwhile still gets its edit in: a modification beats a deletion.
    expect(expectJson(await upload(ctx, other.apiKey, KEY, 'edited offline', { base: 3 }), 200).data).toMatchObject({ outcome: 'conflict_won', head: { version: 5 } });
  });
});
