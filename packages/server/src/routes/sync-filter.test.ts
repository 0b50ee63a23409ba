/**
 * Selective sync on the server: a device's filter set from the dashboard or by the device, and
 * what it changes — the feed, its long poll, the event stream, uploads, deletions and downloads
 * of that device — and what it never does: delete or hide a save from anyone else.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, deviceHeaders, expectJson, pairDevice, userWithDevice, registerUser, type TestContext } from '../test-support/index.js';
import { createSyncTestContext, remove, saveUrl, syncTargets, upload } from '../sync/test-support/sync-context.js';

const ONLY_GBA = { systemMode: 'only', systems: ['gba'], includeGames: [], excludeGames: [], states: true };
const EVERYTHING = { systemMode: 'all', systems: [], includeGames: [], excludeGames: [], states: true };

describe.each(syncTargets())('selective sync on %s', (target) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createSyncTestContext(target);
  });
  afterEach(async () => {
    await ctx?.close();
  });

  const setFilter = async (token: string, deviceId: string, filter: unknown) =>
    ctx.app.inject({ method: 'PUT', url: '/api/devices/filter', headers: bearer(token), payload: { deviceId, filter } });
  const files = async (apiKey: string, query = '') => {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/sync/files${query}`, headers: deviceHeaders(apiKey) });
    return { ...expectJson(res, 200).data, revision: res.headers['x-filter-revision'] };
  };
  const keys = (page: { files: { key: string }[] }) => page.files.map((f) => f.key).sort();

  /** A user with a handheld (`hh`) and a PC that uploads saves of three systems. */
  async function setup() {
    const u = await userWithDevice(ctx);
    const pc = await pairDevice(ctx, u.token, { deviceName: 'PC' });
    for (const [key, bytes] of [['gba/Emerald/battery', 'e1'], ['snes/Chrono/battery', 'c1'], ['gba/Emerald/state/mGBA/1', 's1']]) {
      expectJson(await upload(ctx, pc.apiKey, key!, bytes!), 200);
    }
    return { u, hh: u.device, pc };
  }

  it('the dashboard sets a device filter; the device reads it (JSON and TSV); bad filters name the field', async () => {
    const { u, hh } = await setup();
    const fresh = expectJson(await ctx.app.inject({ method: 'GET', url: `/api/devices/filter?deviceId=${hh.device.id}`, headers: bearer(u.token) }), 200).data;
    expect(fresh).toMatchObject({ filter: EVERYTHING, revision: 0, updatedBy: null, summary: 'everything' });
    expect(fresh.knownSystems).toEqual(expect.arrayContaining(['gba', 'snes', 'ps1']));

    const set = expectJson(await setFilter(u.token, hh.device.id, { ...ONLY_GBA, systems: ['GBA', 'snes'], excludeGames: ['gba/Pokémon  Ruby'], states: false }), 200).data;
    expect(set).toMatchObject({ filter: { systemMode: 'only', systems: ['gba', 'snes'], excludeGames: ['gba/Pokémon  Ruby'], states: false }, updatedBy: 'user', summary: 'only gba, snes; never gba/Pokémon  Ruby; states off' });
    expect(set.revision).toBeGreaterThan(0);

    const own = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/filter', headers: deviceHeaders(hh.apiKey) }), 200).data;
    expect(own).toEqual(set);
    const tsv = await ctx.app.inject({ method: 'GET', url: '/api/sync/filter?format=tsv', headers: deviceHeaders(hh.apiKey) });
    expect(tsv.headers['content-type']).toMatch(/^text\/tab-separated-values/);
    expect(tsv.body).toBe(`system_mode\tonly\nstates\tfalse\nsystem\tgba\nsystem\tsnes\nexclude_game\tgba/Pok%C3%A9mon%20%20Ruby\nrevision\t${set.revision}\n`);

    const bad = await setFilter(u.token, hh.device.id, { ...ONLY_GBA, systems: ['Game Boy'] });
    expect(expectJson(bad, 400)).toMatchObject({ code: 'validation_failed', details: { fields: [{ in: 'body', field: 'filter.systems[0]' }] } });
    const both = await setFilter(u.token, hh.device.id, { ...EVERYTHING, includeGames: ['gba/Tetris'], excludeGames: ['gba/TETRIS'] });
    expect(expectJson(both, 400).details.fields[0].field).toBe('filter.includeGames');
    const noSlash = await ctx.app.inject({ method: 'PUT', url: '/api/sync/filter', headers: deviceHeaders(hh.apiKey), payload: { ...EVERYTHING, excludeGames: ['Tetris'] } });
    expect(expectJson(noSlash, 400).details.fields[0].field).toBe('excludeGames[0]');
    expect((await ctx.app.inject({ method: 'PUT', url: '/api/sync/filter', headers: deviceHeaders(hh.apiKey), payload: { systemMode: 'all' } })).statusCode).toBe(400);
    // Nothing was stored by the refused requests.
    expect(expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/filter', headers: deviceHeaders(hh.apiKey) }), 200).data.revision).toBe(set.revision);

    // The device sets its own (retrosync filter): the dashboard sees who set it.
    const byDevice = expectJson(await ctx.app.inject({ method: 'PUT', url: '/api/sync/filter', headers: deviceHeaders(hh.apiKey), payload: EVERYTHING }), 200).data;
    expect(byDevice).toMatchObject({ updatedBy: 'device', summary: 'everything' });
    expect(byDevice.revision).toBeGreaterThan(set.revision);
  });

  it("scoped by owner: another user's device is 403, an unknown or removed one 404", async () => {
    const { hh } = await setup();
    const other = await registerUser(ctx, { email: 'other@example.com' });
    expect(expectJson(await setFilter(other.token, hh.device.id, ONLY_GBA), 403).code).toBe('forbidden');
    expect((await ctx.app.inject({ method: 'GET', url: `/api/devices/filter?deviceId=${hh.device.id}`, headers: bearer(other.token) })).statusCode).toBe(403);
    expect(expectJson(await setFilter(other.token, 'nope', ONLY_GBA), 404).code).toBe('not_found');
  });

  it('the feed lists only what the filter includes; a changed filter applies at the next read, old cursor and all', async () => {
    const { u, hh, pc } = await setup();
    const before = await files(hh.apiKey, '?since=0');
    expect(keys(before)).toEqual(['gba/Emerald/battery', 'gba/Emerald/state/mGBA/1', 'snes/Chrono/battery']);

    const r1 = expectJson(await setFilter(u.token, hh.device.id, { ...ONLY_GBA, states: false }), 200).data.revision;
    // The next read with the old cursor: everything the new filter includes (a full read), nothing else.
    const reset = await files(hh.apiKey, `?since=${before.cursor}`);
    expect(keys(reset)).toEqual(['gba/Emerald/battery']);
    expect(reset.cursor).toBeGreaterThanOrEqual(r1);
    expect(reset.revision).toBe(String(r1));
    expect(reset.filter).toMatchObject({ revision: r1, filter: { systemMode: 'only', states: false } });
    expect((await files(hh.apiKey, `?since=${reset.cursor}`)).files).toEqual([]); // no endless reset
    expect(keys(await files(hh.apiKey))).toEqual(['gba/Emerald/battery']);
    const tsv = await ctx.app.inject({ method: 'GET', url: '/api/sync/files?format=tsv', headers: deviceHeaders(hh.apiKey) });
    expect(tsv.headers['x-filter-revision']).toBe(String(r1));
    expect(tsv.body.split('\n').filter((l) => l && !l.startsWith('key\t') && !l.startsWith('#')).map((l) => l.split('\t')[0])).toEqual(['gba/Emerald/battery']);

    // Changes to excluded saves are never listed; included ones are.
    expectJson(await upload(ctx, pc.apiKey, 'snes/Chrono/battery', 'c2', { base: 1 }), 200);
    expectJson(await upload(ctx, pc.apiKey, 'gba/Emerald/battery', 'e2', { base: 1 }), 200);
    const next = await files(hh.apiKey, `?since=${reset.cursor}`);
    expect(next.files).toMatchObject([{ key: 'gba/Emerald/battery', version: 2 }]);

    // Deleted while excluded, then included again: the re-read brings the deletion (so a device
    // that still has a copy moves it to its backups) and the other save's new head.
    expectJson(await remove(ctx, pc.apiKey, 'snes/Chrono/battery', { base: 2 }), 200);
    expectJson(await upload(ctx, pc.apiKey, 'gba/Emerald/state/mGBA/1', 's2', { base: 1 }), 200);
    const r2 = expectJson(await setFilter(u.token, hh.device.id, EVERYTHING), 200).data.revision;
    const back = await files(hh.apiKey, `?since=${next.cursor}`);
    expect(back.files.map((f: any) => [f.key, f.version, f.deleted]).sort()).toEqual([
      ['gba/Emerald/battery', 2, false],
      ['gba/Emerald/state/mGBA/1', 2, false],
      ['snes/Chrono/battery', 3, true],
    ]);
    expect(back.cursor).toBeGreaterThanOrEqual(r2);
  });

  it('a device never uploads, deletes or downloads a save it excludes (409 save_excluded); nothing is stored or removed', async () => {
    const { u, hh, pc } = await setup();
    expectJson(await setFilter(u.token, hh.device.id, { ...ONLY_GBA, states: false }), 200);
    const up = await upload(ctx, hh.apiKey, 'snes/Chrono/battery', 'from the handheld', { base: 1 });
    expect(expectJson(up, 409)).toMatchObject({ code: 'save_excluded', details: { key: 'snes/Chrono/battery' } });
    expect(expectJson(await upload(ctx, hh.apiKey, 'gba/Emerald/state/mGBA/1', 'state', { base: 1 }), 409).code).toBe('save_excluded');
    expect(expectJson(await remove(ctx, hh.apiKey, 'snes/Chrono/battery', { base: 1 }), 409).code).toBe('save_excluded');
    const dl = await ctx.app.inject({ method: 'GET', url: saveUrl('snes/Chrono/battery'), headers: deviceHeaders(hh.apiKey) });
    expect(expectJson(dl, 409).code).toBe('save_excluded');
    // Included saves still go both ways.
    expectJson(await upload(ctx, hh.apiKey, 'gba/Emerald/battery', 'e2', { base: 1 }), 200);
    expect((await ctx.app.inject({ method: 'GET', url: saveUrl('gba/Emerald/battery'), headers: deviceHeaders(hh.apiKey) })).body).toBe('e2');

    // Excluding is not deleting: the save, its versions, and the other devices' view are untouched.
    const versions = expectJson(await ctx.app.inject({ method: 'GET', url: `/api/sync/versions/snes/Chrono/battery`, headers: bearer(u.token) }), 200).data;
    expect(versions.versions).toHaveLength(1);
    expect(keys(await files(pc.apiKey))).toEqual(['gba/Emerald/battery', 'gba/Emerald/state/mGBA/1', 'snes/Chrono/battery']);
    expect((await ctx.app.inject({ method: 'GET', url: saveUrl('snes/Chrono/battery'), headers: bearer(u.token) })).body).toBe('c1');
    const saves = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/saves', headers: bearer(u.token) }), 200).data;
    expect(saves.count).toBe(3);
  });

  it('a long poll is not woken by excluded changes, and is woken by a filter change with what it now includes', async () => {
    const { u, hh, pc } = await setup();
    expectJson(await setFilter(u.token, hh.device.id, ONLY_GBA), 200);
    const start = await files(hh.apiKey, '?since=0');
    const poll = ctx.app.inject({ method: 'GET', url: `/api/sync/files?since=${start.cursor}&wait=1.5`, headers: deviceHeaders(hh.apiKey) });
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    expectJson(await upload(ctx, pc.apiKey, 'snes/Chrono/battery', 'c2', { base: 1 }), 200);
    const quiet = expectJson(await poll, 200).data;
    expect(quiet.files).toEqual([]);
    expect(performance.now() - t0).toBeGreaterThan(1000); // held to its deadline: the excluded change did not wake it

    const poll2 = ctx.app.inject({ method: 'GET', url: `/api/sync/files?since=${quiet.cursor}&wait=20`, headers: deviceHeaders(hh.apiKey) });
    await new Promise((r) => setTimeout(r, 200));
    const t1 = performance.now();
    expectJson(await setFilter(u.token, hh.device.id, EVERYTHING), 200);
    const woke = expectJson(await poll2, 200).data;
    expect(performance.now() - t1).toBeLessThan(2000);
    expect(keys(woke)).toEqual(['gba/Emerald/battery', 'gba/Emerald/state/mGBA/1', 'snes/Chrono/battery']);
  });

  it("the device's event stream leaves excluded saves out and says resync when its filter changes", async () => {
    const { u, hh, pc } = await setup();
    expectJson(await setFilter(u.token, hh.device.id, ONLY_GBA), 200);
    const base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const abort = new AbortController();
    const res = await fetch(`${base}/api/sync/events`, { headers: deviceHeaders(hh.apiKey), signal: abort.signal });
    const reader = res.body!.getReader();
    let text = '';
    const until = async (what: string) => {
      const deadline = Date.now() + 5000;
      while (!text.includes(what)) {
        if (Date.now() > deadline) throw new Error(`no ${what} in ${text}`);
        const { value } = await reader.read();
        text += new TextDecoder().decode(value);
      }
    };
    await until('event: hello');
    expectJson(await upload(ctx, pc.apiKey, 'snes/Chrono/battery', 'c2', { base: 1 }), 200);
    expectJson(await upload(ctx, pc.apiKey, 'gba/Emerald/battery', 'e2', { base: 1 }), 200);
    await until('"key":"gba/Emerald/battery"');
    expect(text).not.toContain('snes/Chrono');
    expectJson(await setFilter(u.token, hh.device.id, EVERYTHING), 200);
    await until('event: resync');
    expectJson(await upload(ctx, pc.apiKey, 'snes/Chrono/battery', 'c3', { base: 2 }), 200);
    await until('"key":"snes/Chrono/battery"');
    abort.abort();
  });
});
