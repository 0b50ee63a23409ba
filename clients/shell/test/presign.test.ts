/**
 * Presigned downloads on the shell client: with saves in S3 and presigning on, the server answers
 * a download with 307 to the S3 service; busybox + curl fetch the bytes from there without the
 * API key and keep them only if they match the SHA-256 the server gave.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3rver, type RunningS3rver } from '../../../packages/server/src/storage/blob/test-support/s3rver.js';
import { ONION_SAVES, pairDevice, type User } from './devices.js';
import { newUser, startServer, type RunningServer } from './server.js';

let s3: RunningS3rver;
let storage: Server;
let server: RunningServer;
let user: User;
/** What devices sent to the storage service (through the recording proxy in front of s3rver). */
const seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> = [];
let corrupt = false;

beforeAll(async () => {
  s3 = await startS3rver();
  const target = new URL(s3.endpoint);
  storage = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      if (corrupt) {
        r.resume();
        res.writeHead(200, { 'content-length': '7' });
        res.end('garbage');
        return;
      }
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => storage.listen(0, '127.0.0.1', () => r()));
  const publicEndpoint = `http://127.0.0.1:${(storage.address() as AddressInfo).port}`;
  server = await startServer({
    MINIO_ENDPOINT: s3.endpoint,
    MINIO_ROOT_USER: s3.accessKeyId,
    MINIO_ROOT_PASSWORD: s3.secretAccessKey,
    MINIO_BUCKET: 'shell-presign',
    MINIO_PUBLIC_ENDPOINT: publicEndpoint,
  });
  user = await newUser(server.url, `presign-${Date.now()}@example.com`);
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await new Promise<void>((r) => (storage ? storage.close(() => r()) : r()));
  await s3?.stop();
});

describe('shell client: presigned downloads', () => {
  it('fetches the bytes from the storage service without its API key, and refuses bytes that do not match', async () => {
    const a = await pairDevice(user, server.url, 'Writer');
    const b = await pairDevice(user, server.url, 'Reader');
    const path = `${ONION_SAVES}/gpSP/Presigned Game.srm`;
    a.write(path, 'bytes through S3', new Date(Date.now() - 60_000));
    expect((await a.once()).status).toBe(0);

    corrupt = true;
    const refused = await b.once();
    expect(refused.status).not.toBe(0);
    expect(b.log()).toMatch(/SHA-256 mismatch/);
    expect(() => b.read(path)).toThrow();

    corrupt = false;
    seen.length = 0;
    const r = await b.once();
    expect(r.status, r.stderr + b.log()).toBe(0);
    expect(b.read(path)).toBe('bytes through S3');
    const gets = seen.filter((s) => s.method === 'GET');
    expect(gets.length).toBe(1);
    expect(gets[0]!.url).toMatch(/X-Amz-Signature=/);
    expect(gets[0]!.headers['x-api-key']).toBeUndefined();
    expect(JSON.stringify(gets[0]!.headers)).not.toContain(b.apiKey());
  }, 90_000);
});
