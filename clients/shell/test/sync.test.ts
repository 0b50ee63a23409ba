/**
 * The shell client end to end: setup.sh / daemon.sh / launch.sh under busybox sh (PATH = busybox
 * applets + curl) against a real server process. Devices are temp folders standing for "/" of an
 * Onion Miyoo Mini and a MinUI RG35XX.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxBin, runShAsync, SHELL_DIR, shEnv, tempRoot, writeTree } from './busybox-env.js';
import { newUser, startServer, startTamperingProxy, type RunningServer } from './server.js';

const ONION_SAVES = '/mnt/SDCARD/Saves/CurrentProfile/saves';
const FIRMWARE: Record<string, Record<string, string>> = {
  onion: { '/mnt/SDCARD/.tmp_update/onionVersion/version.txt': '4.3.1-1', [`${ONION_SAVES}/gpSP/`]: '' },
  minui: { '/mnt/SDCARD/.system/version.txt': 'MinUI-20250101-0\n', '/mnt/SDCARD/.system/miyoomini/': '', '/mnt/SDCARD/Saves/GBA/': '' },
};

let server: RunningServer;
let user: Awaited<ReturnType<typeof newUser>>;

interface Device { root: string; home: string; file(p: string): string; once(): Promise<{ status: number | null; stdout: string; stderr: string }>; log(): string }

async function device(platform: string, name: string, serverUrl = server.url): Promise<Device> {
  const root = tempRoot(`rs-${platform}-`);
  writeTree(root, FIRMWARE[platform] ?? {});
  const home = join(root, 'mnt/SDCARD/App/RetroSync/data');
  // RS_DEBOUNCE=0: the tests write a save and sync at once (daemon.test.ts checks the debounce).
  const env = { RETROSYNC_HOME: home, RS_DEBOUNCE: '0' };
  const code = await user.pairingCode();
  const r = await runShAsync('setup.sh', ['--server', serverUrl, '--code', code, '--name', name, '--root', root], { env });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return {
    root,
    home,
    file: (p) => join(root, p),
    once: () => runShAsync('daemon.sh', ['--once'], { env }),
    log: () => readFileSync(join(home, 'retrosync.log'), 'utf8'),
  };
}

beforeAll(async () => {
  server = await startServer();
  user = await newUser(server.url, `shell-${Date.now()}@example.com`);
}, 60_000);
afterAll(async () => server?.stop());

describe('pairing', () => {
  it('pairs with a dashboard code (setup.sh flags) and writes the config', async () => {
    const d = await device('onion', 'Mini "Plus"');
    const config = readFileSync(join(d.home, 'config'), 'utf8');
    expect(config).toMatch(/^RS_API_KEY='[0-9a-f]{64}'$/m);
    expect(config).toContain("RS_PLATFORM='onion'");
    const devices = await user.devices();
    expect(devices.find((x) => x.name === 'Mini "Plus"')?.deviceType).toBe('miyoo_mini');
  });

  it('pairs with a device-shown code the user types into the dashboard', async () => {
    const root = tempRoot('rs-devcode-');
    writeTree(root, FIRMWARE.minui ?? {});
    const home = join(root, 'data');
    const child = spawn(join(busyboxBin(), 'sh'), [join(SHELL_DIR, 'setup.sh'), '--server', server.url, '--device-code', '--name', 'RG35XX', '--root', root, '--max-wait', '60'], { env: shEnv({ RETROSYNC_HOME: home }) });
    let out = '';
    const code = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^CODE (\d{6})$/m.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      child.on('exit', () => reject(new Error(`setup exited early: ${out}`)));
    });
    expect(await user.link(code)).toBe(200);
    const status = await new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('exit', r)));
    expect(status).toBe(0);
    expect(readFileSync(join(home, 'config'), 'utf8')).toMatch(/^RS_API_KEY='[0-9a-f]{64}'$/m);
    expect((await user.devices()).some((x) => x.name === 'RG35XX')).toBe(true);
  });
});

describe('sync', () => {
  const key = 'gba/Golden Sun (USA, Europe)/battery';
  let onion: Device;
  let minui: Device;
  const onionPath = `${ONION_SAVES}/gpSP/Golden Sun (USA, Europe).srm`;
  const minuiPath = '/mnt/SDCARD/Saves/GBA/Golden Sun (USA, Europe).gba.sav';

  beforeAll(async () => {
    onion = await device('onion', 'Onion Mini');
    minui = await device('minui', 'MinUI Mini');
  }, 60_000);

  it('uploads a new save and downloads it where the other platform keeps it', async () => {
    writeTree(onion.root, { [onionPath]: Buffer.from('sram-v1') });
    const up = await onion.once();
    expect(up.status, up.stderr).toBe(0);
    expect((await user.save(key))?.toString()).toBe('sram-v1');

    const down = await minui.once();
    expect(down.status, down.stderr).toBe(0);
    expect(readFileSync(minui.file(minuiPath), 'utf8')).toBe('sram-v1');
    // A second pass finds nothing to do, and hashes nothing (stat first).
    const again = await minui.once();
    expect(again.status).toBe(0);
    expect(minui.log()).not.toMatch(/upload gba\/Golden/);
  });

  it('a conflict: the older change loses, is kept on the server, and the device takes the head with a backup', async () => {
    writeTree(onion.root, { [onionPath]: Buffer.from('onion-v2') });
    writeTree(minui.root, { [minuiPath]: Buffer.from('minui-v2-older') });
    const past = new Date(Date.now() - 3600_000);
    utimesSync(minui.file(minuiPath), past, past);
    expect((await onion.once()).status).toBe(0);
    const r = await minui.once();
    expect(r.status, r.stderr).toBe(0);
    expect(minui.log()).toContain('conflict_lost');
    // The head stays Onion's and MinUI now has it; MinUI's bytes are a conflict version and a local backup.
    expect((await user.save(key))?.toString()).toBe('onion-v2');
    expect(readFileSync(minui.file(minuiPath), 'utf8')).toBe('onion-v2');
    const versions = await user.versions(key);
    expect(versions.some((v) => v.conflict && !v.head)).toBe(true);
    const backups = join(minui.home, 'backups');
    const kept = readdirSync(backups).flatMap((d) => readdirSync(join(backups, d)).map((f) => readFileSync(join(backups, d, f), 'utf8')));
    expect(kept).toContain('minui-v2-older');
  });

  it('a conflict the newer change wins becomes the head everywhere', async () => {
    writeTree(onion.root, { [onionPath]: Buffer.from('onion-v3-older') });
    const past = new Date(Date.now() - 7200_000);
    utimesSync(onion.file(onionPath), past, past);
    writeTree(minui.root, { [minuiPath]: Buffer.from('minui-v3-newer') });
    expect((await minui.once()).status).toBe(0);
    expect((await onion.once()).status).toBe(0);
    expect(onion.log()).toContain('conflict_lost');
    expect((await user.save(key))?.toString()).toBe('minui-v3-newer');
    expect(readFileSync(onion.file(onionPath), 'utf8')).toBe('minui-v3-newer');
  });

  it('a corrupted download (bad hash) never replaces the save, and is retried later', async () => {
    const proxy = await startTamperingProxy(server.url);
    try {
      const victim = await device('onion', 'Victim', proxy.url);
      const vpath = victim.file(onionPath);
      expect((await victim.once()).status).toBe(0);
      expect(readFileSync(vpath, 'utf8')).toBe('minui-v3-newer');
      writeTree(minui.root, { [minuiPath]: Buffer.from('minui-v4') });
      expect((await minui.once()).status).toBe(0);

      proxy.tamper.on = true;
      const bad = await victim.once();
      expect(bad.status).toBe(1);
      expect(readFileSync(vpath, 'utf8')).toBe('minui-v3-newer');
      expect(victim.log()).toMatch(/SHA-256 mismatch/);
      expect(readdirSync(join(victim.root, ONION_SAVES, 'gpSP')).filter((f) => f.startsWith('.retrosync-'))).toEqual([]);

      proxy.tamper.on = false;
      const good = await victim.once();
      expect(good.status, good.stderr).toBe(0);
      expect(readFileSync(vpath, 'utf8')).toBe('minui-v4');
    } finally {
      await proxy.stop();
    }
  });

  it('refuses to run twice and the running daemon picks up remote changes through the long poll', async () => {
    const env = { RETROSYNC_HOME: minui.home, RS_DEBOUNCE: '0' };
    const first = await runShAsync('launch.sh', ['start'], { env });
    expect(first.stdout).toMatch(/started \(pid \d+\)/);
    try {
      const second = await runShAsync('launch.sh', ['start'], { env });
      expect(second.stdout).toMatch(/already running/);
      const direct = await runShAsync('daemon.sh', [], { env });
      expect(direct.status).toBe(2);
      expect(direct.stderr).toMatch(/already running/);

      writeTree(onion.root, { [onionPath]: Buffer.from('onion-v5-live') });
      expect((await onion.once()).status).toBe(0);
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && readFileSync(minui.file(minuiPath), 'utf8') !== 'onion-v5-live') await new Promise((r) => setTimeout(r, 250));
      expect(readFileSync(minui.file(minuiPath), 'utf8')).toBe('onion-v5-live');
      expect((await runShAsync('launch.sh', ['status'], { env })).stdout).toMatch(/running \(pid/);
    } finally {
      const stop = await runShAsync('launch.sh', ['stop'], { env });
      expect(stop.stdout).toMatch(/stopped/);
    }
    expect(existsSync(join(minui.home, 'daemon.lock'))).toBe(false);
    expect((await runShAsync('launch.sh', ['status'], { env })).stdout).toMatch(/^stopped/);
  }, 60_000);

  it('never writes outside the save folders for hostile names from the server', async () => {
    // Keys the server would refuse anyway are refused by the client's own check before placing.
    const r = await runShAsync('identity.sh', ['place', '--platform', 'onion', '--root', onion.root,
      'gba/..%2F..%2F..%2Fetc/battery', 'gba/%2E%2E/battery', 'gba/a%00b/battery', 'gba/x%0Ay/battery']);
    const rows = r.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
    expect(rows.map((x) => [x[0], x[2]])).toEqual(Array(4).fill(['err', 'invalid-key']));
  });
});

