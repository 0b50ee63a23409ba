/**
 * Issue 11 end to end for the desktop client: a real server process and real `retrosync`
 * processes, with the conditions real handhelds create — a clock reset to 1970/2000 (the test
 * clock offset and boot id), flat save folders, deletions and vanished cards, stalled links.
 * (FAT's 2-second file times are tested in packages/cli/src/engine/loss.test.ts: an end-to-end
 * run cannot make a separate process read the file within the same 2-second step.)
 */
import { createServer, request, type Server } from 'node:http';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { events, makeClient, startServer, stop, until, type Client, type RunningServer } from './harness.js';

const KEY = 'gba/Pokemon Emerald/battery';
const MINUI_DIR = 'mnt/SDCARD/Saves';
const MINUI_FILE = `${MINUI_DIR}/GBA/Pokemon Emerald.gba.sav`;
const ONION_DIR = 'mnt/SDCARD/Saves/CurrentProfile/saves';
const ONION_FILE = `${ONION_DIR}/gpSP/Pokemon Emerald.sav`;
const ONION_PLACED = `${ONION_DIR}/gpSP/Pokemon Emerald.srm`;

// A fresh server (and so a fresh player) per test: saves of one test never reach another.
let server: RunningServer;
const servers: RunningServer[] = [];
beforeEach(async () => {
  server = await startServer();
  servers.push(server);
}, 60_000);
afterAll(async () => {
  for (const s of servers) await s.close();
});

async function paired(name: string, platform: string, dirs: string[], url = server.url, env: Record<string, string> = {}): Promise<Client> {
  const c = makeClient(name, dirs);
  Object.assign(c.env, { RETROSYNC_TEST_BOOT_ID: `${name}-boot-1` }, env);
  const r = await c.cli('pair', await server.pairingCode(), '--server', url, '--platform', platform, '--root', c.root, '--name', name);
  expect(r.status, r.stderr).toBe(0);
  return c;
}

async function sync(c: Client): Promise<{ status: number | null; out: Record<string, unknown> }> {
  const r = await c.cli('sync', '--json');
  try {
    return { status: r.status, out: JSON.parse(r.stdout) as Record<string, unknown> };
  } catch {
    throw new Error(`sync printed no JSON (status ${r.status}): ${r.stdout} ${r.stderr}`);
  }
}

async function history(c: Client, key: string) {
  const r = await c.cli('history', key, '--json');
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout).versions as { version: number; size: number; conflict: boolean; head: boolean; deleted: boolean }[];
}

function backups(c: Client): Buffer[] {
  const dir = join(c.home, 'backups');
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name !== 'origin.json').map((e) => readFileSync(join(e.parentPath, e.name)));
  } catch {
    return [];
  }
}

describe('issue 11, desktop client end to end', () => {
  it('scenario 2: a blank save written while the clock reads 1970 never replaces the real save', async () => {
    const a = await paired('blank-a', 'minui', [MINUI_DIR]);
    const b = await paired('blank-b', 'onion', [ONION_DIR]);
    a.write(MINUI_FILE, 'real progress', Date.now() - 60_000);
    expect((await sync(a)).status).toBe(0);
    expect((await sync(b)).status).toBe(0);
    const before = await history(a, KEY);
    // b reboots without an RTC: its clock reads 1970; the emulator writes a fresh SRAM.
    b.env.RETROSYNC_TEST_BOOT_ID = 'blank-b-boot-2';
    b.env.RETROSYNC_TEST_CLOCK_OFFSET_MS = String(-Date.now() + 600_000);
    b.write(ONION_PLACED, new Uint8Array(32 * 1024), 300_000);
    const r = await sync(b);
    expect(r.status).toBe(0);
    expect(r.out).toMatchObject({ conflicts: [KEY], uploaded: [] });
    expect(b.read(ONION_PLACED)).toBe('real progress');
    expect(backups(b).some((x) => x.length === 32 * 1024 && x.every((v) => v === 0))).toBe(true);
    expect(await history(a, KEY)).toHaveLength(before.length);
  }, 90_000);

  it('scenario 3: after a reboot to 2000, old offline play does not replace a newer save from a PC; both are kept', async () => {
    const pc = await paired('clock-pc', 'minui', [MINUI_DIR]);
    const hh = await paired('clock-hh', 'onion', [ONION_DIR]);
    pc.write(MINUI_FILE, 'base', Date.now() - 3 * 86_400_000);
    expect((await sync(pc)).status).toBe(0);
    expect((await sync(hh)).status).toBe(0);
    // The handheld is played offline (its clock still right) …
    hh.write(ONION_PLACED, 'handheld offline play', Date.now() - 2 * 86_400_000);
    // … the PC plays later and syncs …
    pc.write(MINUI_FILE, 'pc newer play', Date.now() - 86_400_000);
    expect((await sync(pc)).status).toBe(0);
    // … then the handheld reboots with its clock reset to 2000-01-01 and syncs.
    hh.env.RETROSYNC_TEST_BOOT_ID = 'clock-hh-boot-2';
    hh.env.RETROSYNC_TEST_CLOCK_OFFSET_MS = String(Date.parse('2000-01-01T00:10:00Z') - Date.now());
    const r = await sync(hh);
    expect(r.status).toBe(0);
    expect(r.out).toMatchObject({ conflicts: [KEY] });
    expect(hh.read(ONION_PLACED)).toBe('pc newer play');
    const versions = await history(pc, KEY);
    const head = versions.find((v) => v.head)!;
    expect(head.size).toBe('pc newer play'.length);
    expect(versions.some((v) => v.conflict && v.size === 'handheld offline play'.length)).toBe(true);
    expect(backups(hh).some((x) => x.toString() === 'handheld offline play')).toBe(true);
    expect(readFileSync(join(hh.home, 'retrosync.log'), 'utf8')).toMatch(/clock went back/);
  }, 90_000);

  it('scenario 4: a flat EmuDeck folder where Tetris.srm is the NES game never takes or gives the GB save; status says why', async () => {
    const SAVES = 'home/deck/Emulation/saves/retroarch/saves';
    const gb = await paired('flat-gb', 'minui', [MINUI_DIR]);
    gb.write(`${MINUI_DIR}/GB/Tetris.gb.sav`, 'GB tetris', Date.now() - 60_000);
    expect((await sync(gb)).status).toBe(0);
    const deck = makeClient('flat-deck', [SAVES, 'home/deck/Emulation/roms/nes']);
    Object.assign(deck.env, { HOME: '/home/deck', RETROSYNC_TEST_BOOT_ID: 'deck-1' });
    deck.write('home/deck/Emulation/roms/nes/Tetris.nes', 'nes rom');
    deck.write(`${SAVES}/Tetris.srm`, 'NES tetris', Date.now() - 60_000);
    const p = await deck.cli('pair', await server.pairingCode(), '--server', server.url, '--platform', 'emudeck', '--root', deck.root, '--name', 'deck');
    expect(p.status, p.stderr).toBe(0);
    const r = await sync(deck);
    expect(r.status).toBe(1); // not "in sync": a save could not be applied
    expect(r.out).toMatchObject({ uploaded: ['nes/Tetris/battery'], unapplied: [{ key: 'gb/Tetris/battery', reason: expect.stringMatching(/nes\/Tetris\/battery/) }] });
    expect(deck.read(`${SAVES}/Tetris.srm`)).toBe('NES tetris');
    const versions = await history(gb, 'gb/Tetris/battery');
    expect(versions).toHaveLength(1);
    const s = await deck.cli('status');
    expect(s.stdout).toMatch(/^not applied 1 save\(s\)/m);
    expect(s.stdout).toMatch(/gb\/Tetris\/battery v1: .*Tetris\.srm is the save nes\/Tetris\/battery/);
    expect(s.stdout).toMatch(/^in sync\s+no$/m);
    expect(readFileSync(join(deck.home, 'retrosync.log'), 'utf8')).toMatch(/not placing gb\/Tetris\/battery v1: .*nothing was read, uploaded or overwritten/);
  }, 90_000);

  it('scenario 5: two spellings of one game converge; status is in sync only when they do', async () => {
    const a = await paired('case-a', 'onion', [ONION_DIR]);
    const b = await paired('case-b', 'onion', [ONION_DIR]);
    b.write(`${ONION_DIR}/gpSP/pokemon emerald.sav`, 'p1', Date.now() - 120_000);
    expect((await sync(b)).status).toBe(0);
    a.write(ONION_FILE, 'p1', Date.now() - 120_000);
    expect((await sync(a)).status).toBe(0);
    a.write(ONION_FILE, 'p2', Date.now() - 60_000);
    expect((await sync(a)).status).toBe(0);
    const r = await sync(b);
    expect(r.status).toBe(0);
    expect(b.read(`${ONION_DIR}/gpSP/pokemon emerald.sav`)).toBe('p2');
    expect(readdirSync(b.path(`${ONION_DIR}/gpSP`))).toEqual(['pokemon emerald.sav']);
    expect((await b.cli('status')).stdout).toMatch(/^in sync\s+yes$/m);
  }, 90_000);

  it('scenario 11: a deletion propagates to the other device (kept in its backups and in history); a vanished folder is held', async () => {
    const a = await paired('del-a', 'onion', [ONION_DIR]);
    const b = await paired('del-b', 'minui', [MINUI_DIR]);
    a.write(ONION_FILE, 'progress', Date.now() - 60_000);
    for (const g of ['One', 'Two', 'Three']) a.write(`${ONION_DIR}/gpSP/${g}.sav`, `gba ${g}`, Date.now() - 60_000);
    expect((await sync(a)).status).toBe(0);
    expect((await sync(b)).status).toBe(0);
    rmSync(a.path(ONION_FILE));
    const d = await sync(a);
    expect(d).toMatchObject({ status: 0, out: { deleted: [KEY] } });
    const versions = await history(a, KEY);
    expect(versions.find((v) => v.head)).toMatchObject({ deleted: true });
    expect(versions.some((v) => !v.deleted && v.size === 'progress'.length)).toBe(true);
    expect((await sync(b)).status).toBe(0);
    expect(b.read(MINUI_FILE)).toBe(null);
    expect(backups(b).some((x) => x.toString() === 'progress')).toBe(true);
    // Most of a folder vanishing (a card pulled mid-copy, a wiped folder) deletes nothing.
    for (const g of ['One', 'Two']) rmSync(a.path(`${ONION_DIR}/gpSP/${g}.sav`));
    const held = await sync(a);
    expect(held.status).toBe(1);
    expect(held.out).toMatchObject({ deleted: [], held: expect.stringMatching(/2 of the 3 saves .* vanished/) });
    expect((await a.cli('status')).stdout).toMatch(/^HELD\s+2 missing save\(s\) not read as deletions/m);
    expect((await history(a, 'gba/One/battery')).find((v) => v.head)).toMatchObject({ deleted: false });
  }, 120_000);

  it('scenario 11 with both daemons running: a save deleted on one card leaves the other, kept in its backups', async () => {
    const a = await paired('dd-a', 'onion', [ONION_DIR]);
    const b = await paired('dd-b', 'minui', [MINUI_DIR]);
    a.write(ONION_FILE, 'progress', Date.now() - 60_000);
    a.write(`${ONION_DIR}/gpSP/Other.sav`, 'other', Date.now() - 60_000);
    expect((await sync(a)).status).toBe(0);
    expect((await sync(b)).status).toBe(0);
    const da = a.spawn('daemon', '--json', '--debounce', '300');
    const db = b.spawn('daemon', '--json', '--debounce', '300');
    const ea = events(da);
    const eb = events(db);
    try {
      await Promise.all([ea.waitFor((e) => e.event === 'ready'), eb.waitFor((e) => e.event === 'ready')]);
      rmSync(a.path(ONION_FILE));
      await ea.waitFor((e) => e.event === 'pass' && Array.isArray(e.deleted) && e.deleted.includes(KEY), 30_000);
      await until(() => b.read(MINUI_FILE) === null, 30_000, 'the deletion to reach the other card');
      expect(backups(b).some((x) => x.toString() === 'progress')).toBe(true);
      expect(b.read(`${MINUI_DIR}/GBA/Other.gba.sav`)).toBe('other');
    } finally {
      await Promise.all([stop(da), stop(db)]);
    }
    expect((await history(a, KEY)).find((v) => v.head)).toMatchObject({ deleted: true });
  }, 120_000);

  it('an edit against a remote deletion uploads once and converges (a modification beats a deletion)', async () => {
    const a = await paired('mod-a', 'onion', [ONION_DIR]);
    const b = await paired('mod-b', 'minui', [MINUI_DIR]);
    a.write(ONION_FILE, 'progress', Date.now() - 120_000);
    expect((await sync(a)).status).toBe(0);
    expect((await sync(b)).status).toBe(0);
    b.write(MINUI_FILE, 'kept playing', Date.now() - 30_000);
    rmSync(a.path(ONION_FILE));
    expect((await sync(a)).out).toMatchObject({ deleted: [KEY] });
    expect((await sync(b)).status).toBe(0);
    const n = (await history(a, KEY)).length;
    for (let i = 0; i < 2; i++) {
      expect((await sync(a)).status).toBe(0);
      expect((await sync(b)).status).toBe(0);
    }
    const versions = await history(a, KEY);
    expect(versions).toHaveLength(n);
    expect(versions.find((v) => v.head)).toMatchObject({ deleted: false, size: 'kept playing'.length });
    expect(a.read(ONION_FILE)).toBe('kept playing');
  }, 120_000);
});

describe('scenario 6: a stalled transfer fails on the stall and the pass carries on', () => {
  let proxy: Server;
  afterAll(() => new Promise<void>((r) => (proxy ? (proxy.closeAllConnections(), proxy.close(() => r())) : r())));

  it('one save whose download stalls fails alone (transient); the other saves arrive in the same pass', async () => {
    const t = new URL(server.url);
    proxy = createServer((req, res) => {
      const up = request({ host: t.hostname, port: t.port, path: req.url, method: req.method, headers: req.headers }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        if (req.method === 'GET' && (req.url ?? '').startsWith('/api/sync/saves/gba/Stuck')) return void res.flushHeaders(); // headers, then nothing
        upRes.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
    const a = await paired('stall-a', 'minui', [MINUI_DIR]);
    const b = await paired('stall-b', 'onion', [ONION_DIR], url, { RETROSYNC_STALL_TIMEOUT_MS: '1500' });
    a.write(`${MINUI_DIR}/GBA/Stuck.gba.sav`, 'stuck', Date.now() - 60_000);
    a.write(MINUI_FILE, 'emerald', Date.now() - 60_000);
    a.write(`${MINUI_DIR}/GBA/Ruby.gba.sav`, 'ruby', Date.now() - 60_000);
    expect((await sync(a)).status).toBe(0);
    const t0 = Date.now();
    const r = await sync(b);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(r.status).toBe(75);
    expect(r.out).toMatchObject({ failed: [{ key: 'gba/Stuck/battery', transient: true, error: expect.stringMatching(/stalled/) }] });
    expect((r.out.downloaded as string[]).sort()).toEqual([KEY, 'gba/Ruby/battery']);
    expect(b.read(ONION_PLACED)).toBe('emerald');
  }, 90_000);
});
