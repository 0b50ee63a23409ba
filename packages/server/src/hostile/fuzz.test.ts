/**
 * The standing hostile-input fuzzer: requests generated from the committed OpenAPI document
 * (packages/api/openapi.json) against every route, with valid credentials (a user session, a
 * device key, a cookie without the CSRF header) and invalid ones (none, junk, malformed, revoked).
 * Bodies and parameters mostly follow the schemas (so they reach the handlers), or break one
 * field, or are anything at all; raw bodies, hostile save keys and content types are mixed in.
 *
 * Every reply must be < 500, and every JSON reply in the envelope ({success:true,data} or
 * {success:false,error,code}). CI runs FUZZ_REQUESTS (default 3,000); `npm run fuzz` 50,000.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestContext, deviceHeaders, expectJson, pairDevice, registerUser, type TestContext } from '../test-support/index.js';
import { upload } from '../sync/test-support/sync-context.js';
import { fuzzValue, resolveRef } from './test-support/schema-arbitrary.js';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 3000);
const doc = JSON.parse(readFileSync(new URL('../../../api/openapi.json', import.meta.url), 'utf8'));

interface Op {
  id: string;
  method: string;
  path: string;
  params: Array<{ name: string; in: string; schema: any }>;
  jsonBody?: any;
  rawBody: boolean;
  secured: boolean;
}

const ops: Op[] = [];
for (const [path, byMethod] of Object.entries<any>(doc.paths)) {
  for (const [method, op] of Object.entries<any>(byMethod)) {
    const content = op.requestBody?.content ?? {};
    ops.push({
      id: op.operationId ?? `${method} ${path}`,
      method: method.toUpperCase(),
      path,
      params: (op.parameters ?? []).map((p: any) => ({ name: p.name, in: p.in, schema: resolveRef(doc, p.schema) })),
      jsonBody: content['application/json']?.schema,
      rawBody: 'application/octet-stream' in content,
      secured: Array.isArray(op.security) && op.security.length > 0,
    });
  }
}

const SAVE_KEYS = ['gba/Fuzz/battery', 'gba/Pokémon Emerald/battery', 'snes/Game (USA)/state/Snes9x/auto', 'gba/../battery', 'gba/\u202eevil/battery', 'GBA/x/battery', 'a/b', '%ZZ', 'gba/%2F/battery', ''];
type CredKind = 'none' | 'user' | 'device' | 'cookie-no-csrf' | 'junk-bearer' | 'malformed-key' | 'unknown-key' | 'revoked-key';
const CREDS: CredKind[] = ['none', 'user', 'device', 'cookie-no-csrf', 'junk-bearer', 'malformed-key', 'unknown-key', 'revoked-key'];
const VALID = new Set<CredKind>(['user', 'device']);

describe('OpenAPI-driven fuzzer', () => {
  let ctx: TestContext;
  let creds: Record<CredKind, Record<string, string>>;
  beforeAll(async () => {
    ctx = await createTestContext('sqlite', { logger: false });
    const u = await registerUser(ctx, { password: 'fuzz password never guessed' });
    const d = await pairDevice(ctx, u.token);
    const gone = await pairDevice(ctx, u.token);
    await ctx.app.inject({ method: 'DELETE', url: `/api/devices?deviceId=${gone.device.id}`, headers: bearer(u.token) });
    expectJson(await upload(ctx, d.apiKey, 'gba/Fuzz/battery', 'fuzz save bytes'), 200);
    creds = {
      none: {},
      user: bearer(u.token),
      device: deviceHeaders(d.apiKey),
      'cookie-no-csrf': { cookie: `retrosync_token=${u.token}` },
      'junk-bearer': { authorization: 'Bearer x.y.z' },
      'malformed-key': { 'x-api-key': 'not-a-key' },
      'unknown-key': deviceHeaders('a'.repeat(64)),
      'revoked-key': deviceHeaders(gone.apiKey),
    };
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it(`${REQUESTS} requests over every route: no 5xx, every JSON reply in the envelope`, async () => {
    const statuses = new Map<number, number>();
    const covered = new Set<string>();
    const failures: string[] = [];
    let sent = 0;
    let slowHealth = 0;
    const request = fc.record({
      op: fc.constantFrom(...ops),
      cred: fc.constantFrom(...CREDS),
      key: fc.oneof(fc.constantFrom(...SAVE_KEYS), fc.string({ unit: 'grapheme', maxLength: 60 })),
      query: fc.dictionary(fc.constantFrom('since', 'version', 'limit', 'offset', 'format', 'game', 'system', 'deviceId', 'x'), fc.string({ maxLength: 20 }), { maxKeys: 2 }),
      useSchemaQuery: fc.boolean(),
      queryValues: fc.array(fc.anything(), { maxLength: 6 }),
      body: fc.anything(),
      raw: fc.uint8Array({ maxLength: 2048 }),
      shaRight: fc.boolean(),
      contentType: fc.constantFrom('application/json', 'application/json', 'application/json', 'text/plain', 'application/octet-stream', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'),
      bodyMode: fc.constantFrom('schema', 'schema', 'schema', 'anything', 'garbage', 'none'),
      seed: fc.integer(),
    });

    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const { op } = r;
        // Path: the wildcard is a save key (sometimes hostile), encoded per segment or raw.
        const key = r.seed % 5 === 0 ? r.key : r.key.split('/').map(encodeURIComponent).join('/');
        let url = op.path.replace('*', key);
        // Query from the schema (sampled with the seed) or free-form.
        const qs = new URLSearchParams();
        if (r.useSchemaQuery) {
          for (const p of op.params.filter((x) => x.in === 'query')) {
            if (p.name === 'wait') continue; // a valid wait holds the request up to 60 s
            const sample = fc.sample(fuzzValue(doc, p.schema), { numRuns: 1, seed: r.seed })[0];
            if (sample !== undefined && r.seed % 3 !== 0) qs.set(p.name, typeof sample === 'string' ? sample : JSON.stringify(sample));
          }
        } else for (const [k, v] of Object.entries(r.query)) qs.set(k, v);
        if (qs.size > 0) url += `?${qs}`;
        const headers: Record<string, string> = { ...creds[r.cred] };
        let payload: string | Buffer | undefined;
        if (op.rawBody && r.bodyMode !== 'none') {
          payload = Buffer.from(r.raw);
          headers['content-type'] = r.contentType === 'application/json' ? 'application/octet-stream' : r.contentType;
          headers['x-content-sha256'] = r.shaRight ? createHash('sha256').update(payload).digest('hex') : 'f'.repeat(64);
        } else if (r.bodyMode === 'schema' && op.jsonBody) {
          payload = JSON.stringify(fc.sample(fuzzValue(doc, op.jsonBody), { numRuns: 1, seed: r.seed })[0] ?? null);
          headers['content-type'] = 'application/json';
        } else if (r.bodyMode === 'anything' && op.method !== 'GET') {
          payload = JSON.stringify(r.body) ?? 'null';
          headers['content-type'] = r.contentType;
        } else if (r.bodyMode === 'garbage' && op.method !== 'GET') {
          payload = Buffer.from(r.raw);
          headers['content-type'] = r.contentType;
        }
        // An event stream answers and then stays open: only unauthenticated attempts here.
        if (op.path === '/api/sync/events' && (VALID.has(r.cred) || r.cred === 'cookie-no-csrf')) {
          delete headers.authorization;
          delete headers.cookie;
          headers['x-api-key'] = 'b'.repeat(64);
        }
        const res = await ctx.app.inject({ method: op.method as any, url, headers, payload, remoteAddress: `10.77.0.${r.seed & 31}` });
        sent++;
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        covered.add(`${op.id}|${VALID.has(r.cred) ? 'valid' : 'invalid'}`);
        const type = String(res.headers['content-type'] ?? '');
        let problem: string | undefined;
        // /healthz answers 503 when a part did not answer within its timeout — on an overloaded
        // test machine that can happen with nothing broken. It is a health answer, in the
        // envelope and naming the part, and counted apart; any other 5xx is a failure.
        const healthDown = op.path === '/healthz' && res.statusCode === 503 && res.json()?.code === 'storage_unavailable' && res.json()?.details;
        if (healthDown) slowHealth++;
        else if (res.statusCode >= 500) problem = `status ${res.statusCode}`;
        else if (type.includes('json') && op.path !== '/api/openapi.json') {
          let body: any;
          try {
            body = res.json();
          } catch {
            problem = 'JSON content type but not JSON';
          }
          if (body && !(body.success === true ? 'data' in body : body.success === false && typeof body.error === 'string' && typeof body.code === 'string')) problem = 'not in the envelope';
        } else if (res.statusCode >= 400) problem = `error reply of type ${type || '(none)'} is not the JSON envelope`;
        if (problem) {
          const line = `${op.method} ${url} [${r.cred}] → ${res.statusCode} ${problem}: ${res.body.slice(0, 300)}`;
          failures.push(line);
          throw new Error(line);
        }
        return true;
      }),
      { numRuns: REQUESTS, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 1e9) },
    );
    const fives = [...statuses].filter(([s]) => s >= 500).reduce((a, [, n]) => a + n, 0) - slowHealth;
    console.log(
      `fuzz: ${sent} requests over ${ops.length} operations, ${fives} × 5xx, ${failures.length} outside the envelope, ${slowHealth} × /healthz 503 (a part too slow under load); statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`,
    );
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(REQUESTS);
    if (REQUESTS >= 3000) {
      const missing = ops.flatMap((o) => ['valid', 'invalid'].filter((k) => !covered.has(`${o.id}|${k}`)).map((k) => `${o.id} (${k})`));
      expect(missing).toEqual([]);
    }
  }, Math.max(120_000, REQUESTS * 40));
});
