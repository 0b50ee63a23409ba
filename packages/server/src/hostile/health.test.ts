/**
 * Issue 12 item 7 — /healthz tells the truth: it checks the blob store (reachable and writable),
 * says which part is down, and answers non-2xx so a load balancer takes the replica out.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../test-support/index.js';
import { HEALTH_CACHE_MS } from '../routes/system.js';

describe('health', () => {
  let ctx: TestContext;
  afterEach(async () => {
    await ctx?.close();
  });

  it('reports database and storage ok', async () => {
    ctx = await createTestContext('sqlite');
    const res = await ctx.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({ status: 'ok', database: 'ok', storage: 'ok' });
  });

  it('an unreachable S3 store → 503 naming storage as the part that is down', async () => {
    ctx = await createTestContext('sqlite', {
      configure: (c) => ({ ...c, s3: { endpoint: 'http://127.0.0.1:9', accessKeyId: 'x', secretAccessKey: 'y', bucket: 'down', region: 'us-east-1' } }),
    });
    const res = await ctx.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ success: false, code: 'storage_unavailable', details: { database: 'ok', storage: 'down' } });
  });

  it('a blob folder that cannot be written → 503; healthy again once fixed (the check is cached a few seconds)', async () => {
    ctx = await createTestContext('sqlite');
    const root = join(ctx.config.dataDir, 'blobs');
    await rm(root, { recursive: true, force: true });
    await writeFile(root, 'not a folder'); // even root can not create files under a file
    const down = await ctx.app.inject({ method: 'GET', url: '/healthz' });
    expect(down.statusCode).toBe(503);
    expect(down.json().details).toMatchObject({ database: 'ok', storage: 'down' });
    await rm(root);
    await mkdir(root);
    expect((await ctx.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(503); // cached
    await new Promise((r) => setTimeout(r, HEALTH_CACHE_MS + 100));
    expect((await ctx.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
