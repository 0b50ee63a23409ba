import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { ApiError } from '@retrosync/api';
import { afterEach, describe, expect, it } from 'vitest';
import { httpRemote } from './http-remote.js';

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
});
