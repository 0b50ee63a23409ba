/**
 * The desktop client and issue 17's play lease and key rotation, against a real server: the real
 * `retrosync` CLI (child processes), a MinUI card, and a second device (an "RG35XX+") speaking the
 * API directly as a handheld does.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceRoutes, keyRotationRoutes } from '@retrosync/api';
import { events, makeClient, startServer, stop, until, type Client, type RunningServer } from './harness.js';

const KEY = 'gba/Pokemon Emerald/battery';
const DIR = 'mnt/SDCARD/Saves';
const FILE = `${DIR}/GBA/Pokemon Emerald.gba.sav`;

let server: RunningServer;
let minui: Client;
let handheldKey: string;

const config = (c: Client) => JSON.parse(readFileSync(join(c.home, 'config.json'), 'utf8')) as { apiKey: string; previousApiKey?: string; deviceId: string };
const call = (path: string, key: string, body?: object) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
const heartbeatStatus = async (key: string) => (await call('/api/sync/heartbeat', key)).status;
const hhmm = (iso: string) => {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

beforeAll(async () => {
  server = await startServer();
  minui = makeClient('minui', [DIR, 'mnt/SDCARD/.system']);
  minui.write('mnt/SDCARD/.system/version.txt', 'MinUI-20250101-0\n');
  const r = await minui.cli('pair', await server.pairingCode(), '--server', server.url, '--name', 'Desk', '--root', minui.root, '--json');
  expect(r.status, r.stderr).toBe(0);
  const paired = await fetch(`${server.url}/api/devices/pair`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: await server.pairingCode(), deviceName: 'RG35XX+', deviceType: 'rg35xx' }),
  });
  handheldKey = ((await paired.json()) as { data: { apiKey: string } }).data.apiKey;
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('play lease on the desktop client', () => {
  it('a save changed here while another device plays it: warned in the log and in status; nothing is refused (the conflict rule decides as always)', async () => {
    minui.write(FILE, 'emerald-v0');
    expect((await minui.cli('sync', '--json')).status).toBe(0);
    // The RG35XX+ launches the game: its launcher hook claims the lease.
    const claim = await call('/api/sync/leases', handheldKey, { keys: [KEY], reason: 'launch' });
    const lease = ((await claim.json()) as { data: { leases: { since: string; held: boolean }[] } }).data.leases[0]!;
    expect(lease.held).toBe(true);
    minui.write(FILE, 'emerald-desk-edit');
    const s = await minui.cli('sync');
    expect(s.status, s.stderr).toBe(0);
    const warning = `${KEY} is in use on RG35XX+ since ${hhmm(lease.since)}`;
    expect(s.stderr + s.stdout).toContain(warning);
    expect(readFileSync(join(minui.home, 'retrosync.log'), 'utf8')).toContain(warning);
    const st = await minui.cli('status', '--json');
    const report = JSON.parse(st.stdout);
    expect(report.inUse).toMatchObject([{ key: KEY, deviceName: 'RG35XX+', reason: 'launch', held: false, since: lease.since }]);
    expect(report.leaseWarnings.at(-1)).toMatchObject({ key: KEY, deviceName: 'RG35XX+', since: lease.since, via: 'upload' });
    const human = (await minui.cli('status')).stdout;
    expect(human).toMatch(new RegExp(`^\\s+${KEY}  in use on RG35XX\\+ since ${hhmm(lease.since)} \\(launched\\)$`, 'm'));
    expect(human).toMatch(/^WARNING\s+saves changed here while in use on another device/m);
    // Released when the game exits: nothing in use any more.
    await call('/api/sync/leases/release', handheldKey, {});
    expect(JSON.parse((await minui.cli('status', '--json')).stdout).inUse).toEqual([]);
  });

  it('the daemon claims the lease on a save it sees change, and rotates its key when the dashboard asks (old key refused, syncing goes on)', async () => {
    const daemon = minui.spawn('daemon', '--json', '--debounce', '300', '--poll');
    const ev = events(daemon);
    try {
      await ev.waitFor((e) => e.event === 'ready', 30_000);
      minui.write(FILE, 'emerald-played-on-desk');
      const claimed = await ev.waitFor((e) => e.event === 'leases', 30_000);
      expect(claimed.leases).toMatchObject([{ key: KEY, deviceName: 'Desk', held: true, reason: 'write' }]);
      // The handheld now gets the warning when it claims the same save.
      const other = await call('/api/sync/leases', handheldKey, { keys: [KEY] });
      expect(((await other.json()) as { data: { leases: unknown[] } }).data.leases[0]).toMatchObject({ held: false, deviceName: 'Desk' });

      const old = config(minui).apiKey;
      await server.user.call(keyRotationRoutes.request, { body: { deviceId: config(minui).deviceId } });
      await ev.waitFor((e) => e.event === 'key-rotated', 30_000);
      expect(config(minui).apiKey).not.toBe(old);
      expect(config(minui).previousApiKey).toBeUndefined();
      expect(await heartbeatStatus(old)).toBe(401);
      const state = await server.user.call(keyRotationRoutes.state, { query: { deviceId: config(minui).deviceId } });
      expect(state).toMatchObject({ requestedAt: null, pendingSince: null });
      expect(state.rotatedAt).not.toBeNull();
      // The daemon keeps syncing with the new key: a change on the card still goes up.
      minui.write(FILE, 'emerald-after-rotation');
      await until(() => ev.all.some((e) => e.event === 'uploaded' && e.key === KEY && (ev.all.indexOf(e) > ev.all.findIndex((x) => x.event === 'key-rotated'))), 30_000, 'an upload after the rotation');
      const devices = await server.user.call(deviceRoutes.list, { query: {} });
      expect(devices.devices.find((d) => d.id === config(minui).deviceId)?.isActive).toBe(true);
    } finally {
      await stop(daemon);
    }
    // A stopped daemon is not playing anything any more: its leases were released.
    const after = await fetch(`${server.url}/api/sync/leases`, { headers: { 'x-api-key': handheldKey } });
    const leases = ((await after.json()) as { data: { leases: { deviceName: string }[] } }).data.leases;
    expect(leases.filter((l) => l.deviceName === 'Desk')).toEqual([]);
  }, 90_000);
});

describe('retrosync rotate-key', () => {
  it('replaces the key in config.json (0600) without re-pairing; the old key is refused at once', async () => {
    const before = config(minui);
    const r = await minui.cli('rotate-key');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/New API key stored in .*config\.json/);
    const after = config(minui);
    expect(after.apiKey).toMatch(/^[0-9a-f]{64}$/);
    expect(after.apiKey).not.toBe(before.apiKey);
    expect(after.previousApiKey).toBeUndefined();
    expect(after.deviceId).toBe(before.deviceId);
    expect(statSync(join(minui.home, 'config.json')).mode & 0o777).toBe(0o600);
    expect(await heartbeatStatus(before.apiKey)).toBe(401);
    minui.write(FILE, 'emerald-v1');
    const s = await minui.cli('sync', '--json');
    expect(s.status, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({ ok: true, uploaded: [KEY] });
  });

  it('a crash after the server issued the key, before config.json was written: the old key still works, rotating again succeeds', async () => {
    const before = config(minui);
    const r = await makeCrash('after-server-rotate');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/simulated crash after-server-rotate/);
    const unchanged = config(minui);
    expect(unchanged).toEqual(before);
    expect(await heartbeatStatus(unchanged.apiKey)).toBe(200);
    expect((await minui.cli('sync', '--json')).status).toBe(0);
    const again = await minui.cli('rotate-key');
    expect(again.status, again.stderr).toBe(0);
    expect(await heartbeatStatus(unchanged.apiKey)).toBe(401);
    expect(await heartbeatStatus(config(minui).apiKey)).toBe(200);
  });

  it('a crash after config.json was written, before the confirm: the next command confirms the new key; the old one then stops', async () => {
    const old = config(minui).apiKey;
    const r = await makeCrash('after-config-write');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/simulated crash after-config-write/);
    const staged = config(minui);
    expect(staged.previousApiKey).toBe(old);
    expect(staged.apiKey).not.toBe(old);
    expect(await heartbeatStatus(old)).toBe(200); // not confirmed yet: the device is never locked out
    const s = await minui.cli('sync', '--json');
    expect(s.status, s.stderr).toBe(0);
    expect(config(minui).previousApiKey).toBeUndefined();
    expect(config(minui).apiKey).toBe(staged.apiKey);
    expect(await heartbeatStatus(old)).toBe(401);
  });

  it('a new key the server no longer knows (it lapsed unused): the client falls back to the previous key, which still works', async () => {
    const good = config(minui);
    const cfgPath = join(minui.home, 'config.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(cfgPath, JSON.stringify({ ...JSON.parse(readFileSync(cfgPath, 'utf8')), apiKey: 'e'.repeat(64), previousApiKey: good.apiKey }), { mode: 0o600 });
    const s = await minui.cli('sync', '--json');
    expect(s.status, s.stderr).toBe(0);
    expect(config(minui).apiKey).toBe(good.apiKey);
    expect(config(minui).previousApiKey).toBeUndefined();
  });
});

/** Runs `retrosync rotate-key` with the test knob that stops it at `point`, as a crash or power cut would. */
function makeCrash(point: string): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    minui.env.RETROSYNC_TEST_CRASH_AT = point;
    const child = minui.spawn('rotate-key');
    delete minui.env.RETROSYNC_TEST_CRASH_AT;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}
