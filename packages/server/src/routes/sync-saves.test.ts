import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, deviceHeaders, expectJson, pairDevice, userWithDevice, type TestContext } from '../test-support/index.js';
import { createSyncTestContext, saveUrl, sha256, syncTargets, upload } from '../sync/test-support/sync-context.js';

const KEY = 'gba/Pokémon Emerald/battery';
const T0 = Date.UTC(2026, 0, 1); // the ManualClock's start

describe.each(syncTargets())('sync saves on %s', (target) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createSyncTestContext(target);
  });
  afterEach(async () => {
    await ctx?.close();
  });

  it('upload → accepted, same bytes → unchanged, from the head → accepted; download has ETag and X-Version', async () => {
    const alice = await userWithDevice(ctx);
    const k = alice.device.apiKey;
    const first = expectJson(await upload(ctx, k, KEY, 'v1 bytes', { mtime: T0 - 5000, clientTime: T0 }), 200).data;
    expect(first).toMatchObject({ outcome: 'accepted', stored: { version: 1 }, head: { key: KEY, version: 1, sha256: sha256('v1 bytes'), size: 8, deviceId: alice.device.device.id, fileMtime: T0 - 5000 } });
    const again = expectJson(await upload(ctx, k, KEY, 'v1 bytes', { base: 1 }), 200).data;
    expect(again).toMatchObject({ outcome: 'unchanged', stored: { version: 1 }, head: { version: 1 } });
    const second = expectJson(await upload(ctx, k, KEY, 'v2 bytes!', { base: 1, mtime: T0 - 1000, clientTime: T0 }), 200).data;
    expect(second).toMatchObject({ outcome: 'accepted', head: { version: 2, size: 9 } });

    const res = await ctx.app.inject({ method: 'GET', url: saveUrl(KEY), headers: deviceHeaders(k) });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('v2 bytes!');
    expect(res.headers.etag).toBe(`"${sha256('v2 bytes!')}"`);
    expect(res.headers['x-version']).toBe('2');
    const old = await ctx.app.inject({ method: 'GET', url: `${saveUrl(KEY)}?version=1`, headers: deviceHeaders(k) });
    expect(old.body).toBe('v1 bytes');
    const cached = await ctx.app.inject({ method: 'GET', url: saveUrl(KEY), headers: { ...deviceHeaders(k), 'if-none-match': res.headers.etag as string } });
    expect(cached.statusCode).toBe(304);
  });

  it('a stale base is a conflict: newer corrected time wins, the loser is kept as a conflict version and logged', async () => {
    const alice = await userWithDevice(ctx, { deviceName: 'RG35XX' });
    const pc = await pairDevice(ctx, alice.token, { deviceName: 'PC' });
    const a = alice.device.apiKey;
    expectJson(await upload(ctx, a, KEY, 'base', { mtime: T0 - 10_000, clientTime: T0 }), 200);
    // Both play offline from version 1.
    expectJson(await upload(ctx, a, KEY, 'handheld', { base: 1, mtime: T0 - 3000, clientTime: T0 }), 200);
    const won = expectJson(await upload(ctx, pc.apiKey, KEY, 'pc newer', { base: 1, mtime: T0 - 1000, clientTime: T0 }), 200).data;
    expect(won).toMatchObject({ outcome: 'conflict_won', head: { version: 3, deviceId: pc.device.id } });
    const lostRes = await upload(ctx, a, KEY, 'handheld older', { base: 2, mtime: T0 - 2000, clientTime: T0 });
    const lost = expectJson(lostRes, 200).data;
    expect(lost).toMatchObject({ outcome: 'conflict_lost', stored: { version: 4 }, head: { version: 3 } });
    // The same answer as headers, for busybox clients without a JSON parser.
    expect(lostRes.headers).toMatchObject({ 'x-outcome': 'conflict_lost', 'x-head-version': '3', 'x-head-sha256': sha256('pc newer'), 'x-stored-version': '4' });

    const versions = expectJson(await ctx.app.inject({ method: 'GET', url: saveUrl(KEY, '/versions'), headers: bearer(alice.token) }), 200).data;
    expect(versions.head).toBe(3);
    const same = expectJson(await ctx.app.inject({ method: 'GET', url: `/api/sync/versions/${saveUrl(KEY).slice('/api/sync/saves/'.length)}`, headers: deviceHeaders(a) }), 200).data;
    expect(same).toEqual(versions);
    expect(versions.versions.map((v: any) => [v.version, v.conflict, v.head])).toEqual([
      [4, true, false],
      [3, false, true],
      [2, true, false],
      [1, false, false],
    ]);
    // Every side is still downloadable.
    for (const [v, text] of [[2, 'handheld'], [4, 'handheld older']] as const) {
      expect((await ctx.app.inject({ method: 'GET', url: `${saveUrl(KEY)}?version=${v}`, headers: deviceHeaders(a) })).body).toBe(text);
    }
    const logs = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/log?action=conflict', headers: bearer(alice.token) }), 200).data.logs;
    expect(logs).toHaveLength(2);
    const meta = logs.map((l: any) => JSON.parse(l.metadata));
    expect(meta).toContainEqual(
      expect.objectContaining({ winner: expect.objectContaining({ version: 3, correctedMtime: T0 - 1000 }), loser: expect.objectContaining({ version: 2, correctedMtime: T0 - 3000 }) }),
    );
    expect(meta).toContainEqual(expect.objectContaining({ winner: expect.objectContaining({ version: 3 }), loser: expect.objectContaining({ version: 4, fileMtime: T0 - 2000 }) }));
  });

  it('compares corrected times: a device whose clock is an hour ahead does not win by that hour', async () => {
    const alice = await userWithDevice(ctx);
    const fast = await pairDevice(ctx, alice.token, { deviceName: 'clock +1h' });
    expectJson(await upload(ctx, alice.device.apiKey, KEY, 'base', { mtime: T0 - 60_000, clientTime: T0 }), 200);
    expectJson(await upload(ctx, alice.device.apiKey, KEY, 'accurate clock, 10 s ago', { base: 1, mtime: T0 - 10_000, clientTime: T0 }), 200);
    const hour = 3_600_000;
    // Raw file time says "59 min in the future", corrected it is 60 s ago: older, so it loses.
    const r = expectJson(await upload(ctx, fast.apiKey, KEY, 'fast clock, 60 s ago', { base: 1, mtime: T0 + hour - 60_000, clientTime: T0 + hour }), 200).data;
    expect(r.outcome).toBe('conflict_lost');
    expect(r.head.sha256).toBe(sha256('accurate clock, 10 s ago'));
  });

  it('a checksum mismatch is 400 and stores nothing', async () => {
    const alice = await userWithDevice(ctx);
    const res = await upload(ctx, alice.device.apiKey, KEY, 'real bytes', { sha: sha256('other bytes') });
    expect(expectJson(res, 400).code).toBe('checksum_mismatch');
    expect((await ctx.app.inject({ method: 'GET', url: saveUrl(KEY), headers: deviceHeaders(alice.device.apiKey) })).statusCode).toBe(404);
    const blobs = [];
    for await (const b of ctx.app.deps.sync.blobs.list()) blobs.push(b);
    expect(blobs).toEqual([]);
    const missing = await ctx.app.inject({ method: 'PUT', url: saveUrl(KEY), headers: { ...deviceHeaders(alice.device.apiKey), 'content-type': 'application/octet-stream' }, payload: 'x' });
    expect(expectJson(missing, 400)).toMatchObject({ code: 'validation_failed' });
  });

  it.each([
    ['gba/../battery', 'dot-dot game'],
    ['gba/a%2Fb/battery', 'encoded slash inside a segment'],
    ['gba/a%00b/battery', 'NUL'],
    ['gba/a%0Ab/battery', 'newline'],
    ['..%2F..%2Fetc/x/battery', 'encoded traversal in the system'],
    ['gba/%2E%2E/battery', 'encoded dot-dot game'],
    [`gba/${'x'.repeat(300)}/battery`, 'over-long'],
    ['gba/Game/whatever', 'unknown kind'],
  ])('rejects %s (%s) with invalid_key', async (path) => {
    const alice = await userWithDevice(ctx);
    const res = await ctx.app.inject({
      method: 'PUT',
      url: `/api/sync/saves/${path}`,
      headers: { ...deviceHeaders(alice.device.apiKey), 'content-type': 'application/octet-stream', 'x-content-sha256': sha256('x') },
      payload: 'x',
    });
    expect(expectJson(res, 400).code).toBe('invalid_key');
  });

  it('a malformed percent escape never reaches storage (400)', async () => {
    const alice = await userWithDevice(ctx);
    const res = await ctx.app.inject({
      method: 'PUT',
      url: '/api/sync/saves/gba/Game%ZZ/battery',
      headers: { ...deviceHeaders(alice.device.apiKey), 'content-type': 'application/octet-stream', 'x-content-sha256': sha256('x') },
      payload: 'x',
    });
    expect(res.statusCode).toBe(400);
  });

  it('DELETE records a deletion version; the save is restorable and history stays', async () => {
    const alice = await userWithDevice(ctx);
    const k = alice.device.apiKey;
    expectJson(await upload(ctx, k, KEY, 'keep me', { mtime: T0 - 5000, clientTime: T0 }), 200);
    const del = expectJson(await ctx.app.inject({ method: 'DELETE', url: saveUrl(KEY), headers: { ...deviceHeaders(k), 'x-base-version': '1' } }), 200).data;
    expect(del).toMatchObject({ outcome: 'accepted', head: { version: 2, deleted: true } });
    const gone = expectJson(await ctx.app.inject({ method: 'GET', url: saveUrl(KEY), headers: deviceHeaders(k) }), 404);
    expect(gone.details).toEqual({ deleted: true, version: 2 });
    const heads = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/files', headers: deviceHeaders(k) }), 200).data;
    expect(heads.count).toBe(0);
    const feed = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/files?since=0', headers: deviceHeaders(k) }), 200).data;
    expect(feed.files).toMatchObject([{ key: KEY, version: 2, deleted: true }]);

    const restored = expectJson(await ctx.app.inject({ method: 'POST', url: '/api/saves/restore', headers: bearer(alice.token), payload: { key: KEY, version: 1 } }), 200).data;
    expect(restored).toMatchObject({ outcome: 'accepted', head: { version: 3, deleted: false, deviceId: null } });
    expect((await ctx.app.inject({ method: 'GET', url: saveUrl(KEY), headers: deviceHeaders(k) })).body).toBe('keep me');
    const after = expectJson(await ctx.app.inject({ method: 'GET', url: `/api/sync/files?since=${feed.cursor}`, headers: deviceHeaders(k) }), 200).data;
    expect(after.files).toMatchObject([{ key: KEY, version: 3, deleted: false }]);
    expect((await ctx.app.inject({ method: 'DELETE', url: saveUrl('gba/Nothing/battery'), headers: deviceHeaders(k) })).statusCode).toBe(404);
  });

  it("one user's saves are invisible to another user's devices", async () => {
    const alice = await userWithDevice(ctx);
    const mallory = await userWithDevice(ctx);
    expectJson(await upload(ctx, alice.device.apiKey, KEY, 'secret'), 200);
    expect((await ctx.app.inject({ method: 'GET', url: saveUrl(KEY), headers: deviceHeaders(mallory.device.apiKey) })).statusCode).toBe(404);
    const feed = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/files?since=0', headers: deviceHeaders(mallory.device.apiKey) }), 200).data;
    expect(feed.count).toBe(0);
    // The same bytes for Mallory are her own version, not a reference to Alice's.
    expect(expectJson(await upload(ctx, mallory.device.apiKey, KEY, 'secret'), 200).data.outcome).toBe('accepted');
  });

  it('per-game metadata is stored with the save and returned in listings', async () => {
    const alice = await userWithDevice(ctx);
    const metadata = { gameName: 'Pokémon Emerald', platform: 'gba', lastPlayed: '2026-01-01T10:00:00Z', playTime: 3600, deviceName: 'RG35XX', junk: 1 };
    expectJson(await upload(ctx, alice.device.apiKey, KEY, 'm', { metadata }), 200);
    const { junk: _junk, ...kept } = metadata;
    const files = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/files', headers: deviceHeaders(alice.device.apiKey) }), 200).data;
    expect(files.files[0].metadata).toEqual(kept);
    const saves = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/saves?system=gba', headers: bearer(alice.token) }), 200).data;
    expect(saves.saves).toMatchObject([{ key: KEY, metadata: kept, versionCount: 1, conflictCount: 0 }]);
    // Base64 JSON carries any Unicode (header values are not UTF-8).
    const res = await ctx.app.inject({
      method: 'PUT',
      url: saveUrl('gba/Pocket Monsters/battery'),
      headers: {
        ...deviceHeaders(alice.device.apiKey),
        'content-type': 'application/octet-stream',
        'x-content-sha256': sha256('jp'),
        'x-save-metadata': Buffer.from(JSON.stringify({ gameName: 'ポケットモンスター エメラルド' })).toString('base64'),
      },
      payload: 'jp',
    });
    expectJson(res, 200);
    const listed = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/saves?game=pocket', headers: bearer(alice.token) }), 200).data;
    expect(listed.saves[0].metadata).toEqual({ gameName: 'ポケットモンスター エメラルド' });
    const bad = await upload(ctx, alice.device.apiKey, KEY, 'n', { metadata: { playTime: 'long' } });
    expect(expectJson(bad, 400).code).toBe('validation_failed');
  });
});
