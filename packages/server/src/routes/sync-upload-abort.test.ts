import http from 'node:http';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceHeaders, expectJson, userWithDevice, type TestContext } from '../test-support/index.js';
import { createSyncTestContext, sha256, syncTargets } from '../sync/test-support/sync-context.js';

describe.each(syncTargets())('aborted uploads on %s', (target) => {
  let ctx: TestContext;
  let port: number;
  beforeEach(async () => {
    ctx = await createSyncTestContext(target);
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    port = (ctx.app.server.address() as { port: number }).port;
  });
  afterEach(async () => {
    await ctx?.close();
  });

  it('a client that disconnects mid-body stores nothing and leaves no temp file', async () => {
    const u = await userWithDevice(ctx);
    const full = Buffer.alloc(1024 * 1024, 5);
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'PUT',
      path: '/api/sync/saves/gba/Aborted/battery',
      headers: { ...deviceHeaders(u.device.apiKey), 'content-type': 'application/octet-stream', 'x-content-sha256': sha256(full), 'content-length': String(full.length) },
    });
    req.on('error', () => {});
    req.write(full.subarray(0, 200_000));
    await new Promise((r) => setTimeout(r, 200));
    req.destroy();
    await new Promise((r) => setTimeout(r, 300));
    expect(expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/files?since=0', headers: deviceHeaders(u.device.apiKey) }), 200).data.count).toBe(0);
    expect(await readdir(join(ctx.config.dataDir, 'tmp', 'uploads'))).toEqual([]);
    const blobs = [];
    for await (const b of ctx.app.deps.sync.blobs.list()) blobs.push(b);
    expect(blobs).toEqual([]);
  });
});
