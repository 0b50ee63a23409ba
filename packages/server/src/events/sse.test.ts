import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { LocalEventHub } from './event-hub.js';
import { formatSse, streamEvents } from './sse.js';

class FakeResponse extends EventEmitter {
  chunks: string[] = [];
  status = 0;
  headers: Record<string, string> = {};
  writeHead(status: number, headers: Record<string, string>) {
    this.status = status;
    this.headers = headers;
    return this;
  }
  write(chunk: string) {
    this.chunks.push(chunk);
    return true;
  }
}

describe('streamEvents', () => {
  it('sends hello, the user’s events, heartbeats, and unsubscribes on close', async () => {
    const hub = new LocalEventHub();
    const res = new FakeResponse();
    const done = streamEvents({ hub, userId: 'u1', res: res as unknown as ServerResponse, hello: { cursor: 7 }, heartbeatMs: 20 });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(res.chunks[0]).toContain(formatSse('hello', { cursor: 7 }));
    await hub.publish('u2', { type: 'device', data: { deviceId: 'x', online: true } });
    await hub.publish('u1', { type: 'device', data: { deviceId: 'd1', online: false } });
    await new Promise((r) => setTimeout(r, 70));
    expect(res.chunks).toContain('event: device\ndata: {"deviceId":"d1","online":false}\n\n');
    expect(res.chunks.join('')).not.toContain('"x"');
    expect(res.chunks.filter((c) => c === ': ping\n\n').length).toBeGreaterThanOrEqual(2);
    expect(hub.subscriberCount()).toBe(1);
    res.emit('close');
    await done;
    expect(hub.subscriberCount()).toBe(0);
  });
});
