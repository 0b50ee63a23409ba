/**
 * Issue 12 items 3, 4, 5 — limits that hold under bursts and across replicas, without locking
 * honest users out. "Checked" below means the secret was compared: 400 invalid_code / 401
 * invalid_credentials. A refusal before the check is 429.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, createTestContext, databaseTargets, expectJson, registerUser, type TestContext } from '../test-support/index.js';
import { startReplica } from './test-support/replicas.js';

const MIN = 60_000;
const WINDOW = 15 * MIN;
const count = (rs: LightMyRequestResponse[], status: number) => rs.filter((r) => r.statusCode === status).length;
/** The figure each burst test prints: how many were checked, how many refused before the check. */
const figure = (what: string, rs: LightMyRequestResponse[], checked: number) => console.log(`burst: ${what}: ${rs.length} sent, ${count(rs, checked)} checked, ${count(rs, 429)} refused (429)`);
const atWindowStart = (ctx: TestContext) => ctx.clock.set(Math.ceil(ctx.clock.now() / WINDOW) * WINDOW + 1);
const wrongPassword = (app: FastifyInstance, email: string, ip: string) =>
  app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: ip, payload: { email, password: 'not the password' } });
const pair = (app: FastifyInstance, code: string, ip: string) =>
  app.inject({ method: 'POST', url: '/api/devices/pair', remoteAddress: ip, payload: { code, deviceName: 'x', deviceType: 'linux' } });
const createCode = async (ctx: TestContext, token: string) =>
  expectJson(await ctx.app.inject({ method: 'POST', url: '/api/devices/create-pairing-code', headers: bearer(token) }), 201).data;
/** A code of the same length that is not `code`. */
const other = (code: string) => (code[0] === '9' ? '1' : '9') + code.slice(1);

// Bursts of hundreds of requests through a pool of 4 PostgreSQL connections, on a shared CI machine.
const BURST_TIMEOUT_MS = 120_000;

describe.each(databaseTargets())('limits under bursts on %s', (target) => {
  let ctx: TestContext;
  afterEach(async () => {
    await ctx?.close();
  }, BURST_TIMEOUT_MS);

  it('400 simultaneous wrong passwords from one address: at most 10 are checked', async () => {
    ctx = await createTestContext(target);
    atWindowStart(ctx);
    const u = await registerUser(ctx);
    const rs = await Promise.all(Array.from({ length: 400 }, () => wrongPassword(ctx.app, u.email, '203.0.113.7')));
    figure(`${target}, wrong passwords from one address`, rs, 401);
    expect(count(rs, 401)).toBeLessThanOrEqual(10);
    expect(count(rs, 401) + count(rs, 429)).toBe(400);
  }, BURST_TIMEOUT_MS);

  it('1,000 simultaneous wrong pairing codes from one address: at most 5 are checked', async () => {
    ctx = await createTestContext(target);
    atWindowStart(ctx);
    const u = await registerUser(ctx);
    const c = await createCode(ctx, u.token);
    const rs = await Promise.all(Array.from({ length: 1000 }, () => pair(ctx.app, other(c.code), '203.0.113.8')));
    figure(`${target}, wrong pairing codes from one address`, rs, 400);
    expect(count(rs, 400)).toBeLessThanOrEqual(5);
    expect(count(rs, 400) + count(rs, 429)).toBe(1000);
  }, BURST_TIMEOUT_MS);

  it('1,000 simultaneous wrong 6-digit codes from 200 addresses: at most PAIRING_GLOBAL_FAILURES are checked, and pairing still works (the next code is longer)', async () => {
    ctx = await createTestContext(target);
    atWindowStart(ctx);
    const u = await registerUser(ctx);
    const c = await createCode(ctx, u.token);
    expect(c.code).toMatch(/^[0-9]{6}$/);
    const rs = await Promise.all(Array.from({ length: 1000 }, (_, i) => pair(ctx.app, other(c.code), `198.51.${i % 200}.1`)));
    figure(`${target}, wrong 6-digit codes from 200 addresses`, rs, 400);
    expect(count(rs, 400)).toBeLessThanOrEqual(10);
    // The owner is not locked out: a new code is 12 digits, outside the exhausted 6-digit budget.
    const fresh = await createCode(ctx, u.token);
    expect(fresh.code).toMatch(/^[0-9]{12}$/);
    expectJson(await pair(ctx.app, fresh.code, '192.0.2.10'), 201);
  }, BURST_TIMEOUT_MS);

  it('device-code requests from attackers do not take a signed-in user\'s slot', async () => {
    ctx = await createTestContext(target);
    atWindowStart(ctx);
    for (let i = 0; i < 20; i++) {
      await ctx.app.inject({ method: 'POST', url: '/api/devices/code', remoteAddress: `198.51.100.${i}`, payload: { deviceName: 'x', deviceType: 'other' } });
    }
    const u = await registerUser(ctx);
    const c = await createCode(ctx, u.token);
    expectJson(await pair(ctx.app, c.code, '192.0.2.11'), 201);
  }, BURST_TIMEOUT_MS);

  it('a botnet guessing one account does not lock its owner out (known address at once, a new one after a short wait)', async () => {
    ctx = await createTestContext(target);
    atWindowStart(ctx);
    const u = await registerUser(ctx);
    const ok = (ip: string) => ctx.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: ip, payload: { email: u.email, password: u.password } });
    expectJson(await ok('192.0.2.20'), 200);
    const rs = await Promise.all(Array.from({ length: 1000 }, (_, i) => wrongPassword(ctx.app, u.email, `10.${Math.floor(i / 250)}.${i % 250}.1`)));
    figure(`${target}, wrong passwords for one account from 1,000 addresses`, rs, 401);
    // The account is throttled: the botnet got few guesses in.
    expect(count(rs, 401)).toBeLessThanOrEqual(10);
    expectJson(await ok('192.0.2.20'), 200);
    // From an address the account never used: at most one spacing interval of waiting.
    let res = await ok('192.0.2.99');
    if (res.statusCode === 429) {
      const wait = Number(res.headers['retry-after']);
      expect(wait).toBeLessThanOrEqual(10);
      ctx.clock.advance(wait * 1000);
      res = await ok('192.0.2.99');
    }
    expectJson(res, 200);
    // Other accounts are untouched (no server-wide wall).
    const v = await registerUser(ctx);
    expectJson(await ctx.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: '192.0.2.30', payload: { email: v.email, password: v.password } }), 200);
  }, BURST_TIMEOUT_MS);

  it('registration is rate-limited per address', async () => {
    ctx = await createTestContext(target);
    atWindowStart(ctx);
    const rs: LightMyRequestResponse[] = [];
    for (let i = 0; i < 25; i++) {
      rs.push(await ctx.app.inject({ method: 'POST', url: '/api/auth/register', remoteAddress: '203.0.113.50', payload: { email: `r${i}@example.com`, password: 'correct horse battery' } }));
    }
    figure(`${target}, registrations from one address`, rs, 201);
    expect(count(rs, 201)).toBe(10);
    expect(count(rs, 429)).toBe(15);
    expectJson(await ctx.app.inject({ method: 'POST', url: '/api/auth/register', remoteAddress: '203.0.113.51', payload: { email: 'other@example.com', password: 'correct horse battery' } }), 201);
  }, BURST_TIMEOUT_MS);
});

describe.runIf(databaseTargets().includes('postgres'))('two replicas sharing one PostgreSQL', () => {
  let ctx: TestContext;
  let replica: Awaited<ReturnType<typeof startReplica>> | undefined;
  afterEach(async () => {
    await replica?.close();
    await ctx?.close();
  }, BURST_TIMEOUT_MS);

  it('do not double the budgets: wrong passwords and pairing codes split over both', async () => {
    ctx = await createTestContext('postgres');
    replica = await startReplica(ctx);
    atWindowStart(ctx);
    const apps = [ctx.app, replica.app];
    const u = await registerUser(ctx);
    const logins = await Promise.all(Array.from({ length: 400 }, (_, i) => wrongPassword(apps[i % 2]!, u.email, '203.0.113.7')));
    expect(count(logins, 401)).toBeLessThanOrEqual(10);
    const c = await createCode(ctx, u.token);
    const one = await Promise.all(Array.from({ length: 400 }, (_, i) => pair(apps[i % 2]!, other(c.code), '203.0.113.8')));
    expect(count(one, 400)).toBeLessThanOrEqual(5);
    const many = await Promise.all(Array.from({ length: 600 }, (_, i) => pair(apps[i % 2]!, other(c.code), `198.51.${i % 150}.2`)));
    figure('2 replicas, wrong passwords from one address', logins, 401);
    figure('2 replicas, wrong pairing codes from one address', one, 400);
    figure('2 replicas, wrong pairing codes from 150 addresses (after the above)', many, 400);
    expect(count(one, 400) + count(many, 400)).toBeLessThanOrEqual(10);
  }, BURST_TIMEOUT_MS);
});

describe('the pairing bound as implemented', () => {
  it('defaults keep P(hit a live code) below 1e-4: 2·10·4/10^6 + 2·5000·1000/10^12 = 9e-5', async () => {
    const { loadConfig } = await import('../config.js');
    const { pairingGuessBound, PAIRING_BOUND } = await import('../http/limits.js');
    const p = loadConfig({}).pairing;
    expect(pairingGuessBound(p)).toBeCloseTo(9e-5, 12);
    expect(pairingGuessBound(p)).toBeLessThan(PAIRING_BOUND);
  }, BURST_TIMEOUT_MS);

  it('settings that would break it are refused at start-up', async () => {
    const { loadConfig, ConfigError } = await import('../config.js');
    expect(() => loadConfig({ PAIRING_MAX_LIVE_CODES: '10', PAIRING_GLOBAL_FAILURES: '10' })).toThrow(ConfigError);
    expect(() => loadConfig({ PAIRING_MAX_LONG_CODES: '100000', PAIRING_LONG_FAILURES: '5000' })).toThrow(/10\^-4/);
    expect(() => loadConfig({ PAIRING_MAX_LIVE_CODES: '10', PAIRING_GLOBAL_FAILURES: '4' })).not.toThrow();
  }, BURST_TIMEOUT_MS);
});
