/**
 * Selective sync in the desktop engine: this device's filter on the server AND its local filter
 * decide which saves it syncs; an excluded save is never uploaded, downloaded or deleted, and
 * including it again brings it back (or sends the local copy) without reading a missing file as
 * a deletion.
 */
import { SYNC_EVERYTHING, type SyncFilter } from '@retrosync/core';
import { describe, expect, it } from 'vitest';
import { syncPass } from './engine.js';
import { FakeServer } from './test-support/fake-remote.js';
import { testDevice } from './test-support/device.js';

const DIRS = ['mnt/SDCARD/Saves', 'mnt/SDCARD/.userdata/shared'];
const GBA = 'mnt/SDCARD/Saves/GBA/Emerald.gba.sav';
const MD = 'mnt/SDCARD/Saves/MD/Sonic.md.sav';
const STATE = 'mnt/SDCARD/.userdata/shared/GBA-gpsp/Emerald.gba.st1';
const K = { gba: 'gba/Emerald/battery', md: 'genesis/Sonic/battery', state: 'gba/Emerald/state/minarch-gpsp/1' };
const T = Date.parse('2026-11-01T10:00:00Z');
const filter = (f: Partial<SyncFilter>): SyncFilter => ({ ...SYNC_EVERYTHING, systems: [], includeGames: [], excludeGames: [], ...f });

function setup() {
  const server = new FakeServer();
  const a = testDevice('minui', server.client('A'), DIRS);
  const b = testDevice('minui', server.client('B'), DIRS);
  return { server, a, b };
}

async function seed(s: ReturnType<typeof setup>) {
  s.a.write(GBA, 'gba-1', T);
  s.a.write(MD, 'md-1', T);
  s.a.write(STATE, 'state-1', T);
  expect((await syncPass(s.a.deps)).uploaded.sort()).toEqual([K.gba, K.state, K.md].sort());
}

describe('selective sync (desktop engine)', () => {
  it("never downloads what the server's filter excludes, never uploads what it excludes locally", async () => {
    const s = setup();
    await seed(s);
    s.server.setFilter('B', filter({ systemMode: 'only', systems: ['gba'] }));
    s.b.deps.localFilter = filter({ states: false });
    s.b.write('mnt/SDCARD/Saves/MD/Streets.md.sav', 'b-only', T);
    s.b.write('mnt/SDCARD/.userdata/shared/GBA-gpsp/Emerald.gba.st2', 'b-state', T);
    const r = await syncPass(s.b.deps);
    expect(r.downloaded).toEqual([K.gba]);
    expect(r.uploaded).toEqual([]);
    expect(r.failed).toEqual([]);
    expect(s.b.read(MD)).toBeNull();
    expect(s.b.read(STATE)).toBeNull();
    expect(s.server.downloads).toBe(1);
    expect(s.server.uploads.filter((u) => u.deviceId === 'B')).toEqual([]);
    expect(s.b.read('mnt/SDCARD/Saves/MD/Streets.md.sav')).toBe('b-only'); // left alone
  });

  it('excluding deletes nothing; including again catches up: newer heads come down, a file removed meanwhile is fetched back', async () => {
    const s = setup();
    await seed(s);
    expect((await syncPass(s.b.deps)).downloaded.sort()).toEqual([K.gba, K.state, K.md].sort());

    s.server.setFilter('B', filter({ systemMode: 'except', systems: ['gba', 'genesis'] }));
    // While excluded: B removes its Sonic save, A changes Emerald. Nothing of it crosses.
    s.b.write(GBA, 'gba-1', T); // unchanged bytes
    const { rmSync } = await import('node:fs');
    rmSync(s.b.host(MD));
    s.a.write(GBA, 'gba-2', T + 60_000);
    await syncPass(s.a.deps);
    const quiet = await syncPass(s.b.deps);
    expect(quiet).toMatchObject({ uploaded: [], downloaded: [], deleted: [], failed: [], held: null });
    expect(s.b.read(GBA)).toBe('gba-1');
    expect(s.server.head(K.md)).toMatchObject({ deleted: false, version: 1 }); // not read as a deletion
    expect(s.server.uploads.filter((u) => u.deleted)).toEqual([]);

    s.server.setFilter('B', filter({}));
    const back = await syncPass(s.b.deps);
    expect(back.downloaded.sort()).toEqual([K.gba, K.md].sort());
    expect(back.deleted).toEqual([]);
    expect(s.b.read(GBA)).toBe('gba-2');
    expect(s.b.read(MD)).toBe('md-1');
  });

  it('a local edit made while excluded goes up once the save is included again (the conflict rule keeps both)', async () => {
    const s = setup();
    await seed(s);
    await syncPass(s.b.deps);
    s.b.deps.localFilter = filter({ excludeGames: ['gba/emerald'] });
    s.b.write(GBA, 'gba-b-edit', T + 120_000);
    expect((await syncPass(s.b.deps)).uploaded).toEqual([]);
    expect(s.server.head(K.gba)?.version).toBe(1);
    s.b.deps.localFilter = null;
    const r = await syncPass(s.b.deps);
    expect(r.uploaded).toContain(K.gba);
    expect(s.server.head(K.gba)).toMatchObject({ version: 2, deviceId: 'B' });
  });

  it("a widened local filter reads the feed from its start, so saves it now includes arrive without re-pairing", async () => {
    const s = setup();
    await seed(s);
    s.b.deps.localFilter = filter({ systemMode: 'only', systems: ['genesis'] });
    expect((await syncPass(s.b.deps)).downloaded).toEqual([K.md]);
    expect((await syncPass(s.b.deps)).downloaded).toEqual([]);
    s.b.deps.localFilter = filter({ systemMode: 'only', systems: ['genesis', 'gba'], states: false });
    const r = await syncPass(s.b.deps);
    expect(r.downloaded).toEqual([K.gba]);
    expect(s.b.read(STATE)).toBeNull();
  });

  it('an upload the server refuses because the filter changed meanwhile is left alone, not a failure', async () => {
    const s = setup();
    await seed(s);
    await syncPass(s.b.deps);
    s.b.write(GBA, 'gba-b', T + 60_000);
    // The filter changes after B read the feed: the fake server applies it at once to transfers.
    const listFiles = s.b.deps.remote.listFiles.bind(s.b.deps.remote);
    s.b.deps.remote = { ...s.b.deps.remote, listFiles: async (o) => {
      const page = await listFiles(o);
      s.server.setFilter('B', filter({ systemMode: 'except', systems: ['gba'] }));
      return page;
    } };
    const r = await syncPass(s.b.deps);
    expect(r.failed).toEqual([]);
    expect(r.uploaded).toEqual([]);
    expect(s.server.head(K.gba)?.version).toBe(1);
    expect(s.b.read(GBA)).toBe('gba-b');
    expect(s.b.deps.state.get(K.gba)?.excluded).toBe(true);
  });
});
