import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, authRoutes, createApiClient, deviceRoutes, heartbeatRoutes, syncLogRoutes } from '@retrosync/api';
import { createTestContext, type TestContext } from '../test-support/index.js';

describe('typed client against a listening server (sqlite)', () => {
  let ctx: TestContext;
  let baseUrl: string;
  beforeAll(async () => {
    ctx = await createTestContext('sqlite');
    baseUrl = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('registers, pairs, heartbeats and reads the log with typed results', async () => {
    const anon = createApiClient({ baseUrl });
    const { token, user } = await anon.call(authRoutes.register, { body: { email: 'Client@Example.com', password: 'client password' } });
    expect(user.email).toBe('client@example.com');
    const me = anon.with({ token });
    const { code } = await me.call(deviceRoutes.createPairingCode, {});
    const { apiKey, device } = await anon.call(deviceRoutes.pair, { body: { code, deviceName: 'Deck', deviceType: 'linux' } });
    const dev = anon.with({ apiKey });
    const hb = await dev.call(heartbeatRoutes.heartbeat, { body: { clientVersion: '1.2.3' }, headers: { 'x-client-time': new Date().toISOString() } });
    expect(hb.deviceId).toBe(device.id);
    await dev.call(syncLogRoutes.create, { body: { action: 'upload', filePath: 'gba/A.sav' } });
    const logs = await me.call(syncLogRoutes.list, { query: { deviceId: device.id } });
    expect(logs.total).toBe(1);
    expect(logs.logs[0]?.deviceName).toBe('Deck');
  });

  it('throws ApiError with code, status and details', async () => {
    const anon = createApiClient({ baseUrl });
    const err = await anon.call(authRoutes.register, { body: { email: 'nope', password: 'x' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'validation_failed', status: 400 });
    expect((err as ApiError).details?.fields).toBeDefined();
    await expect(anon.call(deviceRoutes.list, { query: {} })).rejects.toMatchObject({ code: 'unauthorized', status: 401 });
  });
});
