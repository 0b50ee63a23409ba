import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Backoff } from '../net/backoff.js';
import { httpRemote } from '../net/http-remote.js';
import type { RemoteHead } from '../net/remote.js';
import { memoryLogger } from '../state/log.js';
import { RemoteListener } from './remote-listener.js';

const KEY = 'gba/Game/battery';
const SHA = 'a'.repeat(64);
let server: Server | undefined;
let listener: RemoteListener | undefined;

afterEach(async () => {
  await listener?.stop();
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
});

function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  return new Promise((r) => server!.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server!.address() as { port: number }).port}`)));
}

function listen(url: string, onChange: (hint?: RemoteHead) => void): RemoteListener {
  const remote = httpRemote({ server: url, apiKey: 'k'.repeat(64), deviceId: 'me' });
  listener = new RemoteListener({ server: url, apiKey: 'k'.repeat(64), remote, log: memoryLogger(), cursor: () => 3, onChange, waitSeconds: 1, backoff: new Backoff(5, 20) });
  listener.start();
  return listener;
}

describe('RemoteListener', () => {
  it('turns SSE save events of other devices into hinted changes, ignoring its own', async () => {
    const url = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: hello\ndata: {"cursor":3}\n\n');
      res.write(`event: save\ndata: ${JSON.stringify({ key: 'gba/Mine/battery', version: 2, sha256: SHA, deviceId: 'me', cursor: 4 })}\n\n`);
      res.write(': ping\n\n');
      res.write(`event: save\ndata: ${JSON.stringify({ key: KEY, version: 5, sha256: SHA, size: 9, deleted: false, deviceId: 'other', cursor: 5 })}\n\n`);
    });
    const changes: (RemoteHead | undefined)[] = [];
    const l = listen(url, (h) => changes.push(h));
    await expect.poll(() => changes.length).toBe(2);
    expect(changes[0]).toBeUndefined(); // hello: catch up
    expect(changes[1]).toMatchObject({ key: KEY, version: 5, sha256: SHA, deviceId: 'other' });
    expect(l.mode).toBe('sse');
  });

  it('falls back to long polling /api/sync/files when the server has no event stream', async () => {
    const polls: string[] = [];
    const url = await serve((req, res) => {
      if ((req.url ?? '').startsWith('/api/sync/events')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ success: false, error: 'no', code: 'route_not_found' }));
      }
      polls.push(req.url ?? '');
      const file = { key: KEY, version: 4, sha256: SHA, size: 1, deleted: false, deviceId: 'other', fileMtime: null, correctedMtime: 1 };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ success: true, data: { files: [file], count: 1, cursor: 4 } }));
    });
    let changed = 0;
    const l = listen(url, () => changed++);
    await expect.poll(() => changed, { timeout: 5000 }).toBeGreaterThan(0);
    expect(l.mode).toBe('long-poll');
    expect(polls[0]).toMatch(/since=3/);
    expect(polls[0]).toMatch(/wait=1/);
  });
});
