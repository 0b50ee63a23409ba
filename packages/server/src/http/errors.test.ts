import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineRoute } from '@retrosync/api';
import { createLogger } from '../logger.js';
import { routeModules } from '../routes/index.js';
import { bearer, createTestContext, deviceHeaders, expectJson, pairDevice, registerUser, type TestContext } from '../test-support/index.js';
import { registerRoute } from './register-route.js';

const boom = defineRoute({ id: 'test.boom', method: 'GET', path: '/test/boom', auth: 'none', summary: 'throws', response: z.object({}) });
const upload = defineRoute({
  id: 'test.upload',
  method: 'PUT',
  path: '/test/upload/:name',
  auth: 'device',
  summary: 'raw body',
  params: z.object({ name: z.string().regex(/^[a-z]+$/) }),
  rawBody: { contentType: 'application/octet-stream' },
  response: z.object({ name: z.string(), bytes: z.number() }),
});
const echo = defineRoute({ id: 'test.echo', method: 'POST', path: '/test/echo', auth: 'none', summary: 'logs', body: z.unknown(), response: z.object({}) });

describe('HTTP error envelope, body handling and log redaction (sqlite)', () => {
  let ctx: TestContext;
  afterEach(async () => {
    await ctx?.close();
  });

  it('answers a bad percent-encoding in the URL in the envelope: invalid_key inside a save key', async () => {
    ctx = await createTestContext('sqlite');
    const { apiKey } = await pairDevice(ctx, (await registerUser(ctx)).token);
    const inKey = await ctx.app.inject({ method: 'GET', url: '/api/sync/saves/gba/%ZZ/battery', headers: deviceHeaders(apiKey) });
    expect(inKey.statusCode).toBe(400);
    expect(inKey.json()).toMatchObject({ success: false, code: 'invalid_key' });
    const put = await ctx.app.inject({ method: 'PUT', url: '/api/sync/versions/gba/%E0%A4%A/battery', headers: deviceHeaders(apiKey) });
    expect(put.json()).toMatchObject({ success: false, code: 'invalid_key' });
    const elsewhere = await ctx.app.inject({ method: 'GET', url: '/api/devices/%ZZ' });
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.json()).toMatchObject({ success: false, code: 'validation_failed' });
  });

  it('maps bad JSON, oversized bodies and wrong media types to coded errors', async () => {
    ctx = await createTestContext('sqlite', { env: { BODY_LIMIT_BYTES: '2048' } });
    const badJson = await ctx.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"email":' });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json()).toMatchObject({ success: false, code: 'invalid_json' });
    const big = await ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'a@b.co', password: 'x'.repeat(4000) } });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('payload_too_large');
    const form = await ctx.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'email=a' });
    expect(form.statusCode).toBe(415);
    expect(form.json().code).toBe('unsupported_media_type');
    const u = await registerUser(ctx);
    // An empty JSON body is "no body" (curl -X POST -H 'Content-Type: application/json').
    expectJson(await ctx.app.inject({ method: 'POST', url: '/api/devices/create-pairing-code', headers: { ...bearer(u.token), 'content-type': 'application/json' }, payload: '' }), 201);
  });

  it('hides internal errors behind internal_error and streams raw bodies to rawBody routes', async () => {
    ctx = await createTestContext('sqlite', {
      routeModules: [
        ...routeModules,
        (app) => {
          registerRoute(app, boom, async () => {
            throw new Error('connection string postgres://admin:hunter2@db');
          });
          registerRoute(app, upload, async ({ rawBody, params }) => {
            let bytes = 0;
            for await (const chunk of rawBody!) bytes += (chunk as Buffer).length;
            return { name: params.name, bytes };
          });
        },
      ],
    });
    const res = await ctx.app.inject({ method: 'GET', url: '/test/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ success: false, error: 'Something went wrong on the server.', code: 'internal_error' });
    const u = await registerUser(ctx);
    const d = await pairDevice(ctx, u.token);
    const put = (headers: Record<string, string>, payload: string | Buffer, name = 'abc') =>
      ctx.app.inject({ method: 'PUT', url: `/test/upload/${name}`, headers: { ...deviceHeaders(d.apiKey), ...headers }, payload });
    expect(expectJson(await put({ 'content-type': 'application/octet-stream' }, Buffer.alloc(5000)), 200).data).toEqual({ name: 'abc', bytes: 5000 });
    expect((await put({ 'content-type': 'application/json' }, '{}')).statusCode).toBe(415);
    const badParam = await put({ 'content-type': 'application/octet-stream' }, 'x', 'ABC');
    expect(badParam.statusCode).toBe(400);
    expect(badParam.json().details.fields[0]).toMatchObject({ in: 'params', field: 'name' });
  });

  it('logs routine device check-ins at debug and other requests at info', async () => {
    const lines: { level: number; url?: string; statusCode?: number; msg: string }[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        cb();
      },
    });
    ctx = await createTestContext('sqlite', { logger: createLogger('debug', sink) });
    const u = await registerUser(ctx);
    const d = await pairDevice(ctx, u.token);
    await ctx.app.inject({ method: 'POST', url: '/api/sync/heartbeat', headers: deviceHeaders(d.apiKey) });
    await ctx.app.inject({ method: 'POST', url: '/api/sync/heartbeat', headers: deviceHeaders('0'.repeat(64)) });
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests.find((l) => l.url === '/api/sync/heartbeat' && l.statusCode === 200)?.level).toBe(20);
    expect(requests.find((l) => l.url === '/api/sync/heartbeat' && l.statusCode === 401)?.level).toBe(30);
    expect(requests.find((l) => l.url === '/api/devices/pair')?.level).toBe(30);
  });

  it('never writes passwords, tokens or API keys to the log', async () => {
    let out = '';
    const sink = new Writable({
      write(chunk, _enc, cb) {
        out += String(chunk);
        cb();
      },
    });
    ctx = await createTestContext('sqlite', {
      logger: createLogger('trace', sink),
      routeModules: [
        ...routeModules,
        (app) =>
          registerRoute(app, echo, async ({ req, body }) => {
            req.log.info({ headers: req.headers, body }, 'echo');
            return {};
          }),
      ],
    });
    const u = await registerUser(ctx, { password: 'very secret password' });
    const d = await pairDevice(ctx, u.token);
    await ctx.app.inject({ method: 'POST', url: '/api/sync/heartbeat', headers: deviceHeaders(d.apiKey) });
    await ctx.app.inject({ method: 'POST', url: '/test/echo', headers: { ...bearer(u.token), 'x-api-key': d.apiKey, cookie: `retrosync_token=${u.token}` }, payload: { password: 'very secret password', apiKey: d.apiKey, token: u.token } });
    await ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: u.email, password: 'very secret password' } });
    expect(out).toContain('"msg":"echo"');
    expect(out).toContain('[redacted]');
    for (const secret of ['very secret password', u.token, d.apiKey]) expect(out).not.toContain(secret);
  });
});
