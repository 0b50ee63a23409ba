/**
 * Faults the client must survive: killed in the middle of a download (through a proxy that
 * stalls the bytes of a real server), and a hostile server naming files with `../` or through
 * a symlink out of the root.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeClient, startServer, until, type Client } from './harness.js';

const MINUI_DIR = 'mnt/SDCARD/Saves';
const MINUI_FILE = `${MINUI_DIR}/GBA/Big Game.gba.sav`;
const ONION_DIR = 'mnt/SDCARD/Saves/CurrentProfile/saves';
const ONION_FILE = `${ONION_DIR}/gpSP/Big Game.srm`;

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

function listen(server: Server): Promise<string> {
  return new Promise((res) => server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    res(`http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`);
  }));
}

/** A pass-through proxy that, when `stall` is on, sends the first bytes of a save download and then nothing. */
async function stallingProxy(target: string) {
  const t = new URL(target);
  const state = { stall: false, stalledBytes: 0 };
  const server = createServer((req, res) => {
    const up = request({ host: t.hostname, port: t.port, path: req.url, method: req.method, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      const isDownload = req.method === 'GET' && (req.url ?? '').startsWith('/api/sync/saves/');
      if (!(state.stall && isDownload)) return void upRes.pipe(res);
      upRes.once('data', (chunk: Buffer) => {
        res.write(chunk.subarray(0, Math.min(chunk.length, 65_536)));
        state.stalledBytes += Math.min(chunk.length, 65_536);
        upRes.pause(); // and never resume: the client waits mid-body
      });
    });
    req.pipe(up);
  });
  const url = await listen(server);
  return { url, state, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

async function pairVia(c: Client, url: string, code: string, platform: string) {
  const r = await c.cli('pair', code, '--server', url, '--platform', platform, '--root', c.root, '--name', c.name);
  expect(r.status, r.stderr).toBe(0);
}

describe('client faults', () => {
  it('a client killed during a download leaves the old save intact, and catches up later', async () => {
    const server = await startServer();
    closers.push(() => server.close());
    const proxy = await stallingProxy(server.url);
    closers.push(proxy.close);
    const a = makeClient('dl-a', [MINUI_DIR]);
    const b = makeClient('dl-b', [ONION_DIR]);
    await pairVia(a, server.url, await server.pairingCode(), 'minui');
    await pairVia(b, proxy.url, await server.pairingCode(), 'onion');

    const v1 = randomBytes(3 * 1024 * 1024);
    const v2 = randomBytes(3 * 1024 * 1024);
    a.write(MINUI_FILE, v1, Date.now() - 120_000);
    expect((await a.cli('sync')).status).toBe(0);
    expect((await b.cli('sync')).status).toBe(0);
    expect(readFileSync(b.path(ONION_FILE)).equals(v1)).toBe(true);

    a.write(MINUI_FILE, v2, Date.now() - 60_000);
    expect((await a.cli('sync')).status).toBe(0);
    proxy.state.stall = true;
    const child = b.spawn('sync');
    await until(() => proxy.state.stalledBytes > 0, 20_000, 'the download to start');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    expect(readFileSync(b.path(ONION_FILE)).equals(v1)).toBe(true);
    expect(readdirSync(b.path(`${ONION_DIR}/gpSP`))).toEqual(['Big Game.srm']);

    proxy.state.stall = false;
    expect((await b.cli('sync')).status).toBe(0);
    expect(readFileSync(b.path(ONION_FILE)).equals(v2)).toBe(true);
  }, 90_000);

  it('a malicious server cannot make the client write outside its roots', async () => {
    const payload = Buffer.from('PWNED by a hostile server');
    const sha = createHash('sha256').update(payload).digest('hex');
    const keys = [
      'gba/../../../../../../tmp/rs-evil/battery',
      '../../../../escape/x/battery',
      'gba/..\\..\\..\\evil/battery',
      'gba/Evil/battery',
      '/etc/passwd',
      'gba/%2e%2e%2f%2e%2e%2fevil/battery',
    ];
    const downloads: string[] = [];
    const hostile = createServer((req, res) => {
      const url = req.url ?? '';
      const json = (status: number, body: unknown) => (res.writeHead(status, { 'content-type': 'application/json' }), res.end(JSON.stringify(body)));
      if (url.startsWith('/api/sync/files')) {
        const files = keys.map((key, i) => ({ key, version: 1, sha256: sha, size: payload.length, deleted: false, deviceId: 'evil', fileMtime: 1, correctedMtime: 1, updatedAt: new Date().toISOString(), system: 'gba', game: 'x', kind: 'battery', cursor: i + 1, metadata: null }));
        return json(200, { success: true, data: { files, count: files.length, cursor: keys.length } });
      }
      if (url.startsWith('/api/sync/saves/')) {
        downloads.push(url);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-version': '1', 'x-content-sha256': sha, 'content-length': String(payload.length) });
        return res.end(payload);
      }
      if (url.startsWith('/api/sync/log') || url.startsWith('/api/sync/heartbeat')) return json(201, { success: true, data: {} });
      return json(404, { success: false, error: 'no', code: 'not_found' });
    });
    const url = await listen(hostile);
    closers.push(() => new Promise<void>((r) => hostile.close(() => r())));

    const base = mkdtempSync(join(tmpdir(), 'rs-e2e-hostile-'));
    const outside = join(base, 'outside');
    mkdirSync(outside);
    const c = makeClient('hostile', [ONION_DIR]);
    // a folder inside the root that is a symlink to somewhere else
    symlinkSync(outside, c.path(`${ONION_DIR}/gpSP`));
    mkdirSync(c.home, { recursive: true });
    writeFileSync(
      join(c.home, 'config.json'),
      JSON.stringify({ server: url, deviceId: 'dev-1', deviceName: 'victim', apiKey: 'a'.repeat(64), platform: 'onion', roots: [c.root], pairedAt: new Date().toISOString() }),
      { mode: 0o600 },
    );
    const r = await c.cli('sync', '--json');
    expect(r.status, r.stderr).toBe(0);

    const found: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile() && readFileSync(p).includes(payload)) found.push(p);
      }
    };
    walk(base);
    walk(join(c.root, '..'));
    expect(found).toEqual([]);
    expect(readdirSync(outside)).toEqual([]);
    const log = readFileSync(join(c.home, 'retrosync.log'), 'utf8');
    expect(log).toMatch(/not placing gba\/Evil\/battery on this device: refusing to write .* outside the configured roots/);
    expect(log).toMatch(/not placing \.\.\/\.\.\/\.\.\/\.\.\/escape/);
  }, 60_000);
});
