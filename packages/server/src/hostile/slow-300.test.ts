/**
 * Issue 12 item 2 — 300 slow-body connections from one address against a server in its own
 * process: its memory grows by at most 150 MB and every one of them is closed within a minute,
 * while an event stream and a long poll opened before the attack keep working.
 *
 * Each attacker declares a JSON body just under the 1 MiB body limit, sends 900 KB of it at once
 * and then one byte every 2 s. Unbounded, the server would buffer all 300 bodies (≈ 270 MB of
 * strings) and never close them. What is measured is the server's own RSS (VmRSS of its
 * process), growth over a baseline taken after warm-up — a memory ratio, not a timing; the only
 * time bound is the minute, six times the 10 s body deadline.
 */
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from './test-support/child-server.js';

const ATTACKERS = 300;
const DECLARED = 1_000_000;
const SENT_AT_ONCE = 900_000;

async function json(res: Response): Promise<any> {
  const body = await res.json();
  if (!res.ok) throw new Error(`${res.status}: ${JSON.stringify(body)}`);
  return body;
}

describe.skipIf(process.platform !== 'linux')('300 slow-body connections from one address', () => {
  let server: ChildServer | undefined;
  afterAll(async () => {
    await server?.stop();
  });

  it('grow the server by ≤ 150 MB, are all closed within a minute, and long polls / SSE keep working', async () => {
    server = await startChildServer();
    const s = server;
    // An honest device, with an event stream and a long poll held open through the attack.
    const reg = await json(await fetch(`${s.base}/api/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'p@example.com', password: 'correct horse battery' }) }));
    const code = await json(await fetch(`${s.base}/api/devices/create-pairing-code`, { method: 'POST', headers: { authorization: `Bearer ${reg.data.token}` } }));
    const pair = await json(await fetch(`${s.base}/api/devices/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: code.data.code, deviceName: 'Miyoo', deviceType: 'miyoo_mini' }) }));
    const key = pair.data.apiKey as string;
    const sse = await fetch(`${s.base}/api/sync/events`, { headers: { 'x-api-key': key } });
    const reader = sse.body!.getReader();
    let sseText = '';
    const sseDone = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        sseText += Buffer.from(value).toString();
        if (sseText.includes('Survivor')) return;
      }
    })();
    const cursor = (await json(await fetch(`${s.base}/api/sync/files?since=0`, { headers: { 'x-api-key': key } }))).data.cursor;
    const longPoll = fetch(`${s.base}/api/sync/files?since=${cursor}&wait=60`, { headers: { 'x-api-key': key } }).then(json);

    // Warm-up, then the baseline.
    for (let i = 0; i < 20; i++) await fetch(`${s.base}/healthz`);
    await new Promise((r) => setTimeout(r, 500));
    const baseline = s.rssMb();

    const started = Date.now();
    const big = Buffer.alloc(SENT_AT_ONCE, 0x20);
    let open = 0;
    let closedAt = 0;
    const sockets: net.Socket[] = [];
    const allClosed = new Promise<void>((resolve) => {
      for (let i = 0; i < ATTACKERS; i++) {
        const sock = net.connect({ port: s.port, host: '127.0.0.1' });
        open++;
        sockets.push(sock);
        sock.on('error', () => {});
        sock.on('data', () => {});
        sock.on('close', () => {
          if (--open === 0) {
            closedAt = Date.now();
            resolve();
          }
        });
        sock.write(`POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${DECLARED}\r\n\r\n`);
        sock.write(big);
      }
    });
    const trickle = setInterval(() => {
      for (const sock of sockets) if (!sock.destroyed) sock.write(' ');
    }, 2000);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, s.rssMb())), 100);
    const within = await Promise.race([allClosed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 60_000))]);
    clearInterval(trickle);
    clearInterval(sampler);
    peak = Math.max(peak, s.rssMb());
    for (const sock of sockets) sock.destroy();
    const growth = peak - baseline;
    console.log(
      `slow-300: baseline ${baseline.toFixed(1)} MB, peak ${peak.toFixed(1)} MB, growth ${growth.toFixed(1)} MB (bound 150); ` +
        (within ? `all ${ATTACKERS} closed after ${((closedAt - started) / 1000).toFixed(1)} s (bound 60)` : `${open} still open after 60 s`),
    );
    expect(within, `${open} of ${ATTACKERS} connections still open after 60 s`).toBe(true);
    expect(growth).toBeLessThanOrEqual(150);

    // The held stream and poll survived the attack and still deliver.
    const body = Buffer.from('survivor save');
    const { createHash } = await import('node:crypto');
    const up = await fetch(`${s.base}/api/sync/saves/gba/Survivor/battery`, {
      method: 'PUT',
      headers: { 'x-api-key': key, 'content-type': 'application/octet-stream', 'x-content-sha256': createHash('sha256').update(body).digest('hex') },
      body,
    });
    expect(up.status).toBe(200);
    const polled = await longPoll;
    expect(polled.data.files.map((f: { key: string }) => f.key)).toContain('gba/Survivor/battery');
    await Promise.race([sseDone, new Promise((r) => setTimeout(r, 5000))]);
    expect(sseText).toContain('Survivor');
    await reader.cancel();
  }, 120_000);
});
