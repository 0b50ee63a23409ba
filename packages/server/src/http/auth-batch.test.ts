import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KyselyPlugin as Plugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { ManualClock } from '../clock.js';
import { createJwtService } from '../security/jwt.js';
import { sha256Hex } from '../security/tokens.js';
import { createTestContext, databaseTargets, registerUser, type TestContext } from '../test-support/index.js';
import { createAuthenticator } from './auth.js';
import { DeviceKeyCache } from './device-cache.js';

/** Counts the statements a Kysely instance runs. */
class Counting implements Plugin {
  statements = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.statements++;
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

const asRequest = (key: string) => ({ headers: { 'x-api-key': key } }) as unknown as FastifyRequest;

describe.each(databaseTargets())('device key lookups under a reconnecting fleet on %s', (target) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createTestContext(target);
  });
  afterEach(async () => {
    await ctx?.close();
  });

  // bench:fleet: 10,000 devices coming online at once queued one single-row query per request.
  it('looks up keys asked for together in one query, shares a lookup of one key, and still tells each caller the truth', async () => {
    const user = await registerUser(ctx);
    const keys = Array.from({ length: 40 }, () => randomBytes(32).toString('hex'));
    await ctx.db
      .insertInto('devices')
      .values(keys.map((k, i) => ({ id: `d${i}`, user_id: user.user.id, name: `D${i}`, device_type: 'other', api_key_hash: sha256Hex(k), created_at: 0, revoked_at: i === 39 ? 1 : null })))
      .execute();
    const counting = new Counting();
    const auth = createAuthenticator(ctx.db.withPlugin(counting), createJwtService('x'.repeat(40), new ManualClock(0)), new DeviceKeyCache(new ManualClock(0)));

    const unknown = randomBytes(32).toString('hex');
    const asked = [...keys, keys[0]!, keys[1]!, unknown];
    const results = await Promise.allSettled(asked.map((k) => auth.authenticate(asRequest(k), 'device')));
    expect(counting.statements).toBe(1);
    results.slice(0, 39).forEach((r, i) => expect(r.status === 'fulfilled' && r.value?.kind === 'device' && r.value.deviceId).toBe(`d${i}`));
    expect(results[39]).toMatchObject({ status: 'rejected', reason: { code: 'unauthorized' } }); // removed
    expect(results[40]).toMatchObject({ status: 'fulfilled', value: { deviceId: 'd0' } });
    expect(results[41]).toMatchObject({ status: 'fulfilled', value: { deviceId: 'd1' } });
    expect(results[42]).toMatchObject({ status: 'rejected', reason: { code: 'unauthorized' } }); // unknown

    // Cached now: no more queries.
    await auth.authenticate(asRequest(keys[5]!), 'device');
    expect(counting.statements).toBe(1);
  });
});
