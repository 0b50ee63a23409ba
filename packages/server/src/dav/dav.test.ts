/**
 * The /dav/ endpoint as RetroArch Cloud Sync drives it: Basic auth with a device key, the
 * generated manifest, saves mapped onto keys, opaque files, deletions, conflicts.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectJson, pairDevice, registerUser, type TestContext } from '../test-support/index.js';
import { createSyncTestContext, saveUrl, syncTargets, upload } from '../sync/test-support/sync-context.js';

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
export const basic = (key: string, user = 'retroarch') => ({ authorization: `Basic ${Buffer.from(`${user}:${key}`).toString('base64')}` });

describe.each(syncTargets())('/dav/ on %s', (target) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createSyncTestContext(target);
  });
  afterEach(async () => {
    await ctx?.close();
  });

  async function setup() {
    const user = await registerUser(ctx);
    const ra = await pairDevice(ctx, user.token, { deviceName: 'RetroArch PC', deviceType: 'linux' });
    const handheld = await pairDevice(ctx, user.token, { deviceName: 'Miyoo', deviceType: 'miyoo_mini' });
    const dav = (method: string, path: string, opts: { body?: Buffer | string; headers?: Record<string, string> } = {}) =>
      ctx.app.inject({ method: method as 'GET', url: `/dav/${path}`, headers: { ...basic(ra.apiKey), ...(opts.headers ?? {}) }, ...(opts.body !== undefined ? { payload: opts.body } : {}) });
    const manifest = async () => {
      const res = await dav('GET', 'manifest.server');
      expect(res.statusCode).toBe(200);
      return JSON.parse(res.body) as Array<{ path: string; hash: string }>;
    };
    return { user, ra, handheld, dav, manifest };
  }

  it('asks for Basic auth, takes the device key as the password whatever the user name, refuses others', async () => {
    const { ra, dav } = await setup();
    const none = await ctx.app.inject({ method: 'OPTIONS', url: '/dav/' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm="RetroSync"/);
    const wrong = await ctx.app.inject({ method: 'OPTIONS', url: '/dav/', headers: basic('0'.repeat(64)) });
    expect(wrong.statusCode).toBe(401);
    const ok = await ctx.app.inject({ method: 'OPTIONS', url: '/dav/', headers: basic(ra.apiKey, 'any name at all') });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers.dav).toBe('1');
    expect(String(ok.headers.allow)).toContain('MKCOL');
    expect((await dav('OPTIONS', '')).statusCode).toBe(200);
  });

  it('rate-limits wrong passwords per address like sign-in failures', async () => {
    await setup();
    let last = 0;
    for (let i = 0; i < 12; i++) {
      last = (await ctx.app.inject({ method: 'GET', url: '/dav/manifest.server', headers: basic('f'.repeat(64)), remoteAddress: '10.9.9.9' })).statusCode;
    }
    expect(last).toBe(429);
  });

  it("an empty account serves an empty manifest; RetroArch's own manifest PUT is accepted and not trusted", async () => {
    const { user, dav, manifest } = await setup();
    expect(await manifest()).toEqual([]);
    // Reading the manifest is RetroArch's check-in: the dashboard shows when it last synced.
    const listed = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/devices', headers: { authorization: `Bearer ${user.token}` } }), 200);
    expect(listed.data.devices.find((d: { name: string }) => d.name === 'RetroArch PC')?.lastSyncAt).not.toBeNull();
    const put = await dav('PUT', 'manifest.server', { body: '[{"path":"saves/mGBA/Evil.srm","hash":"00"}]', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(put.statusCode).toBeLessThan(300);
    expect(await manifest()).toEqual([]);
  });

  it('a save RetroArch uploads becomes the save key; other devices see it; the manifest lists its MD5', async () => {
    const { user, handheld, dav, manifest } = await setup();
    const bytes = Buffer.alloc(8192, 7);
    expect((await dav('MKCOL', 'saves')).statusCode).toBe(201);
    expect((await dav('MKCOL', 'saves')).statusCode).toBe(405);
    expect((await dav('MKCOL', 'saves/gb')).statusCode).toBe(201);
    const put = await dav('PUT', 'saves/gb/Tetris.srm', { body: bytes, headers: { 'content-type': 'application/x-www-form-urlencoded', expect: '100-continue' } });
    expect(put.statusCode).toBe(201);
    const fromHandheld = await ctx.app.inject({ method: 'GET', url: saveUrl('gb/Tetris/battery'), headers: { 'x-api-key': handheld.apiKey } });
    expect(fromHandheld.statusCode).toBe(200);
    expect(fromHandheld.rawPayload.equals(bytes)).toBe(true);
    expect(await manifest()).toEqual([{ path: 'saves/gb/Tetris.srm', hash: md5(bytes) }]);
    const got = await dav('GET', 'saves/gb/Tetris.srm');
    expect(got.rawPayload.equals(bytes)).toBe(true);
    void user;
  });

  it("a handheld's save is listed where this RetroArch keeps it (learned layout) and served with the listed hash", async () => {
    const { handheld, dav, manifest } = await setup();
    await dav('PUT', 'saves/gb/Tetris.srm', { body: Buffer.alloc(8192, 1) });
    const pokemon = Buffer.alloc(131072, 9);
    expectJson(await upload(ctx, handheld.apiKey, 'gba/Pokemon Emerald/battery', pokemon), 200);
    const list = await manifest();
    const entry = list.find((e) => e.path === 'saves/gba/Pokemon Emerald.srm');
    expect(entry?.hash).toBe(md5(pokemon));
    const head = await dav('HEAD', 'saves/gba/Pokemon Emerald.srm');
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-length']).toBe(String(pokemon.length));
    expect(head.headers.etag).toBe(`"${md5(pokemon)}"`);
    const got = await dav('GET', 'saves/gba/Pokemon Emerald.srm');
    expect(got.statusCode).toBe(200);
    expect(md5(got.rawPayload)).toBe(entry?.hash);
  });

  it('a flat save that cannot be told apart is kept for this device only and reported', async () => {
    const { user, dav, manifest } = await setup();
    const put = await dav('PUT', 'saves/Tetris.srm', { body: Buffer.alloc(8192, 3) });
    expect(put.statusCode).toBe(201);
    const files = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/saves', headers: { authorization: `Bearer ${user.token}` } }), 200);
    expect(JSON.stringify(files.data)).not.toContain('Tetris');
    expect(await manifest()).toEqual([{ path: 'saves/Tetris.srm', hash: md5(Buffer.alloc(8192, 3)) }]);
    const logs = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/log', headers: { authorization: `Bearer ${user.token}` } }), 200);
    expect(JSON.stringify(logs.data)).toMatch(/Kept for this RetroArch only, not synced: cannot tell the system/);
  });

  it('config and other files are opaque per device: stored, listed for this RetroArch only', async () => {
    const { user, dav, manifest } = await setup();
    const other = await pairDevice(ctx, user.token, { deviceName: 'RetroArch Deck' });
    await dav('MKCOL', 'config');
    expect((await dav('PUT', 'config/retroarch.cfg', { body: 'video_fullscreen = "true"\n' })).statusCode).toBe(201);
    expect((await dav('PUT', 'config/retroarch.cfg', { body: 'video_fullscreen = "false"\n' })).statusCode).toBe(204);
    expect(await manifest()).toEqual([{ path: 'config/retroarch.cfg', hash: md5('video_fullscreen = "false"\n') }]);
    const theirs = await ctx.app.inject({ method: 'GET', url: '/dav/manifest.server', headers: basic(other.apiKey) });
    expect(JSON.parse(theirs.body)).toEqual([]);
    expect((await ctx.app.inject({ method: 'GET', url: '/dav/config/retroarch.cfg', headers: basic(other.apiKey) })).statusCode).toBe(404);
  });

  it('a deletion in RetroArch (MOVE to deleted/…) becomes a restorable deletion version; the manifest lists ""', async () => {
    const { user, dav, manifest } = await setup();
    const bytes = Buffer.alloc(8192, 5);
    await dav('PUT', 'saves/gb/Tetris.srm', { body: bytes });
    const move = await dav('MOVE', 'saves/gb/Tetris.srm', { headers: { destination: 'http://example.test/dav/deleted/saves/gb/Tetris.srm-260102-101500' } });
    expect(move.statusCode).toBe(201);
    expect(await manifest()).toEqual([{ path: 'saves/gb/Tetris.srm', hash: '' }]);
    const versions = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/versions/gb/Tetris/battery', headers: { authorization: `Bearer ${user.token}` } }), 200);
    expect(JSON.stringify(versions.data)).toContain('"deleted":true');
  });
});

describe.each(syncTargets())('/dav/ conflict convergence on %s', (target) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createSyncTestContext(target);
  });
  afterEach(async () => {
    await ctx?.close();
  });

  it('a listed hash RetroArch did not fetch (its own conflict) is left out once, so it uploads its copy; then the head', async () => {
    const user = await registerUser(ctx);
    const ra = await pairDevice(ctx, user.token, { deviceName: 'RetroArch' });
    const handheld = await pairDevice(ctx, user.token, { deviceName: 'Miyoo' });
    const dav = (method: string, path: string, body?: Buffer) =>
      ctx.app.inject({ method: method as 'GET', url: `/dav/${path}`, headers: basic(ra.apiKey), ...(body ? { payload: body } : {}) });
    const manifest = async () => JSON.parse((await dav('GET', 'manifest.server')).body) as Array<{ path: string; hash: string }>;
    const synced = Buffer.alloc(8192, 1);
    expect((await dav('PUT', 'saves/gb/Tetris.srm', synced)).statusCode).toBe(201);
    const theirs = Buffer.alloc(8192, 2);
    expectJson(await upload(ctx, handheld.apiKey, 'gb/Tetris/battery', theirs, { base: 1 }), 200);
    // RetroArch's own file changed too: it sees the head's hash, reports a conflict, fetches nothing.
    expect(await manifest()).toEqual([{ path: 'saves/gb/Tetris.srm', hash: md5(theirs) }]);
    // Next start: left out once (a conflict drops the path from RetroArch's manifest.local), so
    // RetroArch sees a file only it has and uploads it.
    expect(await manifest()).toEqual([]);
    const mine = Buffer.alloc(8192, 3);
    expect((await dav('PUT', 'saves/gb/Tetris.srm', mine)).statusCode).toBe(204);
    const versions = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/versions/gb/Tetris/battery', headers: { 'x-api-key': handheld.apiKey } }), 200);
    const shas = versions.data.versions.map((v: { sha256: string }) => v.sha256);
    expect(shas).toEqual(expect.arrayContaining([createHash('sha256').update(mine).digest('hex'), createHash('sha256').update(theirs).digest('hex')]));
    // Whichever won, the manifest now lists the head, and a GET serves exactly it.
    const head = (await manifest())[0];
    const got = await dav('GET', 'saves/gb/Tetris.srm');
    expect(md5(got.rawPayload)).toBe(head?.hash);
  });

  it('the blank SRAM hazard: a blank save RetroArch uploads over a real one is refused (kept as a version), reported, and the head comes back', async () => {
    const user = await registerUser(ctx);
    const ra = await pairDevice(ctx, user.token, { deviceName: 'RetroArch' });
    const dav = (method: string, path: string, body?: Buffer) =>
      ctx.app.inject({ method: method as 'GET', url: `/dav/${path}`, headers: basic(ra.apiKey), ...(body ? { payload: body } : {}) });
    const real = Buffer.alloc(8192, 0x42);
    expect((await dav('PUT', 'saves/gb/Tetris.srm', real)).statusCode).toBe(201);
    // Launched with content, RetroArch loaded a blank SRAM before its sync placed the save, and
    // wrote that blank back on quit: its next start uploads it over the synced save.
    const blank = Buffer.alloc(8192, 0);
    expect((await dav('PUT', 'saves/gb/Tetris.srm', blank)).statusCode).toBe(204);
    const head = await ctx.app.inject({ method: 'GET', url: saveUrl('gb/Tetris/battery'), headers: { 'x-api-key': ra.apiKey } });
    expect(head.rawPayload.equals(real)).toBe(true);
    const versions = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/versions/gb/Tetris/battery', headers: { 'x-api-key': ra.apiKey } }), 200);
    expect(versions.data.versions.map((v: { sha256: string }) => v.sha256)).toContain(createHash('sha256').update(blank).digest('hex'));
    // The manifest lists the real save again; RetroArch's file is unchanged since its upload, so it downloads it.
    const manifest = JSON.parse((await dav('GET', 'manifest.server')).body);
    expect(manifest).toEqual([{ path: 'saves/gb/Tetris.srm', hash: md5(real) }]);
    expect(md5((await dav('GET', 'saves/gb/Tetris.srm')).rawPayload)).toBe(md5(real));
    const logs = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/log', headers: { authorization: `Bearer ${user.token}` } }), 200);
    expect(JSON.stringify(logs.data)).toMatch(/blank_refused: kept as version 2/);
  });
});
