/**
 * Issue 11 for the shell client — blank saves (scenario 2) and clock resets (scenario 3):
 * busybox sh against a real server, a proxy recording what the client sends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONION_SAVES, pairDevice, type User } from './devices.js';
import { headerOf, startProxy, type Proxy } from './proxy.js';
import { newUser, startServer, type RunningServer } from './server.js';

let server: RunningServer;
let user: User;
let proxy: Proxy;
beforeAll(async () => {
  server = await startServer();
  user = await newUser(server.url, `loss-guard-${Date.now()}@example.com`);
  proxy = await startProxy(server.url);
}, 60_000);
afterAll(async () => {
  await proxy?.stop();
  await server?.stop();
});

const gba = (game: string) => `${ONION_SAVES}/gpSP/${game}.srm`;
const ago = (s: number) => new Date(Date.now() - s * 1000);
const REAL = Buffer.from('real progress: 42 hours, 8 badges');
const BLANKS: Record<string, Buffer> = {
  'all 0x00': Buffer.alloc(REAL.length, 0),
  'all 0xFF': Buffer.alloc(REAL.length, 0xff),
  empty: Buffer.alloc(0),
};

describe('issue 11 scenario 2: a blank save never goes up over a real one', () => {
  for (const [what, blank] of Object.entries(BLANKS)) {
    it(`a synced save overwritten ${what} at game start is not uploaded; the real save is put back, the blank kept in backups`, async () => {
      const game = `Blank ${what}`;
      const d = await pairDevice(user, server.url, `Blank ${what}`);
      d.write(gba(game), REAL, ago(60));
      expect((await d.once()).status).toBe(0);
      d.write(gba(game), blank); // the emulator's fresh SRAM, written now
      const r = await d.once();
      expect(r.status, r.stderr + d.log()).toBe(0);
      expect((await user.save(`gba/${game}/battery`))?.equals(REAL)).toBe(true);
      expect(await user.versions(`gba/${game}/battery`)).toHaveLength(1);
      expect(d.read(gba(game))).toBe(REAL.toString());
      expect(d.backups()).toContain(blank.toString());
      expect(d.log()).toMatch(/blank guard/);
    });
  }

  it('a device new to the save with a blank (newer) file takes the real head instead of replacing it', async () => {
    const a = await pairDevice(user, server.url, 'Has the real one');
    a.write(gba('Fresh Card'), REAL, ago(3600));
    expect((await a.once()).status).toBe(0);
    const b = await pairDevice(user, server.url, 'Fresh card');
    b.write(gba('Fresh Card'), BLANKS['all 0x00']!);
    const r = await b.once();
    expect(r.status, r.stderr + b.log()).toBe(0);
    expect((await user.save('gba/Fresh Card/battery'))?.equals(REAL)).toBe(true);
    expect(b.read(gba('Fresh Card'))).toBe(REAL.toString());
    expect(b.backups()).toContain(BLANKS['all 0x00']!.toString());
  });
});

describe('issue 11 scenario 3: clock resets — the client records its clock and says when a time cannot be trusted', () => {
  it('sends boot, uptime and last server time, and marks edits after a reboot whose clock went back as untrusted', async () => {
    const d = await pairDevice(user, proxy.url, 'No RTC', undefined, { RETROSYNC_TEST_BOOT_ID: 'boot-one' });
    d.write(gba('Clocked'), 'first', ago(60));
    proxy.seen.length = 0;
    expect((await d.once()).status).toBe(0);
    const put1 = proxy.seen.find((s) => s.method === 'PUT');
    expect(put1).toBeDefined();
    expect(headerOf(put1!, 'x-client-boot')).toBe('boot-one');
    expect(headerOf(put1!, 'x-client-uptime')).toMatch(/^\d+$/);
    expect(headerOf(put1!, 'x-last-server-time')).toMatch(/^\d{13}$/);
    expect(Math.abs(Number(headerOf(put1!, 'x-client-time')) - Date.now()), JSON.stringify(put1!.headers)).toBeLessThan(60_000);

    // Reboot without an RTC battery: the clock reads three days ago; the player edits offline.
    const offset = -3 * 86400;
    d.clock(offset);
    const deviceNow = Date.now() + offset * 1000;
    d.write(gba('Clocked'), 'second', new Date(deviceNow - 600_000));
    proxy.seen.length = 0;
    const r = await d.once({ RETROSYNC_TEST_BOOT_ID: 'boot-two' });
    expect(r.status, r.stderr + d.log()).toBe(0);
    const put2 = proxy.seen.find((s) => s.method === 'PUT');
    expect(headerOf(put2!, 'x-client-boot')).toBe('boot-two');
    expect(headerOf(put2!, 'x-time-trust')).toBe('untrusted');
    expect(Math.abs(Number(headerOf(put2!, 'x-client-time')) - deviceNow)).toBeLessThan(60_000);

    // Same boot, after it learned this boot's offset from the server: a new edit is observed.
    d.write(gba('Clocked'), 'third', new Date(Date.now() + offset * 1000 + 5000));
    proxy.seen.length = 0;
    expect((await d.once({ RETROSYNC_TEST_BOOT_ID: 'boot-two' })).status).toBe(0);
    const put3 = proxy.seen.find((s) => s.method === 'PUT');
    expect(headerOf(put3!, 'x-time-trust')).toBe('observed');
  }, 60_000);

  it('reads "now" through RETROSYNC_TEST_CLOCK_OFFSET_MS', async () => {
    const d = await pairDevice(user, proxy.url, 'Offset knob');
    proxy.seen.length = 0;
    expect((await d.once({ RETROSYNC_TEST_CLOCK_OFFSET_MS: String(-86_400_000) })).status).toBe(0);
    const sent = Number(headerOf(proxy.seen[0]!, 'x-client-time'));
    expect(Math.abs(sent - (Date.now() - 86_400_000))).toBeLessThan(60_000);
  });

  it('an offline edit stamped by a reset clock never replaces a newer save from another device', async () => {
    const hh = await pairDevice(user, server.url, 'Handheld', undefined, { RETROSYNC_TEST_BOOT_ID: 'hh-1' });
    hh.write(gba('Reset'), 'handheld v1', ago(7200));
    expect((await hh.once()).status).toBe(0);
    // A PC saves a newer version an hour ago (through the API, on the synced base).
    const pc = await pairDevice(user, server.url, 'PC');
    expect((await pc.once()).status).toBe(0);
    pc.write(gba('Reset'), 'pc v2, newer', ago(3600));
    expect((await pc.once()).status).toBe(0);
    // The handheld reboots with its clock three days behind and plays offline "10 minutes ago".
    hh.clock(-3 * 86400);
    hh.write(gba('Reset'), 'handheld offline', new Date(Date.now() - 3 * 86400_000 - 600_000));
    const r = await hh.once({ RETROSYNC_TEST_BOOT_ID: 'hh-2' });
    expect(r.status, r.stderr + hh.log()).toBe(0);
    expect((await user.save('gba/Reset/battery'))?.toString()).toBe('pc v2, newer');
    const versions = await user.versions('gba/Reset/battery');
    expect(versions.some((v) => v.conflict)).toBe(true);
    expect(hh.read(gba('Reset'))).toBe('pc v2, newer');
    expect(hh.backups()).toContain('handheld offline');
  }, 60_000);
});
