/**
 * Sync protocol v1.1 "Untrusted time" (docs/protocol.md), end to end through the HTTP API:
 * the wire headers, `X-Server-Time`, and scenario 3 of issue 11 (clock resets).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, deviceHeaders, expectJson, pairDevice, userWithDevice, type TestContext } from '../test-support/index.js';
import { createSyncTestContext, remove, saveUrl, sha256, syncTargets, upload } from '../sync/test-support/sync-context.js';

const KEY = 'gba/Golden Sun/battery';
const MIN = 60_000;
const HOUR = 60 * MIN;

describe.each(syncTargets())('untrusted time on %s', (target) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createSyncTestContext(target);
  });
  afterEach(async () => {
    await ctx?.close();
  });

  /** A handheld and a PC that both synced version 1 at T0; then the PC saves again an hour later. */
  async function handheldAndPc() {
    const alice = await userWithDevice(ctx, { deviceName: 'Miyoo Mini' });
    const pc = await pairDevice(ctx, alice.token, { deviceName: 'PC' });
    const T0 = ctx.clock.now();
    expectJson(await upload(ctx, alice.device.apiKey, KEY, 'base', { mtime: T0 - MIN, clientTime: T0, boot: 'boot-1' }), 200);
    ctx.clock.advance(HOUR);
    const t = ctx.clock.now();
    expect(expectJson(await upload(ctx, pc.apiKey, KEY, 'pc, newer', { base: 1, mtime: t - MIN, clientTime: t }), 200).data.outcome).toBe('accepted');
    return { alice, handheld: alice.device.apiKey, pc: pc.apiKey, T0 };
  }

  async function versions(token: string) {
    return expectJson(await ctx.app.inject({ method: 'GET', url: saveUrl(KEY, '/versions'), headers: bearer(token) }), 200).data.versions;
  }

  it('scenario 3: a handheld rebooted at 1970 syncs old offline play — kept as a conflict version, the PC save stays the head', async () => {
    const { alice, handheld } = await handheldAndPc();
    // Played offline two hours after a reboot at 1970 (no RTC battery); rebooted again, up 10 minutes.
    // Corrected by today's offset, the old play would read "now" and win.
    const res = await upload(ctx, handheld, KEY, 'old offline play', { base: 1, mtime: 2 * HOUR, clientTime: 10 * MIN, boot: 'boot-3' });
    const r = expectJson(res, 200).data;
    expect(r.outcome).toBe('conflict_lost');
    expect(r.head.sha256).toBe(sha256('pc, newer'));
    const listed = await versions(alice.token);
    expect(listed[0]).toMatchObject({ version: 3, conflict: true, timeTrusted: false, head: false });
    expect(listed[1]).toMatchObject({ version: 2, head: true, timeTrusted: true });
    // The conflict is there for the player to pick ("Keep this one" restores it as the head).
    const saves = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/saves', headers: bearer(alice.token) }), 200).data.saves;
    expect(saves[0]).toMatchObject({ key: KEY, conflictCount: 1 });
    const kept = expectJson(await ctx.app.inject({ method: 'POST', url: '/api/saves/restore', headers: bearer(alice.token), payload: { key: KEY, version: 3 } }), 200).data;
    expect(kept.head).toMatchObject({ version: 4, sha256: sha256('old offline play') });
  });

  it('scenario 3: a clock that jumped back to a plausible date since the last sync never wins a conflict', async () => {
    const { handheld } = await handheldAndPc();
    // The file was written at T0+30min (clock right then); after a reboot the clock reads 7 months earlier.
    const T0 = ctx.clock.now() - HOUR;
    const back = 210 * 24 * HOUR;
    const r = expectJson(await upload(ctx, handheld, KEY, 'written before the jump', { base: 1, mtime: T0 + 30 * MIN, clientTime: ctx.clock.now() - back, boot: 'boot-2' }), 200).data;
    expect(r.outcome).toBe('conflict_lost');
    // The rest of that boot's catch-up pass is untrusted too, on another save.
    ctx.clock.advance(5 * MIN);
    const other = 'gba/Advance Wars/battery';
    expectJson(await upload(ctx, handheld, other, 'a', { clientTime: ctx.clock.now() - back, boot: 'boot-2' }), 200);
    const listed = expectJson(await ctx.app.inject({ method: 'GET', url: saveUrl(other, '/versions'), headers: deviceHeaders(handheld) }), 200).data.versions;
    expect(listed[0]).toMatchObject({ timeTrusted: false });
  });

  it('scenario 3: an untrusted time is still a plain edit when its base is the head', async () => {
    const { handheld, pc } = await handheldAndPc();
    const r = expectJson(await upload(ctx, handheld, KEY, 'played after syncing', { base: 2, mtime: 5 * MIN, clientTime: 10 * MIN, boot: 'boot-3' }), 200).data;
    expect(r).toMatchObject({ outcome: 'accepted', head: { version: 3 } });
    expect((await ctx.app.inject({ method: 'GET', url: saveUrl(KEY), headers: deviceHeaders(pc) })).body).toBe('played after syncing');
  });

  it('X-Time-Trust: untrusted from the client loses; observed lifts the 1970 floor', async () => {
    const { handheld } = await handheldAndPc();
    const now = ctx.clock.now();
    expect(expectJson(await upload(ctx, handheld, KEY, 'client says untrusted', { base: 1, mtime: now - 1000, clientTime: now, trust: 'untrusted' }), 200).data.outcome).toBe('conflict_lost');
    const other = 'gba/Mother 3/battery';
    expectJson(await upload(ctx, handheld, other, 'v1', { clientTime: now }), 200);
    const observed = expectJson(await upload(ctx, handheld, other, 'seen this boot', { base: 1, mtime: 5 * MIN, clientTime: 10 * MIN, boot: 'b', trust: 'observed' }), 200).data;
    expect(observed.outcome).toBe('accepted');
    const listed = expectJson(await ctx.app.inject({ method: 'GET', url: saveUrl(other, '/versions'), headers: deviceHeaders(handheld) }), 200).data.versions;
    // The jump from offset 0 to 1970 was still seen, but the client observed the edit in this boot.
    expect(listed[0]).toMatchObject({ version: 2, timeTrusted: true });
  });

  it('a deletion with an untrusted time never beats a changed head either', async () => {
    const { handheld } = await handheldAndPc();
    const r = expectJson(await remove(ctx, handheld, KEY, { base: 1, mtime: 2 * HOUR, clientTime: 10 * MIN, boot: 'boot-3' }), 200).data;
    expect(r).toMatchObject({ outcome: 'conflict_lost', head: { version: 2, deleted: false } });
  });

  it('every reply carries X-Server-Time, errors and unknown routes included', async () => {
    const alice = await userWithDevice(ctx);
    const now = String(ctx.clock.now());
    for (const res of [
      await ctx.app.inject({ method: 'GET', url: '/api/sync/files', headers: deviceHeaders(alice.device.apiKey) }),
      await upload(ctx, alice.device.apiKey, KEY, 'x'),
      await ctx.app.inject({ method: 'GET', url: saveUrl('gba/None/battery'), headers: deviceHeaders(alice.device.apiKey) }),
      await ctx.app.inject({ method: 'GET', url: '/api/nothing-here' }),
      await ctx.app.inject({ method: 'GET', url: '/api/devices' }),
    ]) {
      expect(res.headers['x-server-time']).toBe(now);
    }
  });

  it.each([
    ['x-client-boot', 'has spaces in it'],
    ['x-client-boot', 'x'.repeat(65)],
    ['x-client-uptime', '-5'],
    ['x-client-uptime', 'ten'],
    ['x-last-server-time', 'yesterday'],
    ['x-time-trust', 'maybe'],
    ['x-client-time', 'soon'],
  ])('a malformed %s (%j) is 400 validation_failed naming the header, and stores nothing', async (name, value) => {
    const alice = await userWithDevice(ctx);
    const res = await upload(ctx, alice.device.apiKey, KEY, 'bytes', { headers: { [name]: value } });
    const body = expectJson(res, 400);
    expect(body).toMatchObject({ code: 'validation_failed', details: { fields: [{ in: 'headers', field: name }] } });
    expect((await ctx.app.inject({ method: 'GET', url: saveUrl(KEY), headers: deviceHeaders(alice.device.apiKey) })).statusCode).toBe(404);
    const del = await remove(ctx, alice.device.apiKey, KEY, { headers: { [name]: value } });
    expect(expectJson(del, 400).code).toBe('validation_failed');
  });

  it('well-formed v1.1 headers are accepted', async () => {
    const alice = await userWithDevice(ctx);
    const now = ctx.clock.now();
    const res = await upload(ctx, alice.device.apiKey, KEY, 'bytes', {
      clientTime: now,
      headers: { 'x-client-boot': '3f1c2d9e-7b4a-4c1e-9d2f-0a1b2c3d4e5f', 'x-client-uptime': '123456', 'x-last-server-time': String(now - 1000), 'x-time-trust': 'observed' },
    });
    expect(expectJson(res, 200).data.outcome).toBe('accepted');
  });
});
