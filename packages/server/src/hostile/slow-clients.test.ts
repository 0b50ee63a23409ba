/**
 * Issue 12 item 2 — slow and stalled requests end: a JSON body that trickles is cut at its
 * deadline, an upload that stops making progress is cut (a long, steady slow upload is not), and
 * one address can hold only so many open bodies and uploads. (The 300-connection memory bound
 * runs against a server in its own process: slow-300.test.ts.)
 */
import net from 'node:net';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deviceHeaders, expectJson, userWithDevice, type TestContext } from '../test-support/index.js';
import { createSyncTestContext, sha256 } from '../sync/test-support/sync-context.js';
import { parseRawReply, type RawReply } from './test-support/raw-http.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens a socket, sends `head`, then feeds the body through `feed`; resolves with the reply once the server closed the connection. */
function slowRequest(port: number, head: string, feed: (write: (b: Buffer | string) => boolean, stopped: () => boolean) => Promise<void>) {
  const started = Date.now();
  return new Promise<RawReply & { closedAfterMs: number }>((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    let closed = false;
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => {});
    socket.on('close', () => {
      closed = true;
      resolve({ ...parseRawReply(Buffer.concat(chunks).toString()), closedAfterMs: Date.now() - started });
    });
    socket.write(head);
    // The socket is never ended from this side (a server drops a half-closed request): the
    // server closes it, after answering or when it cuts the request.
    void feed(
      (b) => !closed && socket.write(b),
      () => closed,
    );
  });
}

describe('slow clients', () => {
  let ctx: TestContext;
  let port: number;
  afterEach(async () => {
    await ctx?.close();
  });
  const open = async (env: Record<string, string>) => {
    ctx = await createSyncTestContext('sqlite+folder', { env });
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    port = (ctx.app.server.address() as { port: number }).port;
  };
  const uploadHead = (apiKey: string, key: string, size: number, sha: string) =>
    `PUT /api/sync/saves/${key} HTTP/1.1\r\nHost: x\r\nX-API-Key: ${apiKey}\r\nContent-Type: application/octet-stream\r\n` +
    `X-Content-SHA256: ${sha}\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`;

  it('a JSON body trickling in one byte at a time is cut at BODY_TIMEOUT_MS with 408 request_timeout', async () => {
    await open({ BODY_TIMEOUT_MS: '1500' });
    const body = JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(200) });
    const r = await slowRequest(port, `POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`, async (write, stopped) => {
      for (const ch of body) {
        if (stopped()) return;
        write(ch);
        await sleep(300);
      }
    });
    expect(r.status).toBe(408);
    expect(r.json).toMatchObject({ success: false, code: 'request_timeout' });
    expect(r.closedAfterMs).toBeLessThan(5000);
  });

  it('a stalled upload is cut after UPLOAD_STALL_MS without progress and leaves nothing behind', async () => {
    await open({ UPLOAD_STALL_MS: '1500' });
    const u = await userWithDevice(ctx);
    const full = Buffer.alloc(1024 * 1024, 9);
    const r = await slowRequest(port, uploadHead(u.device.apiKey, 'gba/Stall/battery', full.length, sha256(full)), async (write) => {
      write(full.subarray(0, 100_000));
    });
    expect(r.status).toBe(408);
    expect(r.json).toMatchObject({ success: false, code: 'request_timeout' });
    expect(r.closedAfterMs).toBeLessThan(6000);
    expect(await readdir(join(ctx.config.dataDir, 'tmp', 'uploads'))).toEqual([]);
  });

  it('an upload trickling a few bytes per window is cut too (progress, not liveness)', async () => {
    await open({ UPLOAD_STALL_MS: '1500', UPLOAD_MIN_BYTES: '1024' });
    const u = await userWithDevice(ctx);
    const full = Buffer.alloc(64 * 1024, 8);
    const r = await slowRequest(port, uploadHead(u.device.apiKey, 'gba/Trickle/battery', full.length, sha256(full)), async (write, stopped) => {
      for (let i = 0; i < full.length && !stopped(); i += 10) {
        write(full.subarray(i, i + 10));
        await sleep(100);
      }
    });
    expect(r.status).toBe(408);
    expect(r.closedAfterMs).toBeLessThan(6000);
  });

  it('a long, steady upload on a slow link succeeds (it outlasts several stall windows)', async () => {
    await open({ UPLOAD_STALL_MS: '1500', UPLOAD_MIN_BYTES: '1024' });
    const u = await userWithDevice(ctx);
    const full = Buffer.alloc(120 * 1024, 7);
    const r = await slowRequest(port, uploadHead(u.device.apiKey, 'gba/Steady/battery', full.length, sha256(full)), async (write) => {
      // 2 KiB every 100 ms: ~6 s in all, 4 stall windows.
      for (let i = 0; i < full.length; i += 2048) {
        write(full.subarray(i, i + 2048));
        await sleep(100);
      }
    });
    expect(r.status, r.body).toBe(200);
    expect(r.closedAfterMs).toBeGreaterThan(4500);
  });

  it('bounds concurrent uploads and open bodies per address (429 at once, the others go on)', async () => {
    await open({ UPLOADS_PER_ADDRESS: '2', BODIES_PER_ADDRESS: '3', UPLOAD_STALL_MS: '3000', BODY_TIMEOUT_MS: '3000' });
    const u = await userWithDevice(ctx);
    const full = Buffer.alloc(200_000, 1);
    const hold = async (write: (b: Buffer) => boolean) => {
      write(full.subarray(0, 1000));
      await sleep(1500);
      write(full.subarray(1000));
    };
    const uploads = await Promise.all([0, 1, 2, 3].map((i) => slowRequest(port, uploadHead(u.device.apiKey, `gba/C${i}/battery`, full.length, sha256(full)), hold)));
    expect(uploads.map((r) => r.status).sort()).toEqual([200, 200, 429, 429]);
    const refused = uploads.find((r) => r.status === 429)!;
    expect(refused.json).toMatchObject({ success: false, code: 'rate_limited' });
    expect(refused.closedAfterMs).toBeLessThan(1000);
    // JSON bodies: three may be open at once from one address, the fourth is refused.
    const body = JSON.stringify({ email: 'a@example.com', password: 'wrong password here' });
    const json = await Promise.all(
      [0, 1, 2, 3].map(() =>
        slowRequest(port, `POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`, async (write) => {
          write(body.slice(0, 5));
          await sleep(800);
          write(body.slice(5));
        }),
      ),
    );
    expect(json.map((r) => r.status).sort()).toEqual([401, 401, 401, 429]);
    // The counters come back down: a normal request afterwards works.
    expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/files?since=0', headers: deviceHeaders(u.device.apiKey) }), 200);
  });
});
