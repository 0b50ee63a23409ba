/**
 * The daemon's interface to the LÖVE app and its idle loop, under busybox sh against a real server:
 * the status file (format in README.md), the "sync now" trigger, a local change noticed while the
 * long poll is held, polls reaped (no zombies), and the poll's curl gone after a stop.
 */
import { readdirSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runShAsync, tempRoot, writeTree } from './busybox-env.js';
import { newUser, startServer, type RunningServer } from './server.js';

const SAVES = '/mnt/SDCARD/Saves/CurrentProfile/saves';
let server: RunningServer;
let user: Awaited<ReturnType<typeof newUser>>;

async function pair(name: string, extraEnv: Record<string, string> = {}) {
  const root = tempRoot('rs-status-');
  writeTree(root, { '/mnt/SDCARD/.tmp_update/onionVersion/version.txt': '4.3.1-1', [`${SAVES}/gpSP/`]: '' });
  const home = join(root, 'home');
  const env = { RETROSYNC_HOME: home, RS_DEBOUNCE: '0', ...extraEnv };
  const r = await runShAsync('setup.sh', ['--server', server.url, '--code', await user.pairingCode(), '--name', name, '--root', root], { env });
  expect(r.status, r.stderr).toBe(0);
  return { root, home, env, log: () => readFileSync(join(home, 'retrosync.log'), 'utf8') };
}

const records = (home: string) => readFileSync(join(home, 'status'), 'utf8').trimEnd().split('\n').map((l) => l.split('\t'));
const field = (home: string, k: string) => records(home).find((r) => r[0] === k)?.[1];

async function until(what: string, ok: () => boolean, ms: number): Promise<number> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - t0;
}

/** Children of pid (from /proc), with their state letter. */
function children(pid: number): { pid: number; state: string; comm: string }[] {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[1]) === pid) out.push({ pid: Number(d), state: rest[0] as string, comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) });
    } catch {
      /* gone */
    }
  }
  return out;
}

beforeAll(async () => {
  server = await startServer();
  user = await newUser(server.url, `status-${Date.now()}@example.com`);
}, 60_000);
afterAll(async () => server?.stop());

describe('status file', () => {
  it('--once writes the format line, the state, the last sync, one line per save and the last errors', async () => {
    const d = await pair('Status');
    writeTree(d.root, { [`${SAVES}/gpSP/Metroid Fusion (USA).srm`]: 'samus' });
    expect((await runShAsync('daemon.sh', ['--once'], { env: d.env })).status).toBe(0);
    const recs = records(d.home);
    expect(recs[0]).toEqual(['retrosync-status', '1']);
    expect(field(d.home, 'state')).toBe('idle');
    expect(field(d.home, 'device')).toBe('Status');
    expect(field(d.home, 'server')).toBe(server.url);
    expect(Math.abs(Number(field(d.home, 'last_sync')) - Date.now() / 1000)).toBeLessThan(30);
    const saves = recs.filter((r) => r[0] === 'save');
    expect(saves).toEqual([['save', 'gba/Metroid%20Fusion%20(USA)/battery', 'synced', '1', '', join(d.root, `${SAVES}/gpSP/Metroid Fusion (USA).srm`)]]);

    // Offline: the state says so and the reason is in an error line.
    const config = join(d.home, 'config');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(config, readFileSync(config, 'utf8').replace(/^RS_SERVER=.*$/m, "RS_SERVER='http://127.0.0.1:9'"));
    expect((await runShAsync('daemon.sh', ['--once'], { env: d.env })).status).toBe(3);
    expect(field(d.home, 'state')).toBe('offline');
    expect(records(d.home).filter((r) => r[0] === 'error').map((r) => r[3]).join('\n')).toMatch(/server unreachable/);
  });

  it('a save written while the daemon holds its long poll is uploaded within the scan interval; polls are reaped; sync-now wakes it at once', async () => {
    const d = await pair('Idle', { RS_SCAN_INTERVAL: '2', RS_POLL_WAIT: '50' });
    const start = await runShAsync('launch.sh', ['start'], { env: d.env });
    const pid = Number(/pid (\d+)/.exec(start.stdout)?.[1]);
    expect(pid).toBeGreaterThan(0);
    try {
      await until('first status', () => field(d.home, 'state') === 'idle', 10_000);
      await new Promise((r) => setTimeout(r, 1500)); // the long poll is now held
      writeTree(d.root, { [`${SAVES}/gpSP/Kirby (USA).srm`]: 'pink' });
      const old = new Date(Date.now() - 5000);
      utimesSync(join(d.root, `${SAVES}/gpSP/Kirby (USA).srm`), old, old);
      let got: Buffer | null = null;
      const t0 = Date.now();
      while ((got = await user.save('gba/Kirby (USA)/battery'))?.toString() !== 'pink') {
        if (Date.now() - t0 > 8000) throw new Error('the save written during the long poll did not reach the server within 8 s');
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(Date.now() - t0).toBeLessThan(2000 + 2000 + 1500); // scan interval + one nap + the upload

      // The status file follows: the save is listed as synced.
      await until('status lists the save', () => records(d.home).some((r) => r[0] === 'save' && r[1] === 'gba/Kirby%20(USA)/battery' && r[2] === 'synced'), 6000);

      // sync-now: the signal ends the nap at once.
      const before = d.log().length;
      const asked = await runShAsync('launch.sh', ['sync-now'], { env: d.env });
      expect(asked.stdout).toMatch(/asked/);
      const took = await until('sync now taken', () => d.log().slice(before).includes('sync now'), 3000);
      expect(took).toBeLessThan(1500);

      // Never a zombie left behind: finished polls are reaped.
      expect(children(pid).filter((c) => c.state === 'Z')).toEqual([]);
    } finally {
      const stop = await runShAsync('launch.sh', ['stop'], { env: d.env });
      expect(stop.stdout).toMatch(/stopped/);
    }
    expect(field(d.home, 'state')).toBe('stopped');
    // The background poll's curl went with it.
    await new Promise((r) => setTimeout(r, 300));
    const leftover = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(`wait=50`) && readFileSync(`/proc/${p}/environ`, 'utf8').includes(d.home);
      } catch {
        return false;
      }
    });
    expect(leftover).toEqual([]);
  }, 60_000);
});
