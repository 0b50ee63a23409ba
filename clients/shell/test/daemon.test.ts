/**
 * daemon.sh details under busybox sh: exit statuses of --once, log rotation, backup retention,
 * and that a save never synced from this device is not replaced by a remote head.
 */
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runShAsync, tempRoot, writeTree } from './busybox-env.js';
import { newUser, startServer, type RunningServer } from './server.js';

const SAVES = '/mnt/SDCARD/Saves/CurrentProfile/saves';
const MARKER = { '/mnt/SDCARD/.tmp_update/onionVersion/version.txt': '4.3.1-1' };
let server: RunningServer;
let user: Awaited<ReturnType<typeof newUser>>;

async function pair(name: string, tree: Record<string, string> = MARKER) {
  const root = tempRoot('rs-daemon-');
  writeTree(root, tree);
  const home = join(root, 'home');
  const env = { RETROSYNC_HOME: home, RS_DEBOUNCE: '0' };
  const r = await runShAsync('setup.sh', ['--server', server.url, '--code', await user.pairingCode(), '--name', name, '--root', root], { env });
  expect(r.status, r.stderr).toBe(0);
  return { root, home, env };
}

beforeAll(async () => {
  server = await startServer();
  user = await newUser(server.url, `daemon-${Date.now()}@example.com`);
}, 60_000);
afterAll(async () => server?.stop());

describe('daemon.sh --once', () => {
  it('waits until a save has not changed for 2 s before uploading it', async () => {
    const d = await pair('Debounce');
    const env = { RETROSYNC_HOME: d.home };
    writeTree(d.root, { [`${SAVES}/gpSP/Fresh.srm`]: 'being written' });
    const early = await runShAsync('daemon.sh', ['--once'], { env });
    expect(early.status).toBe(0);
    expect(early.stdout).toMatch(/1 still being written/);
    expect(await user.save('gba/Fresh/battery')).toBeNull();
    await new Promise((r) => setTimeout(r, 2100));
    const later = await runShAsync('daemon.sh', ['--once'], { env });
    expect(later.stdout).not.toMatch(/still being written/);
    expect((await user.save('gba/Fresh/battery'))?.toString()).toBe('being written');
  });

  it('exits 2 when not set up and 3 when the server is unreachable', async () => {
    const root = tempRoot('rs-unset-');
    const unset = await runShAsync('daemon.sh', ['--once'], { env: { RETROSYNC_HOME: join(root, 'none') } });
    expect(unset.status).toBe(2);
    expect(unset.stderr).toMatch(/not set up/);

    const d = await pair('Offline');
    const config = join(d.home, 'config');
    writeFileSync(config, readFileSync(config, 'utf8').replace(/^RS_SERVER=.*$/m, "RS_SERVER='http://127.0.0.1:9'"));
    writeTree(d.root, { [`${SAVES}/gpSP/Offline.srm`]: 'x' });
    const off = await runShAsync('daemon.sh', ['--once'], { env: d.env });
    expect(off.status).toBe(3);
    expect(readFileSync(join(d.home, 'retrosync.log'), 'utf8')).toMatch(/server unreachable/);
  });

  it('rotates its log and keeps at most RS_BACKUP_KEEP backups per save', async () => {
    const a = await pair('Writer');
    const b = await pair('Reader');
    const env = { ...b.env, RS_LOG_MAX: '400', RS_BACKUP_KEEP: '2' };
    for (let i = 1; i <= 4; i++) {
      writeTree(a.root, { [`${SAVES}/gpSP/Rotating.srm`]: `version ${i}` });
      // Same size each time: give each write its own second, as the 2 s debounce guarantees on a device.
      const t = new Date(Date.now() - (10 - i) * 1000);
      utimesSync(join(a.root, SAVES, 'gpSP/Rotating.srm'), t, t);
      expect((await runShAsync('daemon.sh', ['--once'], { env: a.env })).status).toBe(0);
      const r = await runShAsync('daemon.sh', ['--once'], { env });
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(join(b.root, SAVES, 'gpSP/Rotating.srm'), 'utf8')).toBe(`version ${i}`);
    }
    const backups = join(b.home, 'backups');
    const kept = readdirSync(backups).flatMap((d) => readdirSync(join(backups, d)).map((f) => readFileSync(join(backups, d, f), 'utf8')));
    expect(kept.sort()).toEqual(['version 2', 'version 3']);
    expect(statSync(join(b.home, 'retrosync.log.1')).size).toBeGreaterThan(0);
    expect(statSync(join(b.home, 'retrosync.log')).size).toBeLessThanOrEqual(400 + 300);
  });

  it('uploads a save whose file time lies in the future (the clock went back at boot) instead of waiting forever', async () => {
    const a = await pair('NoRtc');
    writeTree(a.root, { [`${SAVES}/gpSP/Future.srm`]: 'written before the clock reset' });
    const future = new Date(Date.now() + 3 * 3600_000);
    utimesSync(join(a.root, SAVES, 'gpSP/Future.srm'), future, future);
    const r = await runShAsync('daemon.sh', ['--once'], { env: { ...a.env, RS_DEBOUNCE: '2' } });
    expect(r.status, r.stderr).toBe(0);
    expect((await user.save('gba/Future/battery'))?.toString()).toBe('written before the clock reset');
  });

  it('does not overwrite a save this device never synced; it uploads it and the server decides', async () => {
    const a = await pair('First');
    const b = await pair('Second');
    writeTree(a.root, { [`${SAVES}/gpSP/Shared.srm`]: 'from first' });
    // File times have one-second resolution here: make "newer" unambiguous (a tie would go to
    // the higher SHA-256, by the conflict rule).
    const earlier = new Date(Date.now() - 60_000);
    utimesSync(join(a.root, SAVES, 'gpSP/Shared.srm'), earlier, earlier);
    expect((await runShAsync('daemon.sh', ['--once'], { env: a.env })).status).toBe(0);
    // Second already has its own save of that game (newer), never synced.
    writeTree(b.root, { [`${SAVES}/gpSP/Shared.srm`]: 'from second' });
    const r = await runShAsync('daemon.sh', ['--once'], { env: b.env });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(b.root, SAVES, 'gpSP/Shared.srm'), 'utf8')).toBe('from second');
    expect((await user.save('gba/Shared/battery'))?.toString()).toBe('from second');
    const versions = await user.versions('gba/Shared/battery');
    expect(versions.map((v) => v.conflict).filter(Boolean)).toHaveLength(1);
  });
});

describe('daemon.sh loop', () => {
  it('one file per save: the folder the platform writes wins over its legacy folder, and stays settled', async () => {
    const d = await pair('Legacy');
    writeTree(d.root, {
      [`${SAVES}/gpSP/Twice.srm`]: 'current folder',
      '/mnt/SDCARD/RetroArch/.retroarch/saves/gpSP/Twice.srm': 'legacy folder',
    });
    expect((await runShAsync('daemon.sh', ['--once'], { env: d.env })).status).toBe(0);
    expect((await user.save('gba/Twice/battery'))?.toString()).toBe('current folder');
    const before = readFileSync(join(d.home, 'retrosync.log'), 'utf8').length;
    expect((await runShAsync('daemon.sh', ['--once'], { env: d.env })).status).toBe(0);
    expect(readFileSync(join(d.home, 'retrosync.log'), 'utf8').slice(before)).not.toMatch(/upload|download|changed/);
  });

  it('backs off 1, 2, 4 … s while the server is unreachable', async () => {
    const d = await pair('Backoff');
    const config = join(d.home, 'config');
    writeFileSync(config, readFileSync(config, 'utf8').replace(/^RS_SERVER=.*$/m, "RS_SERVER='http://127.0.0.1:9'"));
    const start = await runShAsync('launch.sh', ['start'], { env: d.env });
    expect(start.stdout).toMatch(/started/);
    try {
      await new Promise((r) => setTimeout(r, 8000));
    } finally {
      expect((await runShAsync('launch.sh', ['stop'], { env: d.env })).stdout).toMatch(/stopped/);
    }
    const waits = [...readFileSync(join(d.home, 'retrosync.log'), 'utf8').matchAll(/offline; retrying in (\d+)s/g)].map((m) => Number(m[1]));
    expect(waits.slice(0, 3)).toEqual([1, 2, 4]);
  }, 30_000);
});

describe('deletions', () => {
  it('a save deleted on the server is removed here only if unchanged since the sync, with a backup', async () => {
    const a = await pair('Deleter');
    const b = await pair('Follower');
    writeTree(a.root, { [`${SAVES}/gpSP/Gone.srm`]: 'to be deleted' });
    expect((await runShAsync('daemon.sh', ['--once'], { env: a.env })).status).toBe(0);
    expect((await runShAsync('daemon.sh', ['--once'], { env: b.env })).status).toBe(0);
    const local = join(b.root, SAVES, 'gpSP/Gone.srm');
    expect(readFileSync(local, 'utf8')).toBe('to be deleted');
    const key = /^RS_API_KEY='([0-9a-f]{64})'$/m.exec(readFileSync(join(a.home, 'config'), 'utf8'))?.[1] ?? '';
    const del = await fetch(`${server.url}/api/sync/saves/gba/Gone/battery`, { method: 'DELETE', headers: { 'x-api-key': key, 'x-base-version': '1' } });
    expect(del.status).toBe(200);
    expect((await runShAsync('daemon.sh', ['--once'], { env: b.env })).status).toBe(0);
    expect(existsSync(local)).toBe(false);
    const backups = join(b.home, 'backups');
    expect(readdirSync(backups).flatMap((d) => readdirSync(join(backups, d)).map((f) => readFileSync(join(backups, d, f), 'utf8')))).toContain('to be deleted');
  });
});

describe('names', () => {
  it('round-trips a save whose name has braces, quotes, %, #, & and non-ASCII, with base versions (no conflict)', async () => {
    const a = await pair('Names A');
    const b = await pair('Names B');
    const game = "Pokémon {Hack} & 'Quotes' [!] #1 %20 (Rev 1)";
    const file = `${SAVES}/gpSP/${game}.srm`;
    writeTree(a.root, { [file]: 'one' });
    expect((await runShAsync('daemon.sh', ['--once'], { env: a.env })).status).toBe(0);
    expect((await runShAsync('daemon.sh', ['--once'], { env: b.env })).status).toBe(0);
    expect(readFileSync(join(b.root, file), 'utf8')).toBe('one');
    const t = new Date(Date.now() - 5000);
    writeTree(b.root, { [file]: 'two!' });
    utimesSync(join(b.root, file), t, t);
    expect((await runShAsync('daemon.sh', ['--once'], { env: b.env })).status).toBe(0);
    expect((await runShAsync('daemon.sh', ['--once'], { env: a.env })).status).toBe(0);
    expect(readFileSync(join(a.root, file), 'utf8')).toBe('two!');
    const versions = await user.versions(`gba/${game}/battery`);
    expect(versions.map((v) => [v.version, v.conflict])).toEqual([[2, false], [1, false]]);
  });
});

/** RetroArch's RZIP: magic, u32 chunk size, u64 total, then u32 length + zlib stream per chunk. */
function rzip(raw: Buffer, chunk = 131072): Buffer {
  const header = Buffer.alloc(20);
  Buffer.from('#RZIPv\x01#', 'latin1').copy(header);
  header.writeUInt32LE(chunk, 8);
  header.writeBigUInt64LE(BigInt(raw.length), 12);
  const parts = [header];
  for (let i = 0; i < raw.length; i += chunk) {
    const z = deflateSync(raw.subarray(i, i + chunk));
    const len = Buffer.alloc(4);
    len.writeUInt32LE(z.length);
    parts.push(len, z);
  }
  return Buffer.concat(parts);
}

describe('RZIP (compressed) saves', () => {
  it('uploads an Onion state as its raw content, and refuses a damaged one', async () => {
    const d = await pair('Compressed');
    const raw = Buffer.alloc(300_000);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 7 + (i % 13)) & 255;
    const state = '/mnt/SDCARD/Saves/CurrentProfile/states/gpSP/Zipped.state1';
    writeTree(d.root, { [state]: rzip(raw) });
    const r = await runShAsync('daemon.sh', ['--once'], { env: d.env });
    expect(r.status, r.stderr).toBe(0);
    expect((await user.save('gba/Zipped/state/gpSP/1'))?.equals(raw)).toBe(true);

    const bad = rzip(raw);
    bad.fill(0x55, 200, 400); // inside the first zlib stream
    writeTree(d.root, { '/mnt/SDCARD/Saves/CurrentProfile/states/gpSP/Broken.state2': bad });
    const r2 = await runShAsync('daemon.sh', ['--once'], { env: d.env });
    expect(r2.status).toBe(1);
    expect(await user.save('gba/Broken/state/gpSP/2')).toBeNull();
    expect(readFileSync(join(d.home, 'retrosync.log'), 'utf8')).toMatch(/RZIP file does not inflate/);
  });
});

describe('setup.sh wizard and boot hooks', () => {
  it('pairs through the interactive wizard (answers on stdin)', async () => {
    const root = tempRoot('rs-wizard-');
    writeTree(root, MARKER);
    const home = join(root, 'home');
    const code = await user.pairingCode();
    const r = await runShAsync('setup.sh', ['--root', root], { env: { RETROSYNC_HOME: home }, input: `${server.url}\nWizard Mini\n${code}\n` });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Server URL/);
    expect(readFileSync(join(home, 'config'), 'utf8')).toContain("RS_DEVICE_NAME='Wizard Mini'");
  });

  it('adds the Knulli boot hook to /userdata/system/custom.sh once, and removes it', async () => {
    const d = await pair('Knulli', { '/usr/share/knulli/knulli.version': '40', '/userdata/system/': '' });
    const custom = join(d.root, 'userdata/system/custom.sh');
    writeFileSync(custom, '#!/bin/sh\necho mine\n');
    for (let i = 0; i < 2; i++) expect((await runShAsync('launch.sh', ['install-boot'], { env: d.env })).status).toBe(0);
    const text = readFileSync(custom, 'utf8');
    expect(text).toContain('echo mine');
    expect(text.match(/launch.sh" start/g)).toHaveLength(1);
    expect((await runShAsync('launch.sh', ['remove-boot'], { env: d.env })).status).toBe(0);
    expect(readFileSync(custom, 'utf8')).toBe('#!/bin/sh\necho mine\n');
  });
});
