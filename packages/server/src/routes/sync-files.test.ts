import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceHeaders, expectJson, pairDevice, userWithDevice, type TestContext } from '../test-support/index.js';
import { createSyncTestContext, sha256, syncTargets, upload } from '../sync/test-support/sync-context.js';

describe.each(syncTargets())('change feed on %s', (target) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createSyncTestContext(target);
  });
  afterEach(async () => {
    await ctx?.close();
  });

  const files = async (apiKey: string, query = '') =>
    expectJson(await ctx.app.inject({ method: 'GET', url: `/api/sync/files${query}`, headers: deviceHeaders(apiKey) }), 200).data;

  it('lists heads, then only what changed after a cursor; filters by emulator and game', async () => {
    const u = await userWithDevice(ctx);
    const k = u.device.apiKey;
    expectJson(await upload(ctx, k, 'gba/Pokémon Emerald/battery', 'a'), 200);
    expectJson(await upload(ctx, k, 'snes/Chrono Trigger/battery', 'b'), 200);
    const all = await files(k);
    expect(all.count).toBe(2);
    expect(all.files.map((f: any) => f.key).sort()).toEqual(['gba/Pokémon Emerald/battery', 'snes/Chrono Trigger/battery']);
    expect(await files(k, `?since=${all.cursor}`)).toEqual({ files: [], count: 0, cursor: all.cursor });

    expectJson(await upload(ctx, k, 'gba/Pokémon Emerald/battery', 'a2', { base: 1 }), 200);
    const changed = await files(k, `?since=${all.cursor}`);
    expect(changed.files).toMatchObject([{ key: 'gba/Pokémon Emerald/battery', version: 2, sha256: sha256('a2') }]);
    expect(changed.cursor).toBeGreaterThan(all.cursor);

    expect((await files(k, '?emulator=snes')).files.map((f: any) => f.key)).toEqual(['snes/Chrono Trigger/battery']);
    expect((await files(k, '?game=POKÉMON')).files.map((f: any) => f.key)).toEqual(['gba/Pokémon Emerald/battery']);
  });

  it('answers TSV for busybox clients: header, one line per file, cursor trailer', async () => {
    const u = await userWithDevice(ctx);
    expectJson(await upload(ctx, u.device.apiKey, 'gba/Pokémon Emerald/battery', 'tsv', { mtime: 1_700_000_000_000, clientTime: Date.UTC(2026, 0, 1) }), 200);
    for (const req of [
      { url: '/api/sync/files?format=tsv', headers: deviceHeaders(u.device.apiKey) },
      { url: '/api/sync/files', headers: { ...deviceHeaders(u.device.apiKey), accept: 'text/tab-separated-values' } },
    ]) {
      const res = await ctx.app.inject({ method: 'GET', ...req });
      expect(res.headers['content-type']).toMatch(/^text\/tab-separated-values/);
      const lines = res.body.trimEnd().split('\n');
      expect(lines[0]).toBe('key\tversion\tsha256\tsize\tdeleted\tcorrectedMtime\tfileMtime\tdeviceId\tcursor');
      const cols = lines[1]!.split('\t');
      expect(cols).toEqual(['gba/Pok%C3%A9mon%20Emerald/battery', '1', sha256('tsv'), '3', 'false', '1700000000000', '1700000000000', u.device.device.id, '1']);
      expect(lines[2]).toBe('#cursor\t1');
      expect(lines).toHaveLength(3);
    }
  });

  it('a long poll returns within 100 ms of a change made by another device', async () => {
    const u = await userWithDevice(ctx);
    const other = await pairDevice(ctx, u.token, { deviceName: 'other' });
    const start = await files(u.device.apiKey, '?since=0');
    const t0 = performance.now();
    const poll = ctx.app.inject({ method: 'GET', url: `/api/sync/files?since=${start.cursor}&wait=30`, headers: deviceHeaders(u.device.apiKey) });
    await new Promise((r) => setTimeout(r, 300));
    let changedAt = 0;
    await upload(ctx, other.apiKey, 'gba/Game/battery', 'wake').then(() => (changedAt = performance.now()));
    const res = expectJson(await poll, 200).data;
    const woke = performance.now();
    expect(res.files).toMatchObject([{ key: 'gba/Game/battery', version: 1 }]);
    expect(changedAt - t0).toBeGreaterThanOrEqual(290); // it really waited
    expect(woke - changedAt).toBeLessThan(100);
  });

  it('many long polls on the same cursor all wake on one change (they share one feed read)', async () => {
    const u = await userWithDevice(ctx);
    const other = await pairDevice(ctx, u.token, { deviceName: 'other' });
    const polls = Array.from({ length: 50 }, () => ctx.app.inject({ method: 'GET', url: '/api/sync/files?since=0&wait=20', headers: deviceHeaders(u.device.apiKey) }));
    await new Promise((r) => setTimeout(r, 300));
    expect(ctx.app.deps.sync.events.subscriberCount()).toBeGreaterThanOrEqual(1);
    const sent = performance.now();
    expectJson(await upload(ctx, other.apiKey, 'gba/Fan Out/battery', 'x'), 200);
    const pages = await Promise.all(polls.map(async (p) => expectJson(await p, 200).data));
    expect(performance.now() - sent).toBeLessThan(2000);
    for (const page of pages) expect(page.files.map((f: { key: string }) => f.key)).toEqual(['gba/Fan Out/battery']);
    // A second change right after: every re-poll from the new cursor sees it (no stale shared read).
    const cursor = pages[0].cursor;
    const again = Array.from({ length: 20 }, () => ctx.app.inject({ method: 'GET', url: `/api/sync/files?since=${cursor}&wait=20`, headers: deviceHeaders(u.device.apiKey) }));
    expectJson(await upload(ctx, other.apiKey, 'gba/Fan Out/battery', 'y', { base: 1 }), 200);
    for (const p of again) expect(expectJson(await p, 200).data.files).toMatchObject([{ version: 2 }]);
  });

  it('a long poll with nothing new returns at its deadline with the same cursor', async () => {
    const u = await userWithDevice(ctx);
    const t0 = performance.now();
    const res = await files(u.device.apiKey, '?since=0&wait=0.3');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(280);
    expect(res).toEqual({ files: [], count: 0, cursor: 0 });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/sync/files?since=0&wait=61', headers: deviceHeaders(u.device.apiKey) })).statusCode).toBe(400);
  });
});
