/**
 * Presigned downloads: with an S3 blob store and presigning on, a client that asks for it
 * (`X-Accept-Presigned: 1`) gets a 307 to a short-lived presigned GET with the SHA-256 and
 * version in the headers, and the bytes come from the S3 service without the API key; any other
 * client (older clients, the dashboard) still gets the bytes through the server.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3rver, type RunningS3rver } from '../storage/blob/test-support/s3rver.js';
import { createTestContext, deviceHeaders, expectJson, userWithDevice, type TestContext } from '../test-support/index.js';
import { saveUrl, upload } from '../sync/test-support/sync-context.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('presigned downloads from S3', () => {
  let s3: RunningS3rver;
  let on: TestContext;
  let off: TestContext;
  beforeAll(async () => {
    s3 = await startS3rver();
    const env = (mode: string) => ({
      MINIO_ENDPOINT: s3.endpoint,
      MINIO_ROOT_USER: s3.accessKeyId,
      MINIO_ROOT_PASSWORD: s3.secretAccessKey,
      MINIO_BUCKET: `presign-${mode}`,
      S3_PRESIGNED_DOWNLOADS: mode,
      PRESIGN_TTL_SECONDS: '60',
    });
    on = await createTestContext('sqlite', { env: env('on') });
    off = await createTestContext('sqlite', { env: env('auto') }); // a loopback endpoint: auto means off
  });
  afterAll(async () => {
    await on?.close();
    await off?.close();
    await s3?.stop();
  });

  it('answers 307 to a presigned GET that serves exactly the announced bytes, without the API key', async () => {
    const u = await userWithDevice(on);
    const bytes = Buffer.from('a real save, 0123456789'.repeat(100));
    expectJson(await upload(on, u.device.apiKey, 'gba/Presigned/battery', bytes), 200);
    const res = await on.app.inject({ method: 'GET', url: saveUrl('gba/Presigned/battery'), headers: { ...deviceHeaders(u.device.apiKey), 'x-accept-presigned': '1' } });
    expect(res.statusCode).toBe(307);
    expect(res.headers['x-content-sha256']).toBe(sha(bytes));
    expect(res.headers['x-version']).toBe('1');
    const location = String(res.headers.location);
    expect(location.startsWith(`${s3.endpoint}/presign-on/`)).toBe(true);
    expect(location).toMatch(/X-Amz-Expires=60/);
    expect(location).not.toContain(u.device.apiKey);
    const direct = await fetch(location);
    expect(direct.status).toBe(200);
    expect(sha(Buffer.from(await direct.arrayBuffer()))).toBe(res.headers['x-content-sha256']);
  });

  it('a client that does not ask, and If-None-Match on the current bytes, are answered by the server itself', async () => {
    const u = await userWithDevice(on);
    const bytes = Buffer.from('proxied bytes');
    expectJson(await upload(on, u.device.apiKey, 'gba/Proxied/battery', bytes), 200);
    const plain = await on.app.inject({ method: 'GET', url: saveUrl('gba/Proxied/battery'), headers: deviceHeaders(u.device.apiKey) });
    expect(plain.statusCode).toBe(200);
    expect(plain.rawPayload.equals(bytes)).toBe(true);
    const same = await on.app.inject({
      method: 'GET',
      url: saveUrl('gba/Proxied/battery'),
      headers: { ...deviceHeaders(u.device.apiKey), 'x-accept-presigned': '1', 'if-none-match': `"${sha(bytes)}"` },
    });
    expect(same.statusCode).toBe(304);
  });

  it('stays off for an S3 endpoint devices cannot reach (loopback, auto)', async () => {
    expect(off.config.presignedDownloads.enabled).toBe(false);
    const u = await userWithDevice(off);
    expectJson(await upload(off, u.device.apiKey, 'gba/Local/battery', 'local'), 200);
    const res = await off.app.inject({ method: 'GET', url: saveUrl('gba/Local/battery'), headers: { ...deviceHeaders(u.device.apiKey), 'x-accept-presigned': '1' } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('local');
  });
});
