/**
 * Authorization matrix, built from `allRoutes`: every route that needs credentials × every
 * hostile credential. New contract routes join automatically; give them an `example` request so
 * the "another user's credential" cases reach the handler (placeholders: `{victimDeviceId}`).
 */
import { createHash } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes, buildPath, type AnyRoute } from '@retrosync/api';
import { TOKEN_TTL_MS } from '../security/jwt.js';
import {
  bearer,
  createTestContext,
  databaseTargets,
  deviceHeaders,
  expectJson,
  pairDevice,
  registerUser,
  TEST_JWT_SECRET,
  type PairedDevice,
  type RegisteredUser,
  type TestContext,
} from '../test-support/index.js';

type CaseName = 'no credentials' | "another user's JWT" | "another user's device key" | 'a revoked key' | 'an expired JWT' | 'a tampered JWT' | 'an alg:none JWT';
const CASES: CaseName[] = ['no credentials', "another user's JWT", "another user's device key", 'a revoked key', 'an expired JWT', 'a tampered JWT', 'an alg:none JWT'];

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

const protectedRoutes = allRoutes.filter((r) => r.auth !== 'none');

describe.each(databaseTargets())('authorization matrix on %s', (target) => {
  let ctx: TestContext;
  let victim: RegisteredUser & { device: PairedDevice };
  let attacker: RegisteredUser & { device: PairedDevice };
  const headers = {} as Record<CaseName, Record<string, string>>;
  let victimMarkers: string[];
  let baseUrl: string | undefined;

  beforeAll(async () => {
    ctx = await createTestContext(target, {
      env: { PAIRING_IP_FAILURES: '100000', PAIRING_USER_FAILURES: '100000', LOGIN_IP_FAILURES: '100000', LOGIN_ACCOUNT_FAILURES: '100000', REGISTER_IP_LIMIT: '100000' },
    });
    const v = await registerUser(ctx, { name: 'Victim Person' });
    victim = { ...v, device: await pairDevice(ctx, v.token, { deviceName: 'VictimHandheld' }) };
    await ctx.app.inject({ method: 'POST', url: '/api/sync/log', headers: deviceHeaders(victim.device.apiKey), payload: { action: 'upload', filePath: 'gba/VictimGame.sav' } });
    // The victim owns the save the save routes' examples name (restore, delete versions, delete the save), with two versions.
    for (const [bytes, base] of [['victim v1', null], ['victim v2', '1']] as const) {
      const headers: Record<string, string> = { ...deviceHeaders(victim.device.apiKey), 'content-type': 'application/octet-stream', 'x-content-sha256': createHash('sha256').update(bytes).digest('hex') };
      if (base) headers['x-base-version'] = base;
      expectJson(await ctx.app.inject({ method: 'PUT', url: '/api/sync/saves/gba/Game/battery', headers, payload: bytes }), 200);
    }
    const a = await registerUser(ctx, { name: 'Attacker' });
    attacker = { ...a, device: await pairDevice(ctx, a.token, { deviceName: 'AttackerBox' }) };
    const revoked = await pairDevice(ctx, a.token, { deviceName: 'Old' });
    expectJson(await ctx.app.inject({ method: 'DELETE', url: `/api/devices?deviceId=${revoked.device.id}`, headers: bearer(a.token) }), 200);

    const now = ctx.clock.now();
    const expired = createSigner({ key: TEST_JWT_SECRET, algorithm: 'HS256', expiresIn: TOKEN_TTL_MS, clockTimestamp: now - TOKEN_TTL_MS - 60_000 })({
      userId: victim.user.id,
      email: victim.email,
      type: 'user',
    });
    const [h, , s] = attacker.token.split('.');
    const tampered = `${h}.${b64url({ userId: victim.user.id, email: victim.email, type: 'user', iat: Math.floor(now / 1000), exp: Math.floor(now / 1000) + 3600 })}.${s}`;
    const algNone = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ userId: victim.user.id, email: victim.email, type: 'user', iat: Math.floor(now / 1000), exp: Math.floor(now / 1000) + 3600 })}.`;

    headers['no credentials'] = {};
    headers["another user's JWT"] = bearer(attacker.token);
    headers["another user's device key"] = deviceHeaders(attacker.device.apiKey);
    headers['a revoked key'] = deviceHeaders(revoked.apiKey);
    headers['an expired JWT'] = bearer(expired);
    headers['a tampered JWT'] = bearer(tampered);
    headers['an alg:none JWT'] = bearer(algNone);
    victimMarkers = [victim.user.id, victim.email, victim.device.device.id, 'VictimHandheld', 'Victim Person', 'VictimGame'];
  });
  afterAll(async () => {
    await ctx?.close();
  });

  function fill(value: unknown): unknown {
    if (typeof value === 'string') return value.replaceAll('{victimDeviceId}', victim.device.device.id);
    if (Array.isArray(value)) return value.map(fill);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    return value;
  }

  /** Injects the route's example request. Event streams are read for a moment, then closed. */
  async function call(route: AnyRoute, extra: Record<string, string>): Promise<{ statusCode: number; body: string }> {
    const ex = (fill(route.example ?? {}) as AnyRoute['example']) ?? {};
    const url = buildPath(route.path, ex.params ?? Object.fromEntries([...route.path.matchAll(/:([A-Za-z0-9_*]+)/g)].map((m) => [m[1]!, 'x'])));
    const qs = ex.query ? `?${new URLSearchParams(ex.query).toString()}` : '';
    const reqHeaders: Record<string, string> = { ...ex.headers, ...extra };
    if (route.rawBody && ex.body !== undefined) reqHeaders['content-type'] = route.rawBody.contentType;
    const opts = {
      method: route.method,
      url: `${url}${qs}`,
      headers: reqHeaders,
      ...(ex.body !== undefined ? { payload: (route.rawBody ? String(ex.body) : ex.body) as string } : {}),
    };
    if (route.rawResponse?.contentType !== 'text/event-stream') {
      const res = await ctx.app.inject(opts);
      return { statusCode: res.statusCode, body: res.body };
    }
    // Event streams hold the connection open: use a real socket, read briefly, then abort.
    baseUrl ??= await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const abort = new AbortController();
    const res = await fetch(`${baseUrl}${opts.url}`, { method: opts.method, headers: reqHeaders, signal: abort.signal });
    const reader = res.body!.getReader();
    let text = '';
    const deadline = Date.now() + 300;
    try {
      while (Date.now() < deadline) {
        const next = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
        if (next === null || next.done) break;
        text += Buffer.from(next.value).toString('utf8');
      }
    } finally {
      abort.abort();
    }
    return { statusCode: res.status, body: text };
  }

  it('covers every protected route', () => {
    expect(protectedRoutes.length).toBeGreaterThan(0);
  });

  const matrix = protectedRoutes.flatMap((route) => CASES.map((c) => [`${route.method} ${route.path}`, c, route] as const));

  it.each(matrix)('%s with %s', async (_name, credential, route) => {
    const res = await call(route, headers[credential]);
    const body = (res.body.startsWith('{') ? JSON.parse(res.body) : {}) as { success?: boolean; code?: string };
    const acceptsUser = route.auth === 'user' || route.auth === 'user_or_device';
    const acceptsDevice = route.auth === 'device' || route.auth === 'user_or_device';
    switch (credential) {
      case 'no credentials':
      case 'a revoked key':
      case 'a tampered JWT':
      case 'an alg:none JWT':
        expect(res.statusCode, res.body).toBe(401);
        expect(body.code).toBe('unauthorized');
        break;
      case 'an expired JWT':
        expect(res.statusCode, res.body).toBe(401);
        expect(body.code).toBe('token_expired');
        break;
      case "another user's JWT":
      case "another user's device key": {
        const accepted = credential === "another user's JWT" ? acceptsUser : acceptsDevice;
        if (!accepted) {
          expect(res.statusCode, res.body).toBe(403);
          expect(body.code).toBe('wrong_credential_type');
        } else {
          // Authenticated as the attacker: the request may succeed on the attacker's own data or be
          // refused (400 bad example / 403 not yours / 404 / 401 only for re-entering the
          // attacker's own password wrongly), but never touch or show the victim's.
          if (res.statusCode === 401) expect(body.code).toBe('invalid_credentials');
          else expect([200, 201, 400, 403, 404, 409, 410, 413, 415], res.body).toContain(res.statusCode);
        }
        break;
      }
    }
    for (const marker of victimMarkers) expect(res.body).not.toContain(marker);
  });

  it("leaves the victim's account, device and log untouched", async () => {
    const list = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/devices', headers: bearer(victim.token) }), 200);
    expect(list.data.devices).toHaveLength(1);
    expect(list.data.devices[0]).toMatchObject({ id: victim.device.device.id, name: 'VictimHandheld', isActive: true });
    const me = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(victim.token) }), 200);
    expect(me.data.user.name).toBe('Victim Person');
    const logs = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/log', headers: bearer(victim.token) }), 200);
    expect(logs.data.total).toBe(1);
    expectJson(await ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: victim.email, password: victim.password } }), 200);
    const versions = expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/versions/gba/Game/battery', headers: bearer(victim.token) }), 200);
    expect(versions.data.versions.map((v: { version: number; deleted: boolean }) => [v.version, v.deleted])).toEqual([[2, false], [1, false]]);
  });
});
