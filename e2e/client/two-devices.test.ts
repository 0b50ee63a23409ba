/**
 * Two real `retrosync` clients against a real server: a MinUI card and an Onion card (different
 * folders, names and extensions for the same save).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, makeClient, startServer, stop, until, type Client, type RunningServer } from './harness.js';

const KEY = 'gba/Pokemon Emerald/battery';
const MINUI_DIR = 'mnt/SDCARD/Saves';
const MINUI_FILE = `${MINUI_DIR}/GBA/Pokemon Emerald.gba.sav`;
const ONION_DIR = 'mnt/SDCARD/Saves/CurrentProfile/saves';
const ONION_FILE_OWN = `${ONION_DIR}/gpSP/Pokemon Emerald.sav`;
const ONION_PLACED = `${ONION_DIR}/gpSP/Pokemon Emerald.srm`;
const OTHER_KEY = 'gbc/Link Awakening/battery';
const T = Date.parse('2026-11-20T10:00:00Z');

let server: RunningServer;
let minui: Client;
let onion: Client;

beforeAll(async () => {
  server = await startServer();
  minui = makeClient('minui', [MINUI_DIR, 'mnt/SDCARD/.system']);
  minui.write('mnt/SDCARD/.system/version.txt', 'MinUI-20250101-0\n');
  onion = makeClient('onion', [ONION_DIR, 'mnt/SDCARD/.tmp_update/onionVersion']);
  onion.write('mnt/SDCARD/.tmp_update/onionVersion/version.txt', '4.3.1');
  onion.write('mnt/SDCARD/Roms/GBC/Link Awakening.gbc', 'rom');
  for (const c of [minui, onion]) {
    const r = await c.cli('pair', await server.pairingCode(), '--server', server.url, '--name', c.name, '--root', c.root, '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: c.name, platform: c.name });
  }
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('desktop client end to end', () => {
  it('stores the API key in a 0600 config file', async () => {
    const { statSync } = await import('node:fs');
    expect(statSync(`${minui.home}/config.json`).mode & 0o777).toBe(0o600);
  });

  it('first sync both ways: each card gets the other card\'s saves at its own paths', async () => {
    minui.write(MINUI_FILE, 'emerald-v1', T);
    onion.write(`${ONION_DIR}/Gambatte/Link Awakening.srm`, 'zelda-v1', T);
    const a = await minui.cli('sync', '--json');
    expect(a.status, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout)).toMatchObject({ ok: true, uploaded: [KEY] });
    const b = await onion.cli('sync', '--json');
    expect(b.status, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout)).toMatchObject({ ok: true, uploaded: [OTHER_KEY], downloaded: [KEY] });
    expect(onion.read(ONION_PLACED)).toBe('emerald-v1');
    const a2 = await minui.cli('sync', '--json');
    expect(JSON.parse(a2.stdout)).toMatchObject({ downloaded: [OTHER_KEY] });
    expect(minui.read(`${MINUI_DIR}/GBC/Link Awakening.gbc.sav`)).toBe('zelda-v1');
    expect(onion.read(ONION_FILE_OWN)).toBe(null);
  }, 60_000);

  it('with both daemons running, an edit on one card appears on the other at the mapped path', async () => {
    // one card watched by stat polling (the fallback for mounts without file events), one natively
    const da = minui.spawn('daemon', '--json', '--debounce', '300', '--poll');
    const db = onion.spawn('daemon', '--json', '--debounce', '300');
    const ea = events(da);
    const eb = events(db);
    try {
      await Promise.all([ea.waitFor((e) => e.event === 'ready'), eb.waitFor((e) => e.event === 'ready')]);
      const busy = await minui.cli('sync');
      expect(busy.status).toBe(75);
      expect(busy.stderr).toMatch(/another retrosync process \(pid \d+\) is syncing this device/);
      minui.write(MINUI_FILE, 'emerald-v2 after the gym');
      await eb.waitFor((e) => e.event === 'applied' && e.key === KEY);
      expect(onion.read(ONION_PLACED)).toBe('emerald-v2 after the gym');
      onion.write(ONION_PLACED, 'emerald-v3 from the onion card');
      await ea.waitFor((e) => e.event === 'applied' && e.key === KEY);
      expect(minui.read(MINUI_FILE)).toBe('emerald-v3 from the onion card');
    } finally {
      await Promise.all([stop(da), stop(db)]);
    }
  }, 60_000);

  it('offline edits on both: both contents kept on the server, both cards converge', async () => {
    minui.write(MINUI_FILE, 'minui offline play', Date.now() - 60_000);
    onion.write(ONION_PLACED, 'onion offline play, later', Date.now() - 1_000);
    expect((await onion.cli('sync')).status).toBe(0);
    const m = await minui.cli('sync', '--json');
    expect(m.status, m.stderr).toBe(0);
    expect(JSON.parse(m.stdout)).toMatchObject({ conflicts: [KEY] });
    expect((await onion.cli('sync')).status).toBe(0);
    expect(minui.read(MINUI_FILE)).toBe('onion offline play, later');
    expect(onion.read(ONION_PLACED)).toBe('onion offline play, later');

    const h = await minui.cli('history', KEY, '--json');
    const versions = JSON.parse(h.stdout).versions as { version: number; conflict: boolean; head: boolean }[];
    const conflict = versions.find((v) => v.conflict);
    expect(conflict).toBeDefined();
    const status = JSON.parse((await minui.cli('status', '--json')).stdout);
    expect(status.conflicts.at(-1)).toMatchObject({ key: KEY, outcome: 'conflict_lost' });
    expect(readFileSync(status.conflicts.at(-1).backup, 'utf8')).toBe('minui offline play');

    // the losing copy is on the server too: restore it, and both cards get it
    const r = await minui.cli('restore', KEY, '--version', String(conflict!.version), '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(minui.read(MINUI_FILE)).toBe('minui offline play');
    expect((await onion.cli('sync')).status).toBe(0);
    expect(onion.read(ONION_PLACED)).toBe('minui offline play');
  }, 90_000);

  it('a fresh all-zero save never replaces the real one: not uploaded, kept in backups, the real one comes back', async () => {
    const real = onion.read(ONION_PLACED);
    const before = JSON.parse((await onion.cli('history', KEY, '--json')).stdout).versions as unknown[];
    onion.write(ONION_PLACED, new Uint8Array(8192));
    const r = await onion.cli('sync', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ conflicts: [KEY] });
    expect(onion.read(ONION_PLACED)).toBe(real);
    const versions = JSON.parse((await onion.cli('history', KEY, '--json')).stdout).versions as { size: number; conflict: boolean; head: boolean }[];
    expect(versions).toHaveLength(before.length);
    expect(versions.find((v) => v.head)?.size).toBe(real!.length);
    const kept = readdirSync(join(onion.home, 'backups'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => readFileSync(join(e.parentPath, e.name)));
    expect(kept.some((b) => b.length === 8192 && b.every((x) => x === 0))).toBe(true);
    const m = await minui.cli('sync', '--json');
    expect(JSON.parse(m.stdout)).toMatchObject({ downloaded: [] });
    expect(minui.read(MINUI_FILE)).toBe(real);
  }, 60_000);

  it('status and log explain the device in plain words', async () => {
    const s = await onion.cli('status');
    expect(s.status).toBe(0);
    expect(s.stdout).toMatch(/^server\s+http:\/\/127\.0\.0\.1:\d+$/m);
    expect(s.stdout).toMatch(/^pending\s+nothing$/m);
    const l = await onion.cli('log', '-n', '5');
    expect(l.stdout).toMatch(/INFO/);
    const remote = await onion.cli('log', '--server', '--json');
    expect(remote.status, remote.stderr).toBe(0);
    const entries = JSON.parse(remote.stdout) as { action: string; filePath: string; deviceName: string }[];
    expect(entries.some((e) => e.action === 'download' && e.filePath === KEY && e.deviceName === 'onion')).toBe(true);
  }, 30_000);
});
