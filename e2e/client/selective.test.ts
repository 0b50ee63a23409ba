/**
 * Selective sync end to end: two desktop `retrosync` clients (a MinUI card and an Onion card) and
 * the shell client (an Onion Miyoo Mini under busybox) against one real server, for one player.
 * Filters are set the three ways a player sets them — `retrosync filter` on a PC, the dashboard's
 * API (the device page), the shell client's config file — and this proves:
 *   - a device never downloads a save its filters exclude;
 *   - a save excluded locally is never uploaded;
 *   - a changed filter applies at the device's next pass, without pairing again;
 *   - excluding deletes nothing: not on the server, not on the device, not on the others — and
 *     including again brings the save back, or sends the local copy (the conflict rule keeps both).
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceFilterRoutes, deviceRoutes, saveRoutes, syncSaveRoutes } from '@retrosync/api';
import { pairDevice, type Device, type User } from '../../clients/shell/test/devices.js';
import { makeClient, startServer, type Client, type RunningServer } from './harness.js';

const E = 'gba/Pokemon Emerald/battery';
const R = 'gba/Pokemon Ruby/battery';
const SMW = 'snes/Super Mario World/battery';
const METROID = 'snes/Super Metroid/battery';
const STATE = 'gba/Pokemon Emerald/state/gpSP/0';
const MINUI = 'mnt/SDCARD/Saves';
const ONION = 'mnt/SDCARD/Saves/CurrentProfile/saves';
const ONION_STATES = 'mnt/SDCARD/Saves/CurrentProfile/states';
const EVERYTHING = { systemMode: 'all', systems: [], includeGames: [], excludeGames: [], states: true } as const;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

let server: RunningServer;
let a: Client; // desktop, MinUI card
let b: Client; // desktop, Onion card
let s: Device; // shell client, Onion Miyoo Mini
const ids: Record<string, string> = {};

async function sync(c: Client) {
  const r = await c.cli('sync', '--json');
  expect([0, 1], r.stderr).toContain(r.status);
  return JSON.parse(r.stdout) as { ok: boolean; uploaded: string[]; downloaded: string[]; deleted: string[]; failed: unknown[] };
}
async function shellOnce() {
  const r = await s.once();
  expect(r.status, `${r.stdout}\n${r.stderr}\n${s.log().slice(-2000)}`).toBe(0);
  return r;
}
const saves = async () => (await server.user.call(saveRoutes.list, { query: { includeDeleted: true } })).saves;
const versions = async (key: string) => (await server.user.call(syncSaveRoutes.versions, { params: { '*': key } })).versions;
const setFilter = (device: string, filter: Record<string, unknown>) => server.user.call(deviceFilterRoutes.set, { body: { deviceId: ids[device]!, filter: { ...EVERYTHING, ...filter } as never } });
/** The shell client's config file with these selective-sync keys (others kept). */
function shellConfig(keys: Record<string, string>) {
  const file = join(s.home, 'config');
  const kept = readFileSync(file, 'utf8').split('\n').filter((l) => l && !/^RS_(SYNC|SKIP)_/.test(l));
  writeFileSync(file, `${[...kept, ...Object.entries(keys).map(([k, v]) => `${k}='${v}'`)].join('\n')}\n`);
}
const files = (dir: string) => (existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : []);

beforeAll(async () => {
  server = await startServer();
  a = makeClient('minui', [MINUI, 'mnt/SDCARD/.system']);
  a.write('mnt/SDCARD/.system/version.txt', 'MinUI-20250101-0\n');
  b = makeClient('onion', [ONION, ONION_STATES, 'mnt/SDCARD/.tmp_update/onionVersion']);
  b.write('mnt/SDCARD/.tmp_update/onionVersion/version.txt', '4.3.1');
  for (const c of [a, b]) {
    const r = await c.cli('pair', await server.pairingCode(), '--server', server.url, '--name', c.name, '--root', c.root, '--json');
    expect(r.status, r.stderr).toBe(0);
  }
  s = await pairDevice({ pairingCode: () => server.pairingCode() } as unknown as User, server.url, 'mini', {
    '/mnt/SDCARD/.tmp_update/onionVersion/version.txt': '4.3.1-1',
    [`/${ONION}/`]: '',
    [`/${ONION_STATES}/`]: '',
  });
  for (const d of (await server.user.call(deviceRoutes.list, { query: {} })).devices) ids[d.name] = d.id;
  expect(Object.keys(ids).sort()).toEqual(['mini', 'minui', 'onion']);
}, 90_000);

afterAll(async () => {
  await server?.close();
});

describe('selective sync with two desktop clients and the shell client', () => {
  it('excluded saves are never downloaded, and saves excluded locally are never uploaded', async () => {
    // B, on the command line: everything but SNES, no save states (its filter on the server).
    const set = await b.cli('filter', 'set', '--except', 'snes', '--states', 'off');
    expect(set.status, set.stderr).toBe(0);
    expect(set.stdout).toContain('This device (server):  all systems except snes; states off');
    // The shell client, in its config file: never Pokémon Ruby.
    shellConfig({ RS_SKIP_GAMES: 'gba/pokemon ruby' });

    a.write(`${MINUI}/GBA/Pokemon Emerald.gba.sav`, 'emerald-A');
    a.write(`${MINUI}/GBA/Pokemon Ruby.gba.sav`, 'ruby-A');
    a.write(`${MINUI}/SFC/Super Mario World.sfc.sav`, 'smw-A');
    b.write(`${ONION}/Snes9x/Super Metroid.srm`, 'metroid-B');
    b.write(`${ONION_STATES}/gpSP/Pokemon Emerald.state`, 'state-B');
    s.write(`/${ONION}/gpSP/Pokemon Ruby.srm`, 'ruby-S');
    s.write(`/${ONION_STATES}/gpSP/Pokemon Emerald.state`, 'state-S');

    expect((await sync(a)).uploaded.sort()).toEqual([E, R, SMW].sort());
    const rb = await sync(b);
    expect(rb).toMatchObject({ ok: true, uploaded: [], failed: [] });
    expect(rb.downloaded.sort()).toEqual([E, R].sort());
    await shellOnce();

    // B: no SNES save and no state came down; its own SNES save and state never went up.
    expect(b.read(`${ONION}/gpSP/Pokemon Emerald.srm`)).toBe('emerald-A');
    expect(files(b.path(ONION)).filter((f) => /Mario/.test(f))).toEqual([]);
    expect(b.read(`${ONION_STATES}/gpSP/Pokemon Emerald.state`)).toBe('state-B');
    // S: Emerald and Mario World came down, Ruby did not (its own Ruby stays as it was, not uploaded).
    expect(s.read(`/${ONION}/gpSP/Pokemon Emerald.srm`)).toBe('emerald-A');
    expect(files(s.file(`/${ONION}`)).filter((f) => /Super Mario World/.test(f))).toHaveLength(1);
    expect(s.read(`/${ONION}/gpSP/Pokemon Ruby.srm`)).toBe('ruby-S');

    const onServer = await saves();
    expect(onServer.map((x) => x.key).sort()).toEqual([E, R, STATE, SMW].sort());
    expect((await versions(R)).map((v) => v.sha256)).toEqual([sha('ruby-A')]);
    expect((await versions(STATE)).map((v) => v.sha256)).toEqual([sha('state-S')]);

    // Both desktop commands say what is in force.
    const status = await b.cli('status');
    expect(status.stdout).toMatch(/filter +this device: all systems except snes; states off \(2 save\(s\) here excluded, left alone\)/);
    const test = await b.cli('filter', 'test', METROID);
    expect(test.status).toBe(1);
    expect(test.stdout).toContain("excluded by this device's filter on the server");

    // A local filter on A (config.json), next to its (empty) filter on the server.
    const local = await a.cli('filter', 'set', '--local', '--exclude', 'snes/Super Mario World');
    expect(local.status, local.stderr).toBe(0);
    expect(local.stdout).toContain('Local (config.json):   all systems; never snes/Super Mario World; states on');
    expect(JSON.parse(readFileSync(join(a.home, 'config.json'), 'utf8')).filter).toMatchObject({ excludeGames: ['snes/Super Mario World'] });
    const t2 = await a.cli('filter', 'test', SMW, '--json');
    expect(JSON.parse(t2.stdout)).toEqual({ key: SMW, syncs: false, server: true, local: false });
    a.write(`${MINUI}/SFC/Super Mario World.sfc.sav`, 'smw-A-edited');
    expect((await sync(a)).uploaded).toEqual([]);
    expect((await versions(SMW)).map((v) => v.sha256)).toEqual([sha('smw-A')]);
    expect((await a.cli('filter', 'reset', '--local')).status).toBe(0);
    expect((await sync(a)).uploaded).toEqual([SMW]); // included again: the edit made meanwhile goes up
  });

  it('a changed filter applies at the next pass, without pairing again; local copies go up normally', async () => {
    // The dashboard widens B's filter; the shell client's config drops its exclusion.
    const view = await setFilter('onion', {});
    expect(view).toMatchObject({ updatedBy: 'user', summary: 'everything' });
    shellConfig({});

    const rb = await sync(b);
    expect(rb.failed).toEqual([]);
    expect(rb.downloaded).toContain(SMW);
    expect(rb.uploaded).toEqual(expect.arrayContaining([METROID, STATE]));
    expect(files(b.path(ONION)).filter((f) => /Super Mario World/.test(f))).toHaveLength(1);
    await shellOnce();

    // B's own state met S's: both are kept (one is the head, the other a conflict version).
    expect((await versions(STATE)).map((v) => v.sha256).sort()).toEqual([sha('state-B'), sha('state-S')].sort());
    // S's Ruby, never synced, went up now: both copies kept by the conflict rule.
    expect((await versions(R)).map((v) => v.sha256).sort()).toEqual([sha('ruby-A'), sha('ruby-S')].sort());
    expect((await saves()).map((x) => x.key)).toContain(METROID);
  });

  it('excluding deletes nothing anywhere; including again brings the save back', async () => {
    const before = await versions(E);
    // The dashboard excludes Emerald on A; the player then deletes it from A's card.
    await setFilter('minui', { excludeGames: ['gba/Pokemon Emerald'] });
    rmSync(a.path(`${MINUI}/GBA/Pokemon Emerald.gba.sav`));
    const ra = await sync(a);
    expect(ra).toMatchObject({ deleted: [], failed: [] });
    // The shell client now syncs only SNES: its GBA saves stay on its card and on the server —
    // and removing one from its card while excluded is not a deletion either.
    shellConfig({ RS_SYNC_SYSTEMS: 'snes' });
    await shellOnce();
    expect(s.read(`/${ONION}/gpSP/Pokemon Emerald.srm`)).toBe('emerald-A');
    rmSync(s.file(`/${ONION}/gpSP/Pokemon Emerald.srm`));
    await shellOnce();
    expect(s.log()).toContain('gba/Pokemon%20Emerald/battery is excluded by the sync filter: left alone');
    await sync(b);

    expect(await versions(E), JSON.stringify(await versions(E))).toEqual(before); // no deletion version, nothing new
    expect((await saves()).find((x) => x.key === E)).toMatchObject({ deleted: false });
    expect(s.read(`/${ONION}/gpSP/Pokemon Ruby.srm`)).toBeTruthy();
    expect(b.read(`${ONION}/gpSP/Pokemon Emerald.srm`)).toBe('emerald-A');

    // Included again: A fetches the save it removed while excluded (never read as a deletion).
    await setFilter('minui', {});
    const back = await sync(a);
    expect(back).toMatchObject({ deleted: [], failed: [] });
    expect(back.downloaded).toContain(E);
    expect(a.read(`${MINUI}/GBA/Pokemon Emerald.gba.sav`)).toBe('emerald-A');
    shellConfig({});
    await shellOnce();
    expect(s.read(`/${ONION}/gpSP/Pokemon Emerald.srm`)).toBe('emerald-A'); // fetched back
    expect(await versions(E)).toEqual(before);
    for (const x of await saves()) expect(x.deleted, x.key).toBe(false);
  });
});
