import { afterEach, describe, expect, it } from 'vitest';
import { createTestContext, deviceHeaders, expectJson, userWithDevice, type TestContext } from '../test-support/index.js';
import { saveUrl, upload } from '../sync/test-support/sync-context.js';

describe('storage failures', () => {
  let ctx: TestContext;
  afterEach(async () => {
    await ctx?.close();
  });

  it('an unreachable S3 store answers 503 storage_unavailable after its retries, and records nothing', async () => {
    ctx = await createTestContext('sqlite', {
      configure: (c) => ({ ...c, s3: { endpoint: 'http://127.0.0.1:9', accessKeyId: 'x', secretAccessKey: 'y', bucket: 'down', region: 'us-east-1' } }),
    });
    const u = await userWithDevice(ctx);
    const res = await upload(ctx, u.device.apiKey, 'gba/Game/battery', 'bytes');
    expect(expectJson(res, 503)).toMatchObject({ success: false, code: 'storage_unavailable' });
    expect(expectJson(await ctx.app.inject({ method: 'GET', url: '/api/sync/files?since=0', headers: deviceHeaders(u.device.apiKey) }), 200).data.count).toBe(0);
    expect((await ctx.app.inject({ method: 'GET', url: saveUrl('gba/Game/battery'), headers: deviceHeaders(u.device.apiKey) })).statusCode).toBe(404);
  });
});
