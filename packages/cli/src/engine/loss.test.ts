/**
 * Issue 11 ("nothing lost, every device converges"), the desktop client's scenarios, each a
 * named deterministic test against the in-memory server (core's conflict rule): clock trust (3),
 * flat save folders (4), key spellings (5), one failing save in a pass (6), FAT file times (8),
 * deletions and the deletion guard (11), and an edit against a remote deletion.
 */
import { readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { StallError } from '../net/stall.js';
import type { DeviceClock } from '../time/device-clock.js';
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

/** A device clock the test moves: wall time, boot token, uptime. */
function manualClock(wall: number, boot = 'boot-1'): DeviceClock & { wall: number; up: number; boot: string } {
  const c = { wall, up: 1_000, boot, now: () => c.wall, uptimeMs: () => c.up };
  return c;
}

describe('scenario 3: clock trust', () => {
  it('after a reboot whose clock reads earlier than the last sync, an offline edit goes up as untrusted; an edit seen after contact in this boot as observed', async () => {
    const { server, a, b } = pair();
    a.write(ONION_FILE, 'base', T);
    await syncPass(a.deps);
    const clock = manualClock(T + 3_600_000);
    b.deps.clock = clock;
    await syncPass(b.deps);
    // The server replies carry X-Server-Time; the fake has none, so record the contact as the HTTP remote would.
    const { noteServerTime } = await import('../time/time-trust.js');
    noteServerTime(b.deps.state, clock, T + 3_600_000);
    // Reboot without an RTC: the clock reads 2000-01-01; the player plays offline.
    clock.boot = 'boot-2';
    clock.wall = Date.parse('2000-01-01T00:10:00Z');
    clock.up = 600_000;
    b.write(MINUI_FILE, 'offline play', clock.wall - 60_000);
    await syncPass(b.deps);
    expect(server.uploads.at(-1)).toMatchObject({ deviceId: 'B', timeTrust: 'untrusted' });
    expect(b.deps.log.lines.some((l) => l.includes('clock went back'))).toBe(true);
    // Later in the same boot, after the device heard from the server: an edit it saw is observed.
    noteServerTime(b.deps.state, clock, T + 3_700_000);
    clock.wall += 120_000;
    clock.up += 120_000;
    b.write(MINUI_FILE, 'played after contact', clock.wall - 1_000);
    await syncPass(b.deps);
    expect(server.uploads.at(-1)).toMatchObject({ deviceId: 'B', timeTrust: 'observed' });
  });

  it('a clock stepped back within one boot (monotonic time passed, wall time did not) marks the boot untrusted', async () => {
    const { server, a } = pair();
    const clock = manualClock(T);
    a.deps.clock = clock;
    const { noteServerTime } = await import('../time/time-trust.js');
    a.write(ONION_FILE, 'one', T - 10 * 60_000);
    await syncPass(a.deps);
    noteServerTime(a.deps.state, clock, T);
    clock.up += 3_600_000; // an hour passes …
    clock.wall -= 86_400_000; // … and the clock reads a day earlier
    a.write(ONION_FILE, 'two', clock.wall - 5 * 60_000);
    await syncPass(a.deps);
    expect(server.uploads.at(-1)).toMatchObject({ timeTrust: 'untrusted' });
  });
});

describe('scenario 4: flat save folders', () => {
  const SAVES = 'home/deck/Emulation/saves/retroarch/saves';
  const flat = (server: FakeServer) => {
    const d = testDevice('emudeck', server.client('DECK'), [SAVES, 'home/deck/Emulation/roms/nes'], { home: '/home/deck' });
    d.write('home/deck/Emulation/roms/nes/Tetris.nes', 'nes rom');
    d.write(`${SAVES}/Tetris.srm`, 'NES tetris progress', T);
    return d;
  };

  it('never reads, uploads or overwrites Tetris.srm (the NES game here) for the remote key gb/Tetris/battery; reports it', async () => {
    const server = new FakeServer();
    const gb = testDevice('minui', server.client('GB'), [MINUI_SAVES]);
    gb.write(`${MINUI_SAVES}/GB/Tetris.gb.sav`, 'GB tetris progress', T);
    await syncPass(gb.deps);
    expect(server.head('gb/Tetris/battery')).toBeDefined();
    const deck = flat(server);

    const full = await syncPass(deck.deps);
    expect(full.uploaded).toEqual(['nes/Tetris/battery']);
    expect(full.unapplied).toEqual([{ key: 'gb/Tetris/battery', reason: expect.stringMatching(/is the save nes\/Tetris\/battery on this device/) }]);
    expect(deck.read(`${SAVES}/Tetris.srm`)).toBe('NES tetris progress');

    // The daemon's remote-only pass for a pushed gb head must not pick the NES file up either.
    gb.write(`${MINUI_SAVES}/GB/Tetris.gb.sav`, 'GB tetris progress 2', T + 60_000);
    await syncPass(gb.deps);
    const head = server.head('gb/Tetris/battery')!;
    const pushed = await syncPass(deck.deps, { remoteOnly: true, hints: [{ ...head }] });
    expect(pushed.unapplied.map((u) => u.key)).toEqual(['gb/Tetris/battery']);
    expect(server.list('gb/Tetris/battery').map((v) => Buffer.from(v.bytes).toString())).toEqual(['GB tetris progress', 'GB tetris progress 2']);
    expect(deck.read(`${SAVES}/Tetris.srm`)).toBe('NES tetris progress');
    expect(deck.deps.state.data.unapplied['gb/tetris/battery']?.reason).toMatch(/nes\/Tetris\/battery/);
    expect(deck.deps.log.lines.some((l) => l.includes('not placing gb/Tetris/battery') || l.includes('not syncing gb/Tetris/battery'))).toBe(true);
  });

  it('a save that could not be applied is tried again on later full passes, after the feed moved on', async () => {
    const server = new FakeServer();
    const gb = testDevice('minui', server.client('GB'), [MINUI_SAVES]);
    gb.write(`${MINUI_SAVES}/GB/Tetris.gb.sav`, 'GB tetris progress', T);
    await syncPass(gb.deps);
    const deck = flat(server);
    expect((await syncPass(deck.deps)).unapplied).toHaveLength(1);
    expect((await syncPass(deck.deps)).unapplied).toHaveLength(1); // still not applied: still reported
    // The player gives up the NES game on this device: its ROM and save go.
    rmSync(deck.host('home/deck/Emulation/roms/nes/Tetris.nes'));
    rmSync(deck.host(`${SAVES}/Tetris.srm`));
    const r = await syncPass(deck.deps);
    expect(r.downloaded).toEqual(['gb/Tetris/battery']);
    expect(r.unapplied).toEqual([]);
    expect(deck.read(`${SAVES}/Tetris.srm`)).toBe('GB tetris progress');
    expect(deck.deps.state.data.unapplied).toEqual({});
  });

  it('a GB save placed where no ROM told the games apart is not uploaded as GB once a NES ROM makes the file the NES game', async () => {
    const server = new FakeServer();
    const gb = testDevice('minui', server.client('GB'), [MINUI_SAVES]);
    gb.write(`${MINUI_SAVES}/GB/Tetris.gb.sav`, 'GB tetris progress', T);
    await syncPass(gb.deps);
    const deck = testDevice('emudeck', server.client('DECK'), [SAVES], { home: '/home/deck' });
    expect((await syncPass(deck.deps)).downloaded).toEqual(['gb/Tetris/battery']);
    // The player adds the NES ROM and plays it: the emulator writes NES bytes to Tetris.srm.
    deck.write('home/deck/Emulation/roms/nes/Tetris.nes', 'nes rom');
    deck.write(`${SAVES}/Tetris.srm`, 'NES bytes', T + 60_000);
    const r = await syncPass(deck.deps);
    expect(r.uploaded).toEqual([]);
    expect(r.deleted).toEqual([]);
    expect(r.unapplied).toEqual([{ key: 'gb/Tetris/battery', reason: expect.stringMatching(/now identifies it as nes\/Tetris\/battery/) }]);
    expect(server.list('gb/Tetris/battery').map((v) => Buffer.from(v.bytes).toString())).toEqual(['GB tetris progress']);
  });

  it('with no file at the name yet, does not create one that identity would read as another game', async () => {
    const server = new FakeServer();
    const gb = testDevice('minui', server.client('GB'), [MINUI_SAVES]);
    gb.write(`${MINUI_SAVES}/GB/Tetris.gb.sav`, 'GB tetris progress', T);
    await syncPass(gb.deps);
    const deck = flat(server);
    rmSync(deck.host(`${SAVES}/Tetris.srm`));
    const r = await syncPass(deck.deps);
    expect(r.downloaded).toEqual([]);
    expect(r.unapplied.map((u) => u.key)).toEqual(['gb/Tetris/battery']);
    expect(deck.read(`${SAVES}/Tetris.srm`)).toBe(null);
  });
});

describe('scenario 5: keys compared in the server\'s canonical form', () => {
  it('a device holding another spelling of the key follows the head instead of skipping it', async () => {
    const { server, a } = pair();
    const b = testDevice('onion', server.client('B'), [ONION_SAVES]);
    b.write(`${ONION_SAVES}/gpSP/pokemon  emerald.sav`, 'p1', T);
    await syncPass(b.deps);
    a.write(ONION_FILE, 'p1', T);
    await syncPass(a.deps);
    expect(server.versions.size).toBe(1);
    a.write(ONION_FILE, 'p2', T + 60_000);
    await syncPass(a.deps);
    const r = await syncPass(b.deps);
    expect(r.downloaded).toEqual(['gba/pokemon  emerald/battery']);
    expect(b.read(`${ONION_SAVES}/gpSP/pokemon  emerald.sav`)).toBe('p2');
    expect(b.read(`${ONION_SAVES}/gpSP/Pokemon Emerald.sav`)).toBe(null);
    expect(b.deps.state.keys()).toHaveLength(1);
    // and the other way round: the first spelling's device follows an edit from the second
    b.write(`${ONION_SAVES}/gpSP/pokemon  emerald.sav`, 'p3', T + 120_000);
    await syncPass(b.deps);
    expect((await syncPass(a.deps)).downloaded).toHaveLength(1);
    expect(a.read(ONION_FILE)).toBe('p3');
    expect(server.list(KEY).filter((v) => v.conflict)).toEqual([]);
  });
});

describe('scenario 6: one failing save does not stop the others', () => {
  it('a stalled upload and a stalled download fail alone; every other save in the pass goes up or comes down', async () => {
    const { server, a, b } = pair();
    a.write(ONION_FILE, 'emerald', T);
    a.write(`${ONION_SAVES}/gpSP/Ruby.sav`, 'ruby', T);
    await syncPass(a.deps);
    server.failUploads.set('gba/stuck/battery', new StallError('the upload of gba/Stuck/battery', 30_000));
    b.write(`${MINUI_SAVES}/GBA/Stuck.gba.sav`, 'stuck', T);
    b.write(`${MINUI_SAVES}/GBA/Fine.gba.sav`, 'fine', T);
    const remote = b.deps.remote;
    b.deps.remote = { ...remote, download: async (key, v, p) => (key === 'gba/Ruby/battery' ? Promise.reject(new StallError('the download of gba/Ruby/battery', 30_000)) : remote.download(key, v, p)) };
    const r = await syncPass(b.deps);
    expect(r.failed.map((f) => [f.key, f.transient])).toEqual(expect.arrayContaining([['gba/Stuck/battery', true], ['gba/Ruby/battery', true]]));
    expect(r.uploaded).toEqual(['gba/Fine/battery']);
    expect(r.downloaded).toEqual([KEY]);
    expect(r.retry).toBe(true);
    b.deps.remote = remote;
    server.failUploads.clear();
    const again = await syncPass(b.deps);
    expect(again.failed).toEqual([]);
    expect(b.read(`${MINUI_SAVES}/GBA/Ruby.gba.sav`)).toBe('ruby');
  });
});

describe('scenario 8: FAT file times', () => {
  it('a second write of the same size within the same 2-second step is still uploaded', async () => {
    const { server, a } = pair();
    const step = Math.floor(Date.now() / 2000) * 2000; // a FAT time: even seconds
    a.write(ONION_FILE, 'AAAA', step);
    await syncPass(a.deps);
    a.write(ONION_FILE, 'BBBB', step); // same size, same FAT time
    await syncPass(a.deps);
    expect(server.list(KEY).map((v) => Buffer.from(v.bytes).toString())).toEqual(['AAAA', 'BBBB']);
    // Once read well after the step, the file costs a stat again.
    expect((await syncPass(a.deps, {})).uploaded).toEqual([]);
  });
});

describe('scenario 11: deletions propagate, restorably', () => {
  it('a save deleted here while in sync becomes a deletion on its base; the other device moves its copy to backups', async () => {
    const { server, a, b } = pair();
    a.write(ONION_FILE, 'progress', T);
    await syncPass(a.deps);
    await syncPass(b.deps);
    rmSync(a.host(ONION_FILE));
    const r = await syncPass(a.deps);
    expect(r.deleted).toEqual([KEY]);
    expect(server.uploads.at(-1)).toMatchObject({ deleted: true, baseVersion: 1 });
    expect(server.head(KEY)).toMatchObject({ version: 2, deleted: true });
    expect(Buffer.from(server.list(KEY)[0]!.bytes).toString()).toBe('progress'); // restorable
    await syncPass(b.deps);
    expect(b.read(MINUI_FILE)).toBe(null);
    const kept = await b.deps.backups.list();
    expect(kept.map((k) => [readFileSync(k.file, 'utf8'), k.reason])).toEqual([['progress', 'deleted-remotely']]);
    // Nothing comes back and nothing more is sent.
    const n = server.uploads.length;
    await syncPass(a.deps);
    await syncPass(b.deps);
    expect(server.uploads.length).toBe(n);
    expect(a.read(ONION_FILE)).toBe(null);
  });

  it('a watcher pass that sees the file go sends the deletion too', async () => {
    const { server, a } = pair();
    const path = a.write(ONION_FILE, 'progress', T);
    await syncPass(a.deps);
    rmSync(path);
    expect((await syncPass(a.deps, { paths: [path] })).deleted).toEqual([KEY]);
    expect(server.head(KEY)?.deleted).toBe(true);
  });

  it('many saves vanishing at once, an empty card or a missing root are never read as deletions; the pass says why', async () => {
    const { server, a } = pair();
    const games = ['A', 'B', 'C', 'D', 'E', 'F', 'G'];
    for (const g of games) a.write(`${ONION_SAVES}/gpSP/${g}.sav`, `save ${g}`, T);
    a.write(`${ONION_SAVES}/Gambatte/Keep.gbc.srm`, 'keep', T);
    await syncPass(a.deps);
    const n = server.uploads.length;
    for (const g of games) rmSync(a.host(`${ONION_SAVES}/gpSP/${g}.sav`));
    const many = await syncPass(a.deps);
    expect(many.held).toMatch(/7 saves vanished at once/);
    expect(many.deleted).toEqual([]);
    expect(a.deps.state.data.held?.reason).toMatch(/vanished/);
    expect(a.deps.log.lines.some((l) => l.includes('not reading 7 missing save(s) as deletions'))).toBe(true);

    rmSync(a.host(`${ONION_SAVES}/Gambatte/Keep.gbc.srm`));
    expect((await syncPass(a.deps)).held).toMatch(/no save file was found at all|vanished/);
    rmSync(a.root, { recursive: true });
    const gone = await syncPass(a.deps);
    expect(gone.held).toMatch(/root .* is missing/);
    expect(server.uploads.length).toBe(n);
    expect(games.every((g) => server.head(`gba/${g}/battery`)?.deleted === false)).toBe(true);
  });

  it('more than half of a folder vanishing is held; one save deleted from it is not', async () => {
    const { server, a } = pair();
    for (const g of ['A', 'B', 'C']) a.write(`${ONION_SAVES}/gpSP/${g}.sav`, `save ${g}`, T);
    await syncPass(a.deps);
    rmSync(a.host(`${ONION_SAVES}/gpSP/A.sav`));
    rmSync(a.host(`${ONION_SAVES}/gpSP/B.sav`));
    expect((await syncPass(a.deps)).held).toMatch(/2 of the 3 saves in .*gpSP vanished/);
    a.write(`${ONION_SAVES}/gpSP/B.sav`, 'save B', T);
    const one = await syncPass(a.deps);
    expect(one.held).toBe(null);
    expect(one.deleted).toEqual(['gba/A/battery']);
    expect(server.head('gba/B/battery')?.deleted).toBe(false);
  });
});

describe('an edit against a remote deletion', () => {
  it('uploads once and converges: no new versions on later passes', async () => {
    const { server, a, b } = pair();
    a.write(ONION_FILE, 'progress', T);
    await syncPass(a.deps);
    await syncPass(b.deps);
    b.write(MINUI_FILE, 'kept playing', T + 60_000);
    rmSync(a.host(ONION_FILE));
    await syncPass(a.deps);
    expect(server.head(KEY)?.deleted).toBe(true);
    await syncPass(b.deps);
    const versions = server.list(KEY).length;
    for (let i = 0; i < 3; i++) {
      await syncPass(b.deps);
      await syncPass(a.deps);
    }
    expect(server.list(KEY).length).toBe(versions);
    // The edit is never lost: on the server (head or conflict version) or in b's backups.
    const onServer = server.list(KEY).some((v) => Buffer.from(v.bytes).toString() === 'kept playing');
    const inBackups = (await b.deps.backups.list()).some((k) => readFileSync(k.file, 'utf8') === 'kept playing');
    expect(onServer || inBackups).toBe(true);
    expect(a.read(ONION_FILE)).toBe(b.read(MINUI_FILE));
  });
});
