/** Sync protocol v1.1 "Blank saves" (docs/protocol.md), scenario 2 of issue 11, through the HTTP API. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, deviceHeaders, expectJson, pairDevice, userWithDevice, type TestContext } from '../test-support/index.js';
import { createSyncTestContext, saveUrl, sha256, syncTargets, upload } from '../sync/test-support/sync-context.js';

const KEY = 'gb/Pokemon Red/battery';
const MIN = 60_000;

describe.each(syncTargets())('blank saves on %s', (target) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createSyncTestContext(target);
  });
  afterEach(async () => {
    await ctx?.close();
  });

  it.each([
    ['all 0x00', Buffer.alloc(32 * 1024)],
    ['all 0xFF', Buffer.alloc(32 * 1024, 0xff)],
    ['empty', Buffer.alloc(0)],
  ])('scenario 2: a blank save (%s) never replaces a real head, whatever its time or base: stored, outcome blank_refused', async (_name, blank) => {
    const alice = await userWithDevice(ctx, { deviceName: 'PC' });
    const shell = await pairDevice(ctx, alice.token, { deviceName: 'Miyoo (shell client)' });
    const now = ctx.clock.now();
    expectJson(await upload(ctx, alice.device.apiKey, KEY, '8 badges', { mtime: now - 10 * MIN, clientTime: now }), 200);
    ctx.clock.advance(MIN);
    // A fresh blank SRAM written at game start: newer, on the head, from a trusted clock.
    const res = await upload(ctx, shell.apiKey, KEY, blank, { base: 1, mtime: ctx.clock.now(), clientTime: ctx.clock.now() });
    const r = expectJson(res, 200).data;
    expect(r).toMatchObject({ outcome: 'blank_refused', head: { version: 1, sha256: sha256('8 badges') }, stored: { version: 2 } });
    expect(res.headers).toMatchObject({ 'x-outcome': 'blank_refused', 'x-head-version': '1', 'x-stored-version': '2' });
    // …and with a stale base, with no base, and from a device whose clock reads 1970.
    for (const o of [{ base: null }, { base: 1, mtime: 60_000, clientTime: 120_000 }]) {
      const again = expectJson(await upload(ctx, shell.apiKey, KEY, blank, o), 200).data;
      expect(again).toMatchObject({ outcome: 'blank_refused', head: { version: 1 }, stored: { version: 2 } }); // stored once
    }
    expect((await ctx.app.inject({ method: 'GET', url: saveUrl(KEY), headers: deviceHeaders(shell.apiKey) })).body).toBe('8 badges');
    const versions = expectJson(await ctx.app.inject({ method: 'GET', url: saveUrl(KEY, '/versions'), headers: bearer(alice.token) }), 200).data.versions;
    expect(versions.map((v: any) => [v.version, v.blank, v.head, v.conflict])).toEqual([
      [2, true, false, false],
      [1, false, true, false],
    ]);
    // The blank stays in history, downloadable like any version.
    const kept = await ctx.app.inject({ method: 'GET', url: `${saveUrl(KEY)}?version=2`, headers: deviceHeaders(shell.apiKey) });
    expect(kept.rawPayload.equals(blank)).toBe(true);
    // A player who picks it in the dashboard gets it: an explicit restore is not a blank upload.
    const back = expectJson(await ctx.app.inject({ method: 'POST', url: '/api/saves/restore', headers: bearer(alice.token), payload: { key: KEY, version: 2 } }), 200).data;
    expect(back).toMatchObject({ outcome: 'accepted', head: { version: 3, sha256: sha256(blank) } });
  });

  it('scenario 2: real bytes beat a blank head in a conflict, even with an older time', async () => {
    const alice = await userWithDevice(ctx);
    const pc = await pairDevice(ctx, alice.token, { deviceName: 'PC' });
    const now = ctx.clock.now();
    expect(expectJson(await upload(ctx, alice.device.apiKey, KEY, Buffer.alloc(8192), { mtime: now, clientTime: now }), 200).data.outcome).toBe('accepted');
    const r = expectJson(await upload(ctx, pc.apiKey, KEY, 'a real save from yesterday', { mtime: now - 24 * 60 * MIN, clientTime: now }), 200).data;
    expect(r).toMatchObject({ outcome: 'conflict_won', head: { version: 2, sha256: sha256('a real save from yesterday') } });
  });

  it('a blank save is an ordinary edit over a blank head or a deletion (the player restarted the game)', async () => {
    const alice = await userWithDevice(ctx);
    const k = alice.device.apiKey;
    expectJson(await upload(ctx, k, KEY, 'old run'), 200);
    expectJson(await ctx.app.inject({ method: 'DELETE', url: saveUrl(KEY), headers: { ...deviceHeaders(k), 'x-base-version': '1' } }), 200);
    expect(expectJson(await upload(ctx, k, KEY, Buffer.alloc(64), { base: 2 }), 200).data.outcome).toBe('accepted');
    expect(expectJson(await upload(ctx, k, KEY, Buffer.alloc(64, 0xff), { base: 3 }), 200).data.outcome).toBe('accepted');
    expect(expectJson(await upload(ctx, k, KEY, 'first real save', { base: 4 }), 200).data.outcome).toBe('accepted');
  });
});
