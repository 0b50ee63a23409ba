/**
 * CI form of `npm run test:retroarch`: the request sequences the real RetroArch 1.20.0 and
 * 1.22.2 sent (recorded by retroarch.real.test.ts into fixtures/), replayed against the /dav/
 * endpoint with the handheld uploads and dashboard restores between them. Every reply must have
 * the status the real binary got, every manifest.server the same entries (hashes are MD5s of
 * content, so they do not depend on the run), every downloaded body the same MD5.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { expectJson, pairDevice, registerUser, type TestContext } from '../../packages/server/src/test-support/index.js';
import { createSyncTestContext, saveUrl, syncTargets, upload } from '../../packages/server/src/sync/test-support/sync-context.js';
import type { Fixture } from './fixture.js';

const dir = join(import.meta.dirname, 'fixtures');
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ name: f.replace(/\.json$/, ''), fixture: JSON.parse(readFileSync(join(dir, f), 'utf8')) as Fixture }));

const SENT = ['content-type', 'content-length', 'destination', 'overwrite', 'depth'];
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

describe.each(syncTargets())('recorded RetroArch sessions replayed on %s', (target) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createSyncTestContext(target);
  });
  afterEach(async () => {
    await ctx?.close();
  });

  it.each(fixtures)('$name: RetroArch $fixture.retroarch gets the same answers', async ({ fixture }) => {
    expect(fixture.steps.length).toBeGreaterThan(5);
    const user = await registerUser(ctx);
    const ra = await pairDevice(ctx, user.token, { deviceName: `RetroArch ${fixture.retroarch}` });
    const handheld = await pairDevice(ctx, user.token, { deviceName: 'MinUI', deviceType: 'miyoo_mini' });
    const basic = { authorization: `Basic ${Buffer.from(`RetroArch:${ra.apiKey}`).toString('base64')}` };
    let requests = 0;
    for (const step of fixture.steps) {
      if (step.type === 'upload') {
        let base: number | null = null;
        if (step.base === 'head') {
          const head = await ctx.app.inject({ method: 'GET', url: saveUrl(step.key), headers: { 'x-api-key': handheld.apiKey } });
          base = Number(head.headers['x-version']);
        }
        const res = await upload(ctx, handheld.apiKey, step.key, Buffer.from(step.body, 'base64'), { base });
        expect(expectJson(res, 200).data.outcome).toBe('accepted');
      } else if (step.type === 'restore') {
        const res = await ctx.app.inject({ method: 'POST', url: '/api/saves/restore', headers: { authorization: `Bearer ${user.token}` }, payload: { key: step.key, version: step.version } });
        expectJson(res, 200);
      } else if (step.type === 'retroarch') {
        for (const ex of step.exchanges) {
          const headers: Record<string, string> = { ...basic };
          for (const h of SENT) if (ex.headers[h] !== undefined) headers[h] = ex.headers[h] as string;
          const body = Buffer.from(ex.body, 'base64');
          const res = await ctx.app.inject({ method: ex.method as 'GET', url: ex.path, headers, ...(body.length > 0 ? { payload: body } : {}) });
          requests++;
          const what = `${step.label}: ${ex.method} ${ex.path}`;
          expect(res.statusCode, what).toBe(ex.status);
          if (ex.response.manifest !== undefined) expect(JSON.parse(res.body), what).toEqual(ex.response.manifest);
          else if (ex.method === 'GET' && ex.status === 200) expect(md5(res.rawPayload), what).toBe(ex.response.md5);
        }
      }
    }
    expect(requests).toBeGreaterThan(20);
  });
});
