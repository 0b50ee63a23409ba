import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { ApiError } from '@retrosync/api';
import { afterEach, describe, expect, it } from 'vitest';
import { httpRemote, StallError } from './http-remote.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  return new Promise((r) => server!.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server!.address() as { port: number }).port}`)));
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('httpRemote', () => {
  it('uploads raw bytes with hash, base, file time and device clock; streams big ones with progress', async () => {
    const seen: { url: string; headers: IncomingHttpHeaders; hash: string }[] = [];
    const url = await serve((req, res) => {
      const h = createHash('sha256');
      req.on('data', (c: Buffer) => h.update(c));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', headers: req.headers, hash: h.digest('hex') });
        const head = { key: 'k', version: 3, sha256: 'a'.repeat(64), size: 1, deleted: false, deviceId: 'd', fileMtime: 1, correctedMtime: 1, updatedAt: new Date().toISOString() };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ success: true, data: { outcome: 'accepted', head, stored: { version: 3 } } }));
      });
    });
    const remote = httpRemote({ server: url, apiKey: 'k'.repeat(64), deviceId: 'd', now: () => 1_700_000_000_000 });
    const big = randomBytes(3 * 1024 * 1024);
    const progress: number[] = [];
    const reply = await remote.upload('gba/Pokémon Emerald/battery', big, { sha256: sha(big), baseVersion: 2, fileMtimeMs: 1234.6 }, (done) => progress.push(done));
    expect(reply).toMatchObject({ outcome: 'accepted', storedVersion: 3 });
    expect(seen[0]!.url).toBe('/api/sync/saves/gba/Pok%C3%A9mon%20Emerald/battery');
    expect(seen[0]!.hash).toBe(sha(big));
    expect(seen[0]!.headers).toMatchObject({ 'x-content-sha256': sha(big), 'x-base-version': '2', 'x-file-mtime': '1235', 'x-client-time': '1700000000000', 'x-api-key': 'k'.repeat(64) });
    expect(progress.at(-1)).toBe(big.length);
    expect(progress.length).toBeGreaterThan(10);
    await remote.upload('gba/New/battery', Buffer.from('x'), { sha256: sha(Buffer.from('x')), baseVersion: null, fileMtimeMs: 1, info: { gameName: 'Pokémon Emerald', deviceName: 'Mini Plus', platform: 'onion' } });
    expect(seen[1]!.headers['x-base-version']).toBeUndefined();
    const metaHeader = seen[1]!.headers['x-save-metadata'] as string;
    expect(metaHeader).toMatch(/^[\x20-\x7e]+$/);
    expect(JSON.parse(metaHeader)).toEqual({ gameName: 'Pokémon Emerald', deviceName: 'Mini Plus', platform: 'onion' });
  });

  it('follows a presigned redirect without sending the API key there, and checks the bytes against the SHA-256 of the redirect', async () => {
    const body = randomBytes(300_000);
    let storageHeaders: IncomingHttpHeaders | undefined;
    let served = body;
    const storage = createServer((req, res) => {
      storageHeaders = req.headers;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(served.length) });
      res.end(served);
    });
    const storageUrl = await new Promise<string>((r) => storage.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(storage.address() as { port: number }).port}`)));
    try {
      let asked: IncomingHttpHeaders | undefined;
      const url = await serve((req, res) => {
        asked = req.headers;
        res.writeHead(307, { location: `${storageUrl}/bucket/u/ab/obj?X-Amz-Signature=s`, 'x-version': '4', 'x-content-sha256': sha(body), 'x-corrected-mtime': '1700000000000', 'content-length': '0' });
        res.end();
      });
      const remote = httpRemote({ server: url, apiKey: 'k'.repeat(64), deviceId: 'd' });
      const got = await remote.download('gba/Game/battery');
      expect(asked!['x-accept-presigned']).toBe('1');
      expect(Buffer.from(got.bytes).equals(body)).toBe(true);
      expect(got).toMatchObject({ version: 4, sha256: sha(body), correctedMtime: 1_700_000_000_000 });
      expect(storageHeaders!['x-api-key']).toBeUndefined();
      expect(storageHeaders!.authorization).toBeUndefined();
      served = randomBytes(10); // the storage hands out other bytes: refused
      await expect(remote.download('gba/Game/battery')).rejects.toMatchObject({ code: 'checksum_mismatch' });
    } finally {
      await new Promise<void>((r) => storage.close(() => r()));
    }
  });

  it('downloads bytes intact, with version and time, and refuses bytes that do not match the hash', async () => {
    const body = randomBytes(2 * 1024 * 1024);
    let lie = false;
    const url = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length), 'x-version': '7', 'x-content-sha256': lie ? 'b'.repeat(64) : sha(body), 'x-corrected-mtime': '1700000000000' });
      res.end(body);
    });
    const remote = httpRemote({ server: url, apiKey: 'k'.repeat(64), deviceId: 'd' });
    const progress: number[] = [];
    const got = await remote.download('gba/Game/battery', 7, (done) => progress.push(done));
    expect(Buffer.from(got.bytes).equals(body)).toBe(true);
    expect(got).toMatchObject({ version: 7, sha256: sha(body), correctedMtime: 1_700_000_000_000 });
    expect(progress.at(-1)).toBe(body.length);
    lie = true;
    await expect(remote.download('gba/Game/battery')).rejects.toThrow(/damaged in transit/);
  });

  it('turns an error envelope into ApiError with its code', async () => {
    const url = await serve((req, res) => {
      res.writeHead(413, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ success: false, error: 'Your storage quota is used up.', code: 'quota_exceeded' }));
    });
    const remote = httpRemote({ server: url, apiKey: 'k'.repeat(64), deviceId: 'd' });
    const err = await remote.upload('gba/G/battery', Buffer.from('x'), { sha256: sha(Buffer.from('x')), baseVersion: null, fileMtimeMs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'quota_exceeded', status: 413 });
  });

  it('transfers fail on stalls, not on total time: a slow steady download succeeds, a stalled one fails fast', async () => {
    const body = randomBytes(256 * 1024);
    let stall = false;
    const url = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length), 'x-version': '2', 'x-content-sha256': sha(body) });
      let off = 0;
      const tick = () => {
        if (off >= body.length) return void res.end();
        if (stall && off > 0) return; // sends the first chunk, then nothing
        res.write(body.subarray(off, off + 8 * 1024));
        off += 8 * 1024;
        setTimeout(tick, 100);
      };
      tick();
    });
    const remote = httpRemote({ server: url, apiKey: 'k'.repeat(64), deviceId: 'd', stallMs: 1_500 });
    const t0 = performance.now();
    const got = await remote.download('gba/Slow/battery', 2);
    expect(Buffer.from(got.bytes).equals(body)).toBe(true);
    expect(performance.now() - t0).toBeGreaterThan(1_500 * 2); // 32 steps of 100 ms: longer than the stall window
    stall = true;
    const t1 = performance.now();
    const err = await remote.download('gba/Slow/battery', 2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StallError);
    expect(performance.now() - t1).toBeLessThan(10_000);
  });

  it('a stalled upload fails with a transient stall error', async () => {
    const url = await serve(() => undefined); // reads nothing, answers nothing
    const remote = httpRemote({ server: url, apiKey: 'k'.repeat(64), deviceId: 'd', stallMs: 300 });
    const bytes = randomBytes(2 * 1024 * 1024);
    const err = await remote.upload('gba/G/battery', bytes, { sha256: sha(bytes), baseVersion: null, fileMtimeMs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StallError);
    server?.closeAllConnections();
  });

  it('sends the v1.1 clock headers (boot, uptime, last server time, time trust) and keeps the newest X-Server-Time', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const url = await serve((req, res) => {
      seen.push(req.headers);
      req.resume();
      req.on('end', () => {
        const head = { key: 'k', version: 3, sha256: 'a'.repeat(64), size: 1, deleted: false, deviceId: 'd', fileMtime: 1, correctedMtime: 1, updatedAt: new Date().toISOString() };
        res.writeHead(200, { 'content-type': 'application/json', 'x-server-time': String(1_800_000_000_000 + seen.length) });
        res.end(JSON.stringify({ success: true, data: { outcome: 'accepted', head, stored: { version: 3 } } }));
      });
    });
    const times: number[] = [];
    let last: number | null = null;
    const remote = httpRemote({
      server: url,
      apiKey: 'k'.repeat(64),
      deviceId: 'd',
      clock: { now: () => 5_000, boot: 'boot-1', uptimeMs: () => 42 },
      lastServerTime: () => last,
      onServerTime: (t) => (times.push(t), (last = t)),
    });
    await remote.upload('gba/G/battery', Buffer.from('x'), { sha256: sha(Buffer.from('x')), baseVersion: 1, fileMtimeMs: 1, timeTrust: 'untrusted' });
    expect(seen[0]).toMatchObject({ 'x-client-time': '5000', 'x-client-boot': 'boot-1', 'x-client-uptime': '42', 'x-time-trust': 'untrusted' });
    expect(seen[0]!['x-last-server-time']).toBeUndefined();
    const reply = await remote.deleteSave('gba/G/battery', { baseVersion: 3, fileMtimeMs: 7 });
    expect(reply.outcome).toBe('accepted');
    expect(seen[1]).toMatchObject({ 'x-base-version': '3', 'x-file-mtime': '7', 'x-last-server-time': '1800000000001' });
    expect(seen[1]!['x-time-trust']).toBeUndefined();
    expect(times).toEqual([1_800_000_000_001, 1_800_000_000_002]);
  });
});
