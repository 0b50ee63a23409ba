/**
 * Issue 12 item 6 — every error in the envelope: invalid keys in JSON bodies, errors Node's HTTP
 * parser raises before Fastify sees a request, and downloads that log nothing when they finish
 * or the client goes away.
 */
import http from 'node:http';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { bearer, createTestContext, deviceHeaders, expectJson, userWithDevice, type TestContext } from '../test-support/index.js';
import { saveUrl, upload } from '../sync/test-support/sync-context.js';
import { isErrorEnvelope, rawRequest } from './test-support/raw-http.js';

describe('every error in the envelope', () => {
  let ctx: TestContext;
  afterEach(async () => {
    await ctx?.close();
  });

  it('POST /api/saves/restore with an invalid key answers 400 invalid_key (was 500)', async () => {
    ctx = await createTestContext('sqlite');
    const u = await userWithDevice(ctx);
    for (const key of ['../etc/passwd', 'gba/Game/save', 'GBA/x/battery', 'gba/a\u202Eb/battery']) {
      const res = await ctx.app.inject({ method: 'POST', url: '/api/saves/restore', headers: bearer(u.token), payload: { key, version: 1 } });
      expect(res.statusCode, key).toBe(400);
      expect(res.json(), key).toMatchObject({ success: false, code: 'invalid_key' });
    }
  });

  describe('parser-level errors over a socket', () => {
    let port: number;
    const open = async (env: Record<string, string> = {}) => {
      ctx = await createTestContext('sqlite', { env });
      await ctx.app.listen({ port: 0, host: '127.0.0.1' });
      port = (ctx.app.server.address() as { port: number }).port;
    };
    const cases: Array<[string, string, number]> = [
      ['duplicate Content-Length', 'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}', 400],
      ['negative Content-Length', 'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n', 400],
      ['Content-Length with Transfer-Encoding', 'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400],
      ['a control character in a header', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Evil: a\u0001b\r\n\r\n', 400],
      ['an oversized header', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
      ['a malformed request line', 'GARBAGE\r\n\r\n', 400],
    ];
    it.each(cases)('%s → coded envelope', async (_name, request, status) => {
      await open();
      const r = await rawRequest(port, request);
      expect(r.status).toBe(status);
      expect(r.headers['content-type']).toMatch(/application\/json/);
      expect(isErrorEnvelope(r.json), r.body).toBe(true);
    });

    it('headers that never finish → 408 request_timeout in the envelope', async () => {
      await open({ HEADERS_TIMEOUT_MS: '1000' });
      const r = await rawRequest(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n', 8_000);
      expect(r.status).toBe(408);
      expect(r.json).toMatchObject({ success: false, code: 'request_timeout' });
    });
  });

  it('30 plain downloads and 10 aborted ones log no error', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    ctx = await createTestContext('sqlite', { logger: createLogger('info', sink) });
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (ctx.app.server.address() as { port: number }).port;
    const u = await userWithDevice(ctx);
    const bytes = Buffer.alloc(512 * 1024, 7);
    expectJson(await upload(ctx, u.device.apiKey, 'gba/Big/battery', bytes), 200);
    const get = (abort: boolean) =>
      new Promise<void>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port, path: saveUrl('gba/Big/battery'), headers: deviceHeaders(u.device.apiKey) }, (res) => {
          if (abort) {
            res.once('data', () => {
              req.destroy();
              setTimeout(resolve, 50);
            });
          } else {
            res.resume();
            res.on('end', () => resolve());
          }
        });
        req.on('error', () => resolve());
      });
    for (let i = 0; i < 30; i++) await get(false);
    for (let i = 0; i < 10; i++) await get(true);
    await new Promise((r) => setTimeout(r, 200));
    const errors = lines.map((l) => JSON.parse(l)).filter((l) => l.level >= 50);
    expect(errors.map((e) => e.msg)).toEqual([]);
  });
});
