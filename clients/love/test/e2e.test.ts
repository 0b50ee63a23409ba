/**
 * End to end: a real server (LAN discovery on), the LÖVE app under Xvfb with scripted gamepad and
 * keyboard input (RETROSYNC_TEST_SCRIPT, lib/testinput.lua), the shell engine under busybox on a
 * fake Onion card. The app finds the server on the loopback broadcast, shows a code that this test
 * links through the API as the dashboard does, reaches the status screen, and the engine uploads
 * the save on the card. Screenshots of every screen at 640×480 and 1024×768 (and 720×720) go to
 * artifacts/love/.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { REPO, busyboxBin, runShAsync, tempRoot, writeTree } from '../../shell/test/busybox-env.js';
import { newUser, startServer, type RunningServer } from '../../shell/test/server.js';
import { freeUdpPort } from '../../../packages/server/src/test-support/ports.js';

const LOVE = '/usr/bin/love';
const XVFB = '/usr/bin/Xvfb';
const missing = [LOVE, XVFB].filter((p) => !existsSync(p));
if (missing.length) console.log(`skipping the LÖVE end-to-end test: ${missing.join(', ')} not installed (apt-get install love xvfb; .ci/run installs them)`);

const SHOTS = join(REPO, 'artifacts/love');
const SAVE = '/mnt/SDCARD/Saves/CurrentProfile/saves/gpSP/Golden Sun (USA).srm';
const KEY = 'gba/Golden Sun (USA)/battery';
const children: ChildProcess[] = [];
let server: RunningServer | undefined;
let home = '';

afterAll(async () => {
  if (home) await runShAsync('launch.sh', ['stop'], { env: { RETROSYNC_HOME: home } });
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await server?.stop();
});

/** Starts Xvfb on a free display number; resolves with ":N". */
async function startXvfb(): Promise<string> {
  for (let n = 40 + Math.floor(Math.random() * 400); ; n++) {
    if (existsSync(`/tmp/.X11-unix/X${n}`) || existsSync(`/tmp/.X${n}-lock`)) continue;
    const x = spawn(XVFB, [`:${n}`, '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
    children.push(x);
    for (let i = 0; i < 50 && x.exitCode === null; i++) {
      if (existsSync(`/tmp/.X11-unix/X${n}`)) return `:${n}`;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (x.exitCode === null) x.kill();
  }
}

/** Screenshot commands for one screen at the three sizes, back at 640×480 afterwards. */
const shots = (name: string) =>
  [`shot ${name}`, 'size 1024 768', 'sleep 0.4', `shot ${name}`, 'size 720 720', 'sleep 0.4', `shot ${name}`, 'size 640 480', 'sleep 0.4'].join('\n');

it.skipIf(missing.length > 0)(
  'finds the server by broadcast, pairs with the code on screen, reaches status, and the engine uploads the card’s save',
  async () => {
    const udp = await freeUdpPort();
    server = await startServer({ LAN_DISCOVERY: 'true', LAN_DISCOVERY_PORT: String(udp), SERVER_NAME: 'Living room' });
    const user = await newUser(server.url, `love-${Date.now()}@example.com`);
    const card = tempRoot('rs-love-card-');
    home = join(card, 'mnt/SDCARD/App/RetroSync/data');
    const bytes = Buffer.alloc(8192, 0x5a);
    writeTree(card, { '/mnt/SDCARD/.tmp_update/onionVersion/version.txt': '4.3.1', [SAVE]: bytes, '/mnt/SDCARD/Roms/GBA/Golden Sun (USA).gba': 'rom' });
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(card, SAVE), old, old);
    mkdirSync(SHOTS, { recursive: true });

    const script = join(card, 'input.txt');
    writeFileSync(
      script,
      [
        'wait_screen find 20',
        'wait_text Living_room 20',
        shots('1-find'),
        'key tab', // keyboard fallback: Select → the on-screen keyboard
        'wait_screen keyboard 5',
        'pad dpdown',
        'pad a', // types "a"
        'wait_text http://a 5',
        shots('2-keyboard'),
        'pad back', // Select cancels back to the list
        'wait_screen find 5',
        'pad a', // the first row: the server found by broadcast
        'wait_screen pair 5',
        'wait_text Code_expires 30',
        'sleep 0.5',
        shots('3-pair'),
        'wait_screen status 60', // the test links the code meanwhile
        'wait_text in_sync 60',
        'wait_text Up_to_date 30',
        'wait_text Background_sync_is_on. 30', // the start after pairing has finished
        shots('4-status'),
        'pad a', // Sync now: the trigger file + SIGUSR1 to the running daemon
        'wait_text Syncing_now 5',
        'pad dpright',
        'pad a', // Background: Off (launch.sh stop + remove-boot)
        'wait_text Background_sync_is_off. 30', // the message once launch.sh has finished (a press before is ignored)
        'wait_text Background:_Off 30',
        'key return', // keyboard fallback for A: Background: On again
        'wait_text Background_sync_is_on. 30',
        'wait_text Background:_On 30',
        'pad dpright',
        'pad a', // Unpair → asks first
        'wait_screen confirm 5',
        shots('5-confirm-unpair'),
        'pad b',
        'wait_screen status 5',
        'quit',
      ].join('\n'),
    );

    const app = spawn(LOVE, [join(REPO, 'clients/love'), '--root', card, '--name', 'Test Mini'], {
      env: {
        PATH: busyboxBin(),
        HOME: card,
        DISPLAY: await startXvfb(),
        RETROSYNC_HOME: home,
        RETROSYNC_WINDOW: '640x480',
        RETROSYNC_DISCOVERY_PORT: String(udp),
        RETROSYNC_DISCOVERY_ADDRS: '127.255.255.255',
        RETROSYNC_TEST_SCRIPT: script,
        RETROSYNC_TEST_SHOTS: SHOTS,
        SDL_AUDIODRIVER: 'dummy',
        RS_DEBOUNCE: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(app);
    let out = '';
    let linked: Promise<number> | undefined;
    app.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const code = /\[test\] code (\d{6})/.exec(out)?.[1];
      // Once the pair screen is photographed, the player types the code into the dashboard:
      // POST /api/devices/link with their session.
      if (code && !linked && out.includes('3-pair-720x720.png')) linked = user.link(code);
    });
    app.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const status = await new Promise<number | null>((resolve) => app.on('exit', (c) => resolve(c)));
    const shotsTaken = [...out.matchAll(/\[test\] shot (\S+)/g)].map((m) => m[1] as string);

    expect(out, out).toMatch(/\[test\] done/);
    expect(status, out).toBe(0);
    expect(await linked).toBe(200);
    // Every screen at every size, real PNGs of the right dimensions.
    for (const screen of ['1-find', '2-keyboard', '3-pair', '4-status', '5-confirm-unpair']) {
      for (const [w, h] of [[640, 480], [1024, 768], [720, 720]] as const) {
        const file = join(SHOTS, `${screen}-${w}x${h}.png`);
        expect(shotsTaken).toContain(file);
        const png = readFileSync(file);
        expect(png.subarray(1, 4).toString()).toBe('PNG');
        expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([w, h]);
      }
    }
    // The key is where the shell engine keeps it, and the engine uploaded the card's save.
    expect(readFileSync(join(home, 'config'), 'utf8')).toMatch(/^RS_API_KEY='[0-9a-f]{64}'$/m);
    expect((await user.devices()).map((d) => d.name)).toContain('Test Mini');
    expect((await user.save(KEY))?.equals(bytes)).toBe(true);
    expect(readFileSync(join(home, 'app.conf'), 'utf8')).toContain(`server=${server.url}`);
    // The daemon takes the trigger at its next wake (the app may have stopped it first: then the
    // restarted daemon takes it on its first pass).
    let log = '';
    for (let i = 0; i < 100 && !/sync now \(asked by the app\)/.test(log); i++) {
      log = readFileSync(join(home, 'retrosync.log'), 'utf8');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(log).toMatch(/sync now \(asked by the app\)/);
    expect(log.match(/daemon start/g)?.length).toBe(2); // stopped and started again from the app
    expect(spawnSync(join(busyboxBin(), 'sh'), [join(REPO, 'clients/shell/launch.sh'), 'status'], { env: { PATH: busyboxBin(), RETROSYNC_HOME: home }, encoding: 'utf8' }).stdout).toMatch(/^running/);
  },
  240_000,
);
