/**
 * Issue 11 for the shell client — transfers (scenario 6), FAT file times (8) and backups under a
 * clock reset (9): busybox sh against a real server, through a proxy where a link must misbehave.
 */
import { readFileSync, statSync, utimesSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONION_SAVES, pairDevice, type User } from './devices.js';
import { startProxy, type Proxy } from './proxy.js';
import { newUser, startServer, type RunningServer } from './server.js';

let server: RunningServer;
let user: User;
beforeAll(async () => {
  server = await startServer();
  user = await newUser(server.url, `loss-transfer-${Date.now()}@example.com`);
}, 60_000);
afterAll(async () => server?.stop());

const gba = (game: string) => `${ONION_SAVES}/gpSP/${game}.srm`;
const ago = (s: number) => new Date(Date.now() - s * 1000);

describe('issue 11 scenario 6: transfers fail on stalls, not on total time, and one failure does not end the pass', () => {
  let proxy: Proxy;
  beforeAll(async () => {
    proxy = await startProxy(server.url);
  });
  afterAll(async () => proxy?.stop());

  it('a transfer that keeps making progress completes however long it takes', async () => {
    const d = await pairDevice(user, proxy.url, 'Slow link');
    // The upload's answer trickles in at 100 bytes/s (about 5 s), with a 2 s stall limit (and the
    // old 2 s total limit, RS_HTTP_TIMEOUT, which must no longer cut a transfer short).
    proxy.rule = (m, url) => (m === 'PUT' && url.includes('/Steady/') ? { throttle: 100 } : undefined);
    d.write(gba('Steady'), 'slow but steady', ago(60));
    const r = await d.once({ RS_HTTP_TIMEOUT: '2', RS_STALL_SECONDS: '2' });
    proxy.rule = () => undefined;
    expect(r.status, r.stderr + d.log()).toBe(0);
    expect((await user.save('gba/Steady/battery'))?.toString()).toBe('slow but steady');
  }, 60_000);

  it('a stalled upload and a stalled download fail alone: the other uploads and downloads of the pass go on', async () => {
    const writer = await pairDevice(user, server.url, 'Writer');
    writer.write(gba('Remote One'), 'remote one', ago(60));
    writer.write(gba('Remote Two'), 'remote two', ago(60));
    expect((await writer.once()).status).toBe(0);

    const d = await pairDevice(user, proxy.url, 'Flaky link');
    d.write(gba('Local Stuck'), 'local stuck', ago(60));
    d.write(gba('Local Fine'), 'local fine', ago(60));
    proxy.rule = (m, url) =>
      (m === 'PUT' && url.includes('/Local Stuck/')) || (m === 'GET' && url.includes('/saves/gba/Remote One/')) ? { stall: true } : undefined;
    const r = await d.once({ RS_HTTP_TIMEOUT: '3', RS_STALL_SECONDS: '3' });
    expect(r.status, r.stderr + d.log()).toBe(1);
    expect((await user.save('gba/Local Fine/battery'))?.toString()).toBe('local fine');
    expect(d.read(gba('Remote Two'))).toBe('remote two');
    expect(await user.save('gba/Local Stuck/battery')).toBeNull();
    expect(d.log()).toMatch(/upload .*Local Stuck.* failed/);

    proxy.rule = () => undefined;
    const again = await d.once({ RS_STALL_SECONDS: '3' });
    expect(again.status, again.stderr + d.log()).toBe(0);
    expect((await user.save('gba/Local Stuck/battery'))?.toString()).toBe('local stuck');
    expect(d.read(gba('Remote One'))).toBe('remote one');
  }, 60_000);
});

describe('issue 11 scenario 8: a second write in the same 2-second FAT step is never missed', () => {
  it('after a download: a same-size write with the same file time is uploaded, not overwritten', async () => {
    const a = await pairDevice(user, server.url, 'FAT writer');
    const b = await pairDevice(user, server.url, 'FAT reader');
    a.write(gba('Fat Step'), 'downloaded', ago(60));
    expect((await a.once()).status).toBe(0);
    expect((await b.once()).status).toBe(0);
    const path = b.file(gba('Fat Step'));
    expect(readFileSync(path, 'utf8')).toBe('downloaded');
    // The emulator writes again at once: same size, and FAT gives it the same 2-second step.
    const step = statSync(path).mtime;
    b.write(gba('Fat Step'), 'played on!', step);
    expect(statSync(path).mtime.getTime()).toBe(step.getTime());
    const r = await b.once();
    expect(r.status, r.stderr + b.log()).toBe(0);
    expect((await user.save('gba/Fat Step/battery'))?.toString()).toBe('played on!');
    expect((await a.once()).status).toBe(0);
    expect(a.read(gba('Fat Step'))).toBe('played on!');
  });

  it('after an upload: a same-size write in the same step as the one uploaded is uploaded too', async () => {
    const d = await pairDevice(user, server.url, 'FAT uploader');
    const step = new Date(Math.floor(Date.now() / 1000) * 1000);
    d.write(gba('Fat Upload'), 'first write', step);
    expect((await d.once()).status).toBe(0);
    d.write(gba('Fat Upload'), 'again write', step);
    utimesSync(d.file(gba('Fat Upload')), step, step);
    const r = await d.once();
    expect(r.status, r.stderr + d.log()).toBe(0);
    expect((await user.save('gba/Fat Upload/battery'))?.toString()).toBe('again write');
  });
});

describe('issue 11 scenario 9: the newest backups survive a clock reset', () => {
  it('a backup made after the clock went back to 2006 is kept, the oldest one goes', async () => {
    const a = await pairDevice(user, server.url, 'Backup writer');
    const b = await pairDevice(user, server.url, 'Backup keeper', undefined, { RS_BACKUP_KEEP: '2' });
    for (let i = 1; i <= 4; i++) {
      a.write(gba('Kept'), `version ${i}`, ago(100 - i));
      expect((await a.once()).status).toBe(0);
      if (i === 4) b.clock(-20 * 365 * 86400); // no RTC battery: the clock reads 2006 after a reboot
      const r = await b.once();
      expect(r.status, r.stderr + b.log()).toBe(0);
      expect(b.read(gba('Kept'))).toBe(`version ${i}`);
    }
    expect(b.backups().sort()).toEqual(['version 2', 'version 3']);
  }, 60_000);
});
