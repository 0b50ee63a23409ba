import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, deviceHeaders, pairDevice, userWithDevice, type TestContext } from '../test-support/index.js';
import { createSyncTestContext, syncTargets, upload } from '../sync/test-support/sync-context.js';

/** Reads server-sent events from a fetch body, resolving each with its arrival time. */
function eventReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return async function next(): Promise<{ event: string; data: any; at: number }> {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = block.split('\n');
        const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
        const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
        if (event) return { event, data: data ? JSON.parse(data) : null, at: performance.now() };
        continue; // comment / retry line
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buffer += decoder.decode(value, { stream: true });
    }
  };
}

describe.each(syncTargets())('server-sent events on %s', (target) => {
  let ctx: TestContext;
  let base: string;
  beforeEach(async () => {
    ctx = await createSyncTestContext(target);
    base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterEach(async () => {
    await ctx?.close();
  });

  it('pushes save and conflict events to another device within 100 ms, and to the dashboard session', async () => {
    const u = await userWithDevice(ctx);
    const pc = await pairDevice(ctx, u.token, { deviceName: 'PC' });
    const abort = new AbortController();
    const device = await fetch(`${base}/api/sync/events`, { headers: deviceHeaders(pc.apiKey), signal: abort.signal });
    const dashboard = await fetch(`${base}/api/sync/events`, { headers: bearer(u.token), signal: abort.signal });
    expect(device.status).toBe(200);
    expect(device.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const nextDevice = eventReader(device.body!);
    const nextDashboard = eventReader(dashboard.body!);
    expect((await nextDevice()).event).toBe('hello');
    expect((await nextDashboard()).data).toMatchObject({ cursor: 0 });

    // Measured from the acknowledged upload (the change is committed by then), like the long-poll
    // tests: the upload's own time (spooling, S3, the transaction) is not the push's delay. An
    // event that arrived before the acknowledgement is read from the buffer at once.
    await upload(ctx, u.device.apiKey, 'gba/Game/battery', 'one', { mtime: Date.UTC(2026, 0, 1) - 5000 });
    const acked = performance.now();
    const e = await nextDevice();
    expect(e).toMatchObject({ event: 'save', data: { key: 'gba/Game/battery', version: 1, deleted: false, deviceId: u.device.device.id, cursor: 1 } });
    expect(e.at - acked).toBeLessThan(100);
    expect((await nextDashboard()).event).toBe('save');

    // Two devices edit from version 1: a conflict event names the winner and the loser.
    await upload(ctx, u.device.apiKey, 'gba/Game/battery', 'two', { base: 1, mtime: Date.UTC(2026, 0, 1) - 3000 });
    await upload(ctx, pc.apiKey, 'gba/Game/battery', 'three', { base: 1, mtime: Date.UTC(2026, 0, 1) - 4000 });
    expect((await nextDevice()).event).toBe('save');
    expect(await nextDevice()).toMatchObject({ event: 'conflict', data: { key: 'gba/Game/battery', winner: { version: 2 }, loser: { version: 3, deviceId: pc.device.id } } });
    abort.abort();
  });

  it('refuses a stream without credentials', async () => {
    const res = await fetch(`${base}/api/sync/events`);
    expect(res.status).toBe(401);
  });
});

describe('shutdown with held connections', () => {
  it('closing the app ends event streams and answers held long polls at once', async () => {
    const [target] = syncTargets();
    const ctx = await createSyncTestContext(target!);
    const base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const u = await userWithDevice(ctx);
    const stream = await fetch(`${base}/api/sync/events`, { headers: deviceHeaders(u.device.apiKey) });
    const poll = fetch(`${base}/api/sync/files?since=0&wait=60`, { headers: deviceHeaders(u.device.apiKey) });
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    const closed = ctx.close();
    const polled = await poll;
    expect(polled.status).toBe(200);
    expect((await polled.json()).data).toEqual({ files: [], count: 0, cursor: 0 });
    expect(await stream.text()).toContain('event: hello');
    await closed;
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
