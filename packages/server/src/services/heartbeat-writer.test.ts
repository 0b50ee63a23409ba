import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, databaseTargets, userWithDevice, type TestContext } from '../test-support/index.js';
import { HeartbeatWriter } from './heartbeat-writer.js';

describe.each(databaseTargets())('heartbeat write-behind on %s', (target) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createTestContext(target);
  });
  afterEach(async () => {
    await ctx?.close();
  });

  const row = (id: string) => ctx.db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('writes many devices in one flush, merges each device’s updates, keeps columns an update left out, and skips removed devices and wrong owners', async () => {
    const a = await userWithDevice(ctx);
    const b = await userWithDevice(ctx);
    const gone = await userWithDevice(ctx);
    await ctx.db.updateTable('devices').set({ client_version: 'old', platform: 'miyoo' }).where('id', '=', a.device.device.id).execute();
    await ctx.db.updateTable('devices').set({ revoked_at: 5 }).where('id', '=', gone.device.device.id).execute();

    const writer = new HeartbeatWriter(ctx.db, 60_000);
    await writer.record(a.device.device.id, a.user.id, { last_heartbeat_at: 1_000, clock_offset_ms: -7 });
    await writer.record(a.device.device.id, a.user.id, { last_heartbeat_at: 2_000, last_sync_at: 2_000 });
    await writer.record(b.device.device.id, b.user.id, { last_heartbeat_at: 3_000, client_version: 'fleet', platform: 'linux' });
    await writer.record(gone.device.device.id, gone.user.id, { last_heartbeat_at: 4_000 });
    expect(writer.pending(a.device.device.id)).toMatchObject({ last_heartbeat_at: 2_000, clock_offset_ms: -7 });
    expect((await row(a.device.device.id)).last_heartbeat_at).toBeNull();

    await writer.flush();
    expect(await row(a.device.device.id)).toMatchObject({ last_heartbeat_at: 2_000, last_sync_at: 2_000, clock_offset_ms: -7, client_version: 'old', platform: 'miyoo' });
    expect(Number((await row(b.device.device.id)).last_heartbeat_at)).toBe(3_000);
    expect(await row(b.device.device.id)).toMatchObject({ client_version: 'fleet', platform: 'linux' });
    expect((await row(gone.device.device.id)).last_heartbeat_at).toBeNull();
    expect(writer.pending(a.device.device.id)).toEqual({});

    // A device id under another account: every write is scoped by owner, so nothing is written.
    await writer.record(b.device.device.id, a.user.id, { platform: 'spoofed' });
    await writer.flush();
    expect((await row(b.device.device.id)).platform).toBe('linux');
  });

  it('writes a fleet larger than one statement’s chunk in one flush', async () => {
    const u = await userWithDevice(ctx);
    const ids = Array.from({ length: 1_200 }, (_, i) => `fleet-${i}`);
    await ctx.db
      .insertInto('devices')
      .values(ids.map((id) => ({ id, user_id: u.user.id, name: id, device_type: 'other', api_key_hash: null, created_at: 0 })))
      .execute();
    const writer = new HeartbeatWriter(ctx.db, 60_000);
    for (const [i, id] of ids.entries()) await writer.record(id, u.user.id, { last_heartbeat_at: 10_000 + i });
    await writer.flush();
    const rows = await ctx.db.selectFrom('devices').select(['id', 'last_heartbeat_at']).where('id', 'like', 'fleet-%').execute();
    expect(rows).toHaveLength(1_200);
    for (const r of rows) expect(Number(r.last_heartbeat_at)).toBe(10_000 + Number(r.id.slice(6)));
  });
});
