/**
 * Several replicas behind a load balancer, proven as a topology: nginx on loopback balancing three
 * server processes, one PostgreSQL, one S3 service (s3rver) — all started here. With devices
 * spread over the replicas:
 *   - an upload through replica 1 wakes long polls and SSE streams held on replicas 2 and 3 within 100 ms;
 *   - revoking a device on one replica stops its key on all of them at once;
 *   - the guess limits are shared (the counters live in PostgreSQL);
 *   - killing one replica mid-traffic loses no accepted upload, and its clients carry on through the others;
 *   - a database restart is survived by every replica.
 * `npm run test:topology` runs it alone; `npm test` (CI) runs the same bounded test.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, topologyUnavailable, type Cluster } from './cluster.js';

const unavailable = topologyUnavailable();
if (unavailable) console.warn(`topology test skipped: ${unavailable}`);

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const key = (k: string) => k.split('/').map(encodeURIComponent).join('/');

async function json(res: Response): Promise<any> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
  }
}

describe.skipIf(unavailable !== null)('topology: nginx + 3 replicas + PostgreSQL + S3', () => {
  let cluster: Cluster;
  let token: string;
  const devices: Array<{ id: string; apiKey: string }> = [];

  const upload = (base: string, apiKey: string, k: string, body: Buffer) =>
    fetch(`${base}/api/sync/saves/${key(k)}`, {
      method: 'PUT',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/octet-stream', 'x-content-sha256': sha(body) },
      body,
    });

  async function pair(name: string): Promise<{ id: string; apiKey: string }> {
    const code = (await json(await fetch(`${cluster.url}/api/devices/create-pairing-code`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }))).data.code;
    const paired = await json(
      await fetch(`${cluster.url}/api/devices/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, deviceName: name, deviceType: 'rg35xx' }) }),
    );
    return { id: paired.data.device.id, apiKey: paired.data.apiKey };
  }

  beforeAll(async () => {
    cluster = await startCluster({ replicas: 3 });
    const reg = await json(
      await fetch(`${cluster.url}/api/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'topology@example.com', password: 'correct horse battery', name: 'Topo' }) }),
    );
    token = reg.data.token;
    for (const name of ['RG35XX+', 'Miyoo Flip', 'Steam Deck', 'Spare']) devices.push(await pair(name));
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('an upload through replica 1 wakes a long poll on replica 2 and an SSE stream on replica 3 within 100 ms', async () => {
    const [r1, r2, r3] = cluster.replicas;
    const [a, b, c] = devices;
    const { cursor } = (await json(await fetch(`${r2!.url}/api/sync/files?since=0`, { headers: { 'x-api-key': b!.apiKey } }))).data;
    const stream = await fetch(`${r3!.url}/api/sync/events`, { headers: { 'x-api-key': c!.apiKey } });
    const reader = stream.body!.getReader();
    let buffered = '';
    const sawSave = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffered += Buffer.from(value).toString();
        if (buffered.includes('event: save')) return performance.now();
      }
    })();
    const poll = fetch(`${r2!.url}/api/sync/files?since=${cursor}&wait=30`, { headers: { 'x-api-key': b!.apiKey } }).then(async (res) => ({ at: performance.now(), body: await json(res) }));
    await new Promise((r) => setTimeout(r, 500)); // both are held
    const sent = performance.now();
    const res = await upload(r1!.url, a!.apiKey, 'gba/Topology Wake/battery', Buffer.from('wake up'));
    const acked = performance.now();
    expect(res.status).toBe(200);
    const [polled, streamed] = await Promise.all([poll, sawSave]);
    await reader.cancel();
    // Negative: the other replicas' clients heard of the change before the uploader had its reply.
    console.log(
      `topology wake-up, from the acknowledged upload (sent ${(acked - sent).toFixed(1)} ms before): ` +
        `long poll on replica 2 ${(polled.at - acked).toFixed(1)} ms, SSE on replica 3 ${(streamed - acked).toFixed(1)} ms`,
    );
    expect(polled.body.data.files.map((f: { key: string }) => f.key)).toEqual(['gba/Topology Wake/battery']);
    expect(polled.at - acked).toBeLessThan(100);
    expect(streamed - acked).toBeLessThan(100);
  });

  it('revoking a device on replica 1 stops its key on replicas 2 and 3 at once', async () => {
    const spare = devices[3]!;
    const [r1, r2, r3] = cluster.replicas;
    for (const r of [r2!, r3!]) expect((await fetch(`${r.url}/api/sync/files`, { headers: { 'x-api-key': spare.apiKey } })).status).toBe(200); // cached there now
    expect((await fetch(`${r1!.url}/api/devices?deviceId=${spare.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const revokedAt = performance.now();
    for (const r of [r2!, r3!]) {
      let status = (await fetch(`${r.url}/api/sync/files`, { headers: { 'x-api-key': spare.apiKey } })).status;
      while (status === 200 && performance.now() - revokedAt < 100) status = (await fetch(`${r.url}/api/sync/files`, { headers: { 'x-api-key': spare.apiKey } })).status;
      expect(status).toBe(401);
    }
  });

  it('the guess limits are shared: wrong passwords spread over the replicas are checked only up to the limits', async () => {
    const login = (email: string, address: string) =>
      fetch(`${cluster.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
        body: JSON.stringify({ email, password: 'wrong password!' }),
      }).then((r) => r.status);
    // Per address (LOGIN_IP_FAILURES = 10): one address guessing many accounts, all at once.
    const perAddress = await Promise.all(Array.from({ length: 24 }, (_, i) => login(`nobody-${i}@example.com`, '203.0.113.7')));
    // Per account (LOGIN_ACCOUNT_FAILURES = 5, then one try per 10 s): many addresses, one account.
    const perAccount = await Promise.all(Array.from({ length: 24 }, (_, i) => login('topology@example.com', `198.51.100.${i + 1}`)));
    const count = (a: number[], s: number) => a.filter((x) => x === s).length;
    console.log(
      `topology bursts through 3 replicas: 24 wrong passwords from one address → ${count(perAddress, 401)} checked, ${count(perAddress, 429)} refused; ` +
        `24 at one account from 24 addresses → ${count(perAccount, 401)} checked, ${count(perAccount, 429)} refused`,
    );
    expect(count(perAddress, 401)).toBe(10);
    expect(count(perAddress, 429)).toBe(14);
    expect(count(perAccount, 401)).toBe(6); // 5, then one spaced attempt
    expect(count(perAccount, 429)).toBe(18);
  });

  it('killing a replica mid-traffic loses no accepted upload; its clients carry on through the others', async () => {
    const accepted = new Map<string, string>();
    let failedOnce = 0;
    const writer = async (d: { apiKey: string }, n: number, prefix: string) => {
      for (let i = 0; i < n; i++) {
        const k = `gba/${prefix} ${i}/battery`;
        const body = Buffer.from(`${prefix} save ${i} ${'x'.repeat(2000)}`);
        for (let attempt = 0; ; attempt++) {
          // A client whose connection broke retries with backoff, as both clients do.
          const status = await upload(cluster.url, d.apiKey, k, body).then((r) => r.status).catch(() => 0);
          if (status === 200) {
            accepted.set(k, sha(body));
            break;
          }
          failedOnce++;
          if (attempt > 10) throw new Error(`upload ${k} kept failing (${status})`);
          await new Promise((r) => setTimeout(r, 100 * 2 ** Math.min(attempt, 4)));
        }
      }
    };
    const traffic = Promise.all([writer(devices[0]!, 40, 'Kill A'), writer(devices[1]!, 40, 'Kill B'), writer(devices[2]!, 40, 'Kill C')]);
    // Kill replica 2 once it has taken its share of this traffic.
    const servedBy = async (r: { url: string }) => {
      const text = await fetch(`${r.url}/metrics`).then((m) => m.text());
      return [...text.matchAll(/^retrosync_sync_outcomes_total\{outcome="accepted"\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    };
    const before = await servedBy(cluster.replicas[1]!);
    while ((await servedBy(cluster.replicas[1]!)) < before + 5) await new Promise((r) => setTimeout(r, 20));
    await cluster.replicas[1]!.kill('SIGKILL');
    await traffic;
    expect(accepted.size).toBe(120);
    const heads = (await json(await fetch(`${cluster.replicas[0]!.url}/api/sync/files`, { headers: { 'x-api-key': devices[0]!.apiKey } }))).data.files as Array<{ key: string; sha256: string }>;
    const byKey = new Map(heads.map((h) => [h.key, h.sha256]));
    for (const [k, s] of accepted) expect(byKey.get(k), k).toBe(s);
    console.log(`topology kill -9: 120 uploads accepted, ${failedOnce} attempts failed and were retried, 0 lost`);
  }, 120_000);

  it('a database restart is survived by every replica: checks, uploads and cross-replica wake-ups work again', async () => {
    const live = cluster.replicas.filter((r) => r.alive());
    expect(live.length).toBeGreaterThanOrEqual(2);
    cluster.db.restart();
    for (const r of live) {
      const until = Date.now() + 30_000;
      let ok = false;
      while (!ok && Date.now() < until) {
        ok = await fetch(`${r.url}/healthz`).then((res) => res.ok).catch(() => false);
        if (!ok) await new Promise((res) => setTimeout(res, 200));
      }
      expect(ok, `replica ${r.index} healthy again\n${r.log().slice(-2000)}`).toBe(true);
      expect(r.alive()).toBe(true);
    }
    const [w, u] = [live[0]!, live[1]!];
    const { cursor } = (await json(await fetch(`${w.url}/api/sync/files?since=0`, { headers: { 'x-api-key': devices[1]!.apiKey } }))).data;
    const poll = fetch(`${w.url}/api/sync/files?since=${cursor}&wait=30`, { headers: { 'x-api-key': devices[1]!.apiKey } }).then(json);
    await new Promise((r) => setTimeout(r, 1500)); // the LISTEN connection is back (it retries within ~1 s)
    expect((await upload(u.url, devices[0]!.apiKey, 'gba/After Restart/battery', Buffer.from('after restart'))).status).toBe(200);
    const page = await poll;
    expect(page.data.files.map((f: { key: string }) => f.key)).toContain('gba/After Restart/battery');
  }, 90_000);
});
