import { readFileSync } from 'node:fs';
import { ApiError } from '@retrosync/api';
import { describe, expect, it } from 'vitest';
import { syncPass } from './engine.js';
import { FakeServer } from './test-support/fake-remote.js';
import { testDevice } from './test-support/device.js';

const KEY = 'gba/Pokemon Emerald/battery';
const ONION_SAVES = 'mnt/SDCARD/Saves/CurrentProfile/saves';
const ONION_FILE = `${ONION_SAVES}/gpSP/Pokemon Emerald.sav`;
const MINUI_SAVES = 'mnt/SDCARD/Saves';
const MINUI_FILE = `${MINUI_SAVES}/GBA/Pokemon Emerald.gba.sav`;
const T = Date.parse('2026-11-01T10:00:00Z');

function pair() {
  const server = new FakeServer();
  const a = testDevice('onion', server.client('A'), [ONION_SAVES]);
  const b = testDevice('minui', server.client('B'), [MINUI_SAVES]);
  return { server, a, b };
}

describe('sync pass', () => {
  it('uploads a new save once; an unchanged rescan hashes and sends nothing', async () => {
    const { server, a } = pair();
    a.write(ONION_FILE, 'progress-1', T);
    const first = await syncPass(a.deps);
    expect(first.uploaded).toEqual([KEY]);
    expect(first.hashed).toBe(1);
    expect(server.uploads).toEqual([{ key: KEY, baseVersion: null, fileMtimeMs: T, deviceId: 'A' }]);
    const second = await syncPass(a.deps);
    expect(second).toMatchObject({ uploaded: [], downloaded: [], hashed: 0, scanned: 1 });
    expect(server.uploads).toHaveLength(1);
  });

  it('uploads an edit on the version it last synced', async () => {
    const { server, a } = pair();
    a.write(ONION_FILE, 'progress-1', T);
    await syncPass(a.deps);
    a.write(ONION_FILE, 'progress-2', T + 60_000);
    await syncPass(a.deps);
    expect(server.uploads.map((u) => u.baseVersion)).toEqual([null, 1]);
    expect(server.head(KEY)?.version).toBe(2);
  });

  it('places a save from another platform at the mapped path, and a later edit over the unchanged file', async () => {
    const { a, b } = pair();
    a.write(ONION_FILE, 'progress-1', T);
    await syncPass(a.deps);
    expect((await syncPass(b.deps)).downloaded).toEqual([KEY]);
    expect(b.read(MINUI_FILE)).toBe('progress-1');
    a.write(ONION_FILE, 'progress-2', T + 60_000);
    await syncPass(a.deps);
    await syncPass(b.deps);
    expect(b.read(MINUI_FILE)).toBe('progress-2');
    const backups = await b.deps.backups.list();
    expect(backups.map((x) => readFileSync(x.file, 'utf8'))).toEqual(['progress-1']);
  });

  it('never downloads over a local edit: it uploads, loses by time, keeps the bytes in backups and takes the head', async () => {
    const { server, a, b } = pair();
    a.write(ONION_FILE, 'base', T);
    await syncPass(a.deps);
    await syncPass(b.deps);
    b.write(MINUI_FILE, 'b-offline', T + 60_000);
    a.write(ONION_FILE, 'a-offline-later', T + 120_000);
    await syncPass(a.deps);
    const r = await syncPass(b.deps);
    expect(r.conflicts).toEqual([KEY]);
    expect(b.read(MINUI_FILE)).toBe('a-offline-later');
    const kept = await b.deps.backups.list();
    expect(readFileSync(kept.at(-1)!.file, 'utf8')).toBe('b-offline');
    const stored = server.list(KEY).map((v) => [Buffer.from(v.bytes).toString(), v.conflict]);
    expect(stored).toEqual([['base', false], ['a-offline-later', false], ['b-offline', true]]);
    expect(b.deps.state.data.conflicts[0]).toMatchObject({ key: KEY, outcome: 'conflict_lost' });
  });

  it('scenario 2: a blank save is never uploaded over a real one, even when the device clock reads 1970; the real save comes back', async () => {
    const { server, a, b } = pair();
    a.write(ONION_FILE, 'real progress', T);
    await syncPass(a.deps);
    await syncPass(b.deps);
    for (const blank of [new Uint8Array(32 * 1024), new Uint8Array(32 * 1024).fill(0xff), new Uint8Array(0)]) {
      // An RTC-less handheld: its clock reads 1970, so any corrected time would become "now".
      b.deps.now = () => 60_000;
      b.write(MINUI_FILE, blank, 30_000);
      const before = server.uploads.length;
      const r = await syncPass(b.deps);
      expect(server.uploads.length).toBe(before);
      expect(server.head(KEY)?.version).toBe(1);
      expect(b.read(MINUI_FILE)).toBe('real progress');
      expect(r.conflicts).toEqual([KEY]);
      expect(b.deps.state.data.conflicts.at(-1)?.outcome).toBe('blank_kept_aside');
      const kept = await b.deps.backups.list();
      expect(readFileSync(kept.at(-1)!.file).equals(Buffer.from(blank))).toBe(true);
    }
  });

  it('scenario 2: the server\'s blank_refused outcome puts the head back and keeps the local bytes in backups', async () => {
    const { server, a, b } = pair();
    a.write(ONION_FILE, 'real progress', T);
    await syncPass(a.deps);
    await syncPass(b.deps);
    // A save that is not blank to this client but that the server refuses (a newer server rule).
    const remote = b.deps.remote;
    b.deps.remote = {
      ...remote,
      upload: async (key) => {
        const { bytes: _b, conflict: _c, ...head } = server.head(key)!;
        return { outcome: 'blank_refused', head, storedVersion: head.version + 1 };
      },
    };
    b.write(MINUI_FILE, 'looks-real-to-the-client', T + 60_000);
    const r = await syncPass(b.deps);
    expect(r.conflicts).toEqual([KEY]);
    expect(b.read(MINUI_FILE)).toBe('real progress');
    const kept = await b.deps.backups.list();
    expect(readFileSync(kept.at(-1)!.file, 'utf8')).toBe('looks-real-to-the-client');
    expect(b.deps.state.data.conflicts.at(-1)?.outcome).toBe('blank_kept_aside');
    b.deps.remote = remote;
    expect(await syncPass(b.deps)).toMatchObject({ uploaded: [], downloaded: [] });
  });

  it('keeps the feed cursor when a download fails, and catches up on the next pass', async () => {
    const { server, a, b } = pair();
    a.write(ONION_FILE, 'progress-1', T);
    await syncPass(a.deps);
    const remote = b.deps.remote;
    b.deps.remote = { ...remote, download: async () => { throw new TypeError('fetch failed'); } };
    const r = await syncPass(b.deps);
    expect(r.retry).toBe(true);
    expect(b.deps.state.data.cursor).toBe(null);
    b.deps.remote = remote;
    expect((await syncPass(b.deps)).downloaded).toEqual([KEY]);
    expect(b.deps.state.data.cursor).toBe(server.cursor);
  });

  it('pauses uploads on quota_exceeded with a message, and keeps downloading', async () => {
    const { server, a, b } = pair();
    a.write(ONION_FILE, 'progress-1', T);
    await syncPass(a.deps);
    server.quotaFull = true;
    b.write(`${MINUI_SAVES}/GBA/Other Game.gba.sav`, 'other', T);
    const r = await syncPass(b.deps);
    expect(r.quotaPaused).toBe(true);
    expect(r.downloaded).toEqual([KEY]);
    expect(b.deps.state.data.pauseReason).toMatch(/quota/i);
    server.quotaFull = false;
    const again = await syncPass(b.deps);
    expect(again.uploaded).toEqual([]);
    expect((await syncPass(b.deps, { ignorePause: true })).uploaded).toEqual(['gba/Other Game/battery']);
  });

  it('skips a file that cannot be read and carries on', async () => {
    const { a } = pair();
    a.write(ONION_FILE, 'ok', T);
    const bad = a.write(`${ONION_SAVES}/gpSP/Broken.sav`, 'x', T);
    const files = a.deps.files;
    a.deps.files = { ...files, read: async (p) => (p === bad ? Promise.reject(new Error('EIO')) : files.read(p)) };
    const r = await syncPass(a.deps);
    expect(r.uploaded).toEqual([KEY]);
    expect(a.deps.log.lines.some((l) => l.includes('Broken.sav') && l.includes('EIO'))).toBe(true);
  });

  it('moves a local auto-load state aside when a battery save for its game arrives, and does not fetch it back', async () => {
    const { server, a } = pair();
    const b = testDevice('onion', server.client('B2'), [ONION_SAVES, 'mnt/SDCARD/Saves/CurrentProfile/states']);
    const AUTO = 'mnt/SDCARD/Saves/CurrentProfile/states/gpSP/Pokemon Emerald.state.auto';
    a.write(ONION_FILE, 'battery-1', T);
    await syncPass(a.deps);
    await syncPass(b.deps);
    b.write(AUTO, 'auto-state-old', T + 1000);
    await syncPass(b.deps);
    expect(server.head('gba/Pokemon Emerald/state/gpSP/auto')).toBeDefined();
    a.write(ONION_FILE, 'battery-2', T + 60_000);
    await syncPass(a.deps);
    await syncPass(b.deps);
    expect(b.read(`${ONION_SAVES}/gpSP/Pokemon Emerald.srm`)).toBe('battery-2');
    expect(b.read(AUTO)).toBe(null);
    expect((await b.deps.backups.list()).some((x) => x.reason === 'auto-load-state')).toBe(true);
    await syncPass(b.deps);
    expect(b.read(AUTO)).toBe(null);
  });

  it('reports a transient listing failure to the caller', async () => {
    const { server, a } = pair();
    server.failNext = new ApiError('storage_unavailable');
    await expect(syncPass(a.deps)).rejects.toThrow(ApiError);
  });
});

describe('pushed heads (hints)', () => {
  it('applies a pushed head without reading the feed first, and never goes backwards', async () => {
    const { server, a, b } = pair();
    a.write(ONION_FILE, 'progress-1', T);
    await syncPass(a.deps);
    await syncPass(b.deps);
    a.write(ONION_FILE, 'progress-2', T + 60_000);
    await syncPass(a.deps);
    const head = server.head(KEY)!;
    const calls: string[] = [];
    const remote = b.deps.remote;
    b.deps.remote = { ...remote, listFiles: async (o) => (calls.push(`list@${b.read(MINUI_FILE)}`), remote.listFiles(o)) };
    const r = await syncPass(b.deps, { remoteOnly: true, hints: [{ ...head }] });
    expect(r.downloaded).toEqual([KEY]);
    expect(calls).toEqual(['list@progress-2']);
    const stale = await syncPass(b.deps, { remoteOnly: true, hints: [{ ...head, version: 1 }] });
    expect(stale.downloaded).toEqual([]);
    expect(b.read(MINUI_FILE)).toBe('progress-2');
  });

  it('a watcher pass uploads on the synced base without reading the feed', async () => {
    const { server, a } = pair();
    a.write(ONION_FILE, 'progress-1', T);
    await syncPass(a.deps);
    const remote = a.deps.remote;
    let lists = 0;
    a.deps.remote = { ...remote, listFiles: async (o) => (lists++, remote.listFiles(o)) };
    const path = a.write(ONION_FILE, 'progress-2', T + 60_000);
    const r = await syncPass(a.deps, { paths: [path] });
    expect(r.uploaded).toEqual([KEY]);
    expect(lists).toBe(0);
    expect(server.uploads.at(-1)?.baseVersion).toBe(1);
  });
});
