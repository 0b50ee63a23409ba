/**
 * The shell client (busybox sh + curl, against a real server) and issue 17: the play lease — a
 * launcher hook reports a game, the daemon claims what it sees change, another device's change
 * is warned in the log, the status file and `launch.sh status` — and key rotation without
 * re-pairing: `launch.sh rotate-key`, the crashes between its steps, and the dashboard's request.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runShAsync } from './busybox-env.js';
import { ONION, ONION_SAVES, pairDevice, type Device } from './devices.js';
import { newUser, startServer, type RunningServer } from './server.js';

const KEY = 'gba/Pokemon Emerald/battery';
const SAVE = `${ONION_SAVES}/gpSP/Pokemon Emerald.sav`;
const ROM = '/mnt/SDCARD/Roms/GBA/Pokemon Emerald.gba';
let server: RunningServer;
let user: Awaited<ReturnType<typeof newUser>>;

const post = (path: string, headers: Record<string, string>, body?: object) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
const beat = async (key: string) => (await post('/api/sync/heartbeat', { 'x-api-key': key })).status;
const records = (d: Device) => readFileSync(join(d.home, 'status'), 'utf8').trimEnd().split('\n').map((l) => l.split('\t'));
const hhmm = (epochS: number) => {
  const t = new Date(epochS * 1000);
  return `${String(t.getUTCHours()).padStart(2, '0')}:${String(t.getUTCMinutes()).padStart(2, '0')}`;
};
const config = (d: Device) => readFileSync(join(d.home, 'config'), 'utf8');

async function until(what: string, ok: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const t0 = Date.now();
  while (!(await ok())) {
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  server = await startServer();
  user = await newUser(server.url, `lease-${Date.now()}@example.com`);
}, 60_000);
afterAll(async () => server?.stop());

describe('play lease on the shell client', () => {
  it('a launch claims the game’s save; another device’s change while it plays is warned in its log, status file and launch.sh status', async () => {
    const rg = await pairDevice(user, server.url, 'RG35XX+', { ...ONION, [ROM]: 'rom' });
    const mini = await pairDevice(user, server.url, 'Mini', { ...ONION, [ROM]: 'rom' });
    rg.write(SAVE, 'emerald-1', new Date(Date.now() - 10_000));
    expect((await rg.once()).status).toBe(0);
    expect((await mini.once()).status).toBe(0);

    // The RG35XX+'s launcher starts the game: its save is in use there.
    const started = await runShAsync('launch.sh', ['playing', join(rg.root, ROM)], { env: rg.env });
    expect(started.status, started.stderr).toBe(0);
    const leases = await (await fetch(`${server.url}/api/sync/leases`, { headers: { authorization: `Bearer ${user.token}` } })).json();
    expect(leases.data.leases).toMatchObject([{ key: KEY, deviceName: 'RG35XX+', reason: 'launch' }]);
    const since = Math.floor(Date.parse(leases.data.leases[0].since) / 1000);

    // The Mini changes the same save meanwhile: uploaded as always (nothing refused), and warned.
    mini.write(SAVE, 'emerald-mini', new Date(Date.now() - 10_000));
    const r = await mini.once();
    expect(r.status, r.stderr).toBe(0);
    expect((await user.save(KEY))?.toString()).toBe('emerald-mini');
    expect(mini.log()).toMatch(new RegExp(`in use: ${KEY} is in use on RG35XX\\+ since \\d\\d:\\d\\d; it was changed here too`));
    const warn = records(mini).find((x) => x[0] === 'lease_warning');
    expect(warn?.slice(0, 4)).toEqual(['lease_warning', 'gba/Pokemon%20Emerald/battery', 'RG35XX+', String(since)]);
    const inUse = records(mini).find((x) => x[0] === 'in_use');
    expect(inUse).toEqual(['in_use', 'gba/Pokemon%20Emerald/battery', 'RG35XX+', String(since), 'launch', 'false']);
    const st = await runShAsync('launch.sh', ['status'], { env: { ...mini.env, TZ: 'UTC' } });
    expect(st.stdout).toContain(`in use: gba/Pokemon%20Emerald/battery on RG35XX+ since ${hhmm(since)} (launched)`);
    expect(st.stdout).toContain(`warning: gba/Pokemon%20Emerald/battery was changed here while in use on RG35XX+ since ${hhmm(since)}`);

    // The game exits: the lease is released; the Mini's next check-in shows nothing in use.
    expect((await runShAsync('launch.sh', ['stopped', join(rg.root, ROM)], { env: rg.env })).status).toBe(0);
    expect((await mini.once()).status).toBe(0);
    expect(records(mini).filter((x) => x[0] === 'in_use')).toEqual([]);
  });

  it('the daemon claims the lease on a save it sees change; a device launching that game is told who is playing it', async () => {
    // The save folder exists before the daemon starts (it looks for changes in the folders it found).
    const rg = await pairDevice(user, server.url, 'Flip', { ...ONION, [ROM]: 'rom', [`${ONION_SAVES}/gpSP/`]: '' }, { RS_SCAN_INTERVAL: '1', RS_POLL_WAIT: '5' });
    const other = await pairDevice(user, server.url, 'Brick', { ...ONION, [ROM]: 'rom' });
    const start = await runShAsync('launch.sh', ['start'], { env: rg.env });
    expect(start.stdout).toMatch(/started/);
    try {
      await until('daemon idle', () => records(rg).some((x) => x[0] === 'state' && x[1] === 'idle'), 15_000);
      const key = 'gba/Golden Sun/battery';
      rg.write(`${ONION_SAVES}/gpSP/Golden Sun.sav`, 'isaac');
      await until(
        'lease claimed by the daemon',
        async () => {
          const l = await (await fetch(`${server.url}/api/sync/leases`, { headers: { authorization: `Bearer ${user.token}` } })).json();
          return l.data.leases.some((x: { key: string; deviceName: string; reason: string }) => x.key === key && x.deviceName === 'Flip' && x.reason === 'write');
        },
        15_000,
      );
      const told = await runShAsync('launch.sh', ['playing', join(other.root, '/mnt/SDCARD/Roms/GBA/Golden Sun.gba')], { env: { ...other.env, TZ: 'UTC' } });
      expect(told.status, told.stderr).toBe(0);
      expect(told.stdout).toMatch(/^warning: gba\/Golden%20Sun\/battery is in use on Flip since \d\d:\d\d$/m);
    } finally {
      await runShAsync('launch.sh', ['stop'], { env: rg.env });
    }
    // Stopping the daemon releases its leases.
    const l = await (await fetch(`${server.url}/api/sync/leases`, { headers: { authorization: `Bearer ${user.token}` } })).json();
    expect(l.data.leases.filter((x: { deviceName: string }) => x.deviceName === 'Flip')).toEqual([]);
  }, 60_000);
});

describe('key rotation on the shell client', () => {
  it('launch.sh rotate-key: new key in the config (0600), old key refused at once, syncing goes on', async () => {
    const d = await pairDevice(user, server.url, 'Rotor');
    const old = d.apiKey();
    const r = await runShAsync('launch.sh', ['rotate-key'], { env: d.env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/new API key stored/);
    expect(d.apiKey()).toMatch(/^[0-9a-f]{64}$/);
    expect(d.apiKey()).not.toBe(old);
    expect(config(d)).toMatch(/^RS_API_KEY_PREV=''$/m);
    const { statSync } = await import('node:fs');
    expect(statSync(join(d.home, 'config')).mode & 0o777).toBe(0o600);
    expect(await beat(old)).toBe(401);
    d.write(SAVE, 'after-rotation', new Date(Date.now() - 10_000));
    expect((await d.once()).status).toBe(0);
    expect((await user.save(KEY))?.toString()).toBe('after-rotation');
  });

  it('a crash after the server issued the key: the config keeps the old key, which still works; rotating again succeeds', async () => {
    const d = await pairDevice(user, server.url, 'CrashA');
    const old = d.apiKey();
    const before = config(d);
    const r = await runShAsync('launch.sh', ['rotate-key'], { env: { ...d.env, RETROSYNC_TEST_CRASH_AT: 'after-server-rotate' } });
    expect(r.status).toBe(70);
    expect(config(d)).toBe(before);
    expect(await beat(old)).toBe(200);
    expect((await runShAsync('launch.sh', ['rotate-key'], { env: d.env })).status).toBe(0);
    expect(await beat(old)).toBe(401);
    expect(await beat(d.apiKey())).toBe(200);
  });

  it('a crash after the config was written: both keys kept; the daemon’s next start confirms the new one and the old one stops', async () => {
    const d = await pairDevice(user, server.url, 'CrashB');
    const old = d.apiKey();
    const r = await runShAsync('launch.sh', ['rotate-key'], { env: { ...d.env, RETROSYNC_TEST_CRASH_AT: 'after-config-write' } });
    expect(r.status).toBe(70);
    expect(config(d)).toContain(`RS_API_KEY_PREV='${old}'`);
    expect(d.apiKey()).not.toBe(old);
    expect(await beat(old)).toBe(200); // never locked out
    expect((await d.once()).status).toBe(0);
    expect(config(d)).toMatch(/^RS_API_KEY_PREV=''$/m);
    expect(await beat(old)).toBe(401);
    expect(await beat(d.apiKey())).toBe(200);
  });

  it('a new key the server does not know (lapsed unused): the client goes back to the previous key', async () => {
    const d = await pairDevice(user, server.url, 'Lapsed');
    const good = d.apiKey();
    writeFileSync(join(d.home, 'config'), config(d).replace(/^RS_API_KEY=.*$/m, `RS_API_KEY='${'e'.repeat(64)}'`).replace(/^RS_API_KEY_PREV=.*$/m, `RS_API_KEY_PREV='${good}'`));
    expect((await d.once()).status).toBe(0);
    expect(d.apiKey()).toBe(good);
    expect(config(d)).toMatch(/^RS_API_KEY_PREV=''$/m);
  });

  it('the dashboard asks: the running daemon rotates at its next check-in, keeps syncing, and the old key stops', async () => {
    const d = await pairDevice(user, server.url, 'Asked', { ...ONION, [`${ONION_SAVES}/gpSP/`]: '' }, { RS_SCAN_INTERVAL: '1', RS_POLL_WAIT: '5', RS_HEARTBEAT: '2' });
    const old = d.apiKey();
    const deviceId = (await user.devices()).find((x) => x.name === 'Asked')!.id;
    const start = await runShAsync('launch.sh', ['start'], { env: d.env });
    expect(start.stdout).toMatch(/started/);
    try {
      await until('daemon idle', () => records(d).some((x) => x[0] === 'state' && x[1] === 'idle'), 15_000);
      const asked = await post('/api/devices/rotate-key', { authorization: `Bearer ${user.token}` }, { deviceId });
      expect(asked.status).toBe(200);
      await until('rotated', () => d.apiKey() !== old, 15_000);
      expect(await beat(old)).toBe(401);
      d.write(`${ONION_SAVES}/gpSP/Asked Game.sav`, 'still-syncing');
      await until('upload with the new key', async () => (await user.save('gba/Asked Game/battery'))?.toString() === 'still-syncing', 15_000);
      expect(records(d).find((x) => x[0] === 'state')?.[1]).toBe('idle');
      const state = await (await fetch(`${server.url}/api/devices/key-rotation?deviceId=${deviceId}`, { headers: { authorization: `Bearer ${user.token}` } })).json();
      expect(state.data).toMatchObject({ requestedAt: null, pendingSince: null });
    } finally {
      await runShAsync('launch.sh', ['stop'], { env: d.env });
    }
  }, 60_000);
});
