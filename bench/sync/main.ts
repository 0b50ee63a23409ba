/**
 * `npm run bench:sync` — the sync protocol on loopback against the real server process
 * (SQLite + blob folder in a temp DATA_DIR). Prints:
 *   1. 1 MB upload latency p50/p99 (target p50 ≤ 20 ms);
 *   2. upload at one device → long-poll return at another, p50/p95 over 200 changes;
 *   3. N held long-poll connections on one server process (N = 20,000, or what RLIMIT_NOFILE
 *      allows): server RSS, heartbeat p50/p99 while held, fan-out time of one change to all;
 *   4. a 1 GB streamed upload: server RSS growth (target ≤ 64 MB) and throughput.
 * Bounded: each phase has a deadline; everything it starts is stopped at the end.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { startS3rver } from '../../packages/server/src/storage/blob/test-support/s3rver.js';
import { createTestDatabase } from '../../packages/server/src/test-support/databases.js';
import { mb, ms, percentile, summary } from './stats.js';
import { sampleMax, startServer, waitIdle, type ServerProcess } from './server-process.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const now = () => performance.now();

async function json(res: Response): Promise<any> {
  const body = await res.json();
  if (!res.ok) throw new Error(`${res.status}: ${JSON.stringify(body)}`);
  return body;
}

async function setup(base: string) {
  const reg = await json(
    await fetch(`${base}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `bench-${Date.now()}@example.com`, password: 'bench password 1' }),
    }),
  );
  const token = reg.data.token as string;
  const pair = async (name: string) => {
    const code = await json(await fetch(`${base}/api/devices/create-pairing-code`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }));
    const p = await json(
      await fetch(`${base}/api/devices/pair`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: code.data.code, deviceName: name, deviceType: 'linux' }),
      }),
    );
    return p.data.apiKey as string;
  };
  return { token, a: await pair('bench A'), b: await pair('bench B'), holder: await pair('bench holders') };
}

function put(base: string, apiKey: string, key: string, body: Buffer, base_?: number) {
  return fetch(`${base}/api/sync/saves/${key}`, {
    method: 'PUT',
    headers: {
      'x-api-key': apiKey,
      'content-type': 'application/octet-stream',
      'x-content-sha256': sha(body),
      ...(base_ ? { 'x-base-version': String(base_) } : {}),
    },
    body,
  });
}

async function uploadLatency(base: string, apiKey: string) {
  const body = randomBytes(1024 * 1024);
  const times: number[] = [];
  for (let i = 0; i < 220; i++) {
    body.writeUInt32BE(i, 0); // distinct bytes each time: every upload is stored
    const t = now();
    const res = await put(base, apiKey, `gba/Bench%201MB%20${i % 20}/battery`, body);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`upload failed: ${res.status}`);
    if (i >= 20) times.push(now() - t); // first 20: warm-up
  }
  return times;
}

async function pollLatency(base: string, a: string, b: string) {
  let cursor = (await json(await fetch(`${base}/api/sync/files?since=0`, { headers: { 'x-api-key': b } }))).data.cursor as number;
  const fromStart: number[] = [];
  const fromAck: number[] = [];
  const body = randomBytes(4096);
  for (let i = 0; i < 200; i++) {
    const poll = fetch(`${base}/api/sync/files?since=${cursor}&wait=30`, { headers: { 'x-api-key': b } }).then(async (r) => ({ page: await json(r), at: now() }));
    await new Promise((r) => setTimeout(r, 5)); // let the poll reach the server and wait
    body.writeUInt32BE(i, 0);
    const t0 = now();
    const res = await put(base, a, `gba/Bench%20Poll%20${i % 10}/battery`, body);
    await res.arrayBuffer();
    const acked = now();
    const { page, at } = await poll;
    if (page.data.count < 1) throw new Error('long poll returned nothing');
    cursor = page.data.cursor;
    fromStart.push(at - t0);
    fromAck.push(Math.max(0, at - acked));
  }
  return { fromStart, fromAck };
}

async function bigUpload(server: ServerProcess, apiKey: string) {
  const chunk = randomBytes(1024 * 1024);
  const total = 1024;
  const hash = createHash('sha256');
  for (let i = 0; i < total; i++) hash.update(chunk);
  const digest = hash.digest('hex');
  const url = new URL(`${server.base}/api/sync/saves/ps1/Bench%201GB/state/pcsx/0`);
  const baseline = server.rss();
  const sampler = sampleMax(() => server.rss());
  const t0 = now();
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.request(url, {
      method: 'PUT',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/octet-stream', 'x-content-sha256': digest, 'content-length': String(total * chunk.length) },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    Readable.from((function* () {
      for (let i = 0; i < total; i++) yield chunk;
    })()).pipe(req);
  });
  const seconds = (now() - t0) / 1000;
  const peak = sampler.stop();
  if (status !== 200) throw new Error(`1 GB upload answered ${status}`);
  return { baseline, peak, growth: peak - baseline, seconds, mbPerS: 1024 / seconds };
}

async function heldConnections(server: ServerProcess, apiKey: string, heartbeatKey: string, count: number) {
  const cursor = (await json(await fetch(`${server.base}/api/sync/files?since=0`, { headers: { 'x-api-key': apiKey } }))).data.cursor as number;
  const procs = 4;
  const holders: ChildProcess[] = [];
  const sent: Promise<void>[] = [];
  const returned: Promise<{ returned: number; failed: number; errors: Record<string, number>; lastReturn: number }>[] = [];
  const rssBefore = server.rss();
  const t0 = now();
  for (let p = 0; p < procs; p++) {
    const n = Math.floor(count / procs) + (p < count % procs ? 1 : 0);
    const child = fork(join(import.meta.dirname, 'holder.ts'), [server.base, apiKey, String(n), String(cursor), `127.0.0.${p + 2}`], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    holders.push(child);
    sent.push(new Promise((r) => child.on('message', (m: any) => m.type === 'sent' && r())));
    returned.push(new Promise((r) => child.on('message', (m: any) => m.type === 'returned' && r(m))));
  }
  await Promise.race([Promise.all(sent), new Promise((r) => setTimeout(r, 90_000))]);
  await waitIdle(server); // every poll accepted, authenticated, read and subscribed
  const openSeconds = (now() - t0) / 1000;
  const rssHeld = server.rss();
  const hb: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = now();
    const res = await fetch(`${server.base}/api/sync/heartbeat`, {
      method: 'POST',
      headers: { 'x-api-key': heartbeatKey, 'content-type': 'application/json', 'x-client-time': String(Date.now()) },
      body: '{}',
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`heartbeat ${res.status}`);
    hb.push(now() - t);
  }
  // One change wakes every held poll.
  const change = randomBytes(512);
  const sentAt = Date.now();
  const res = await put(server.base, heartbeatKey, 'gba/Bench%20Wake/battery', change);
  await res.arrayBuffer();
  const results = await Promise.race([Promise.all(returned), new Promise<null>((r) => setTimeout(() => r(null), 60_000))]);
  for (const h of holders) h.kill('SIGKILL');
  const ok = results ? results.reduce((s, r) => s + r.returned, 0) : 0;
  const failed = results ? results.reduce((s, r) => s + r.failed, 0) : count;
  const fanout = results ? Math.max(...results.map((r) => r.lastReturn)) - sentAt : NaN;
  if (process.env.BENCH_DEBUG) console.log({ sentAt, results });
  const errors: Record<string, number> = {};
  for (const r of results ?? []) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
  return { count, rssBefore, rssHeld, openSeconds, hb, ok, failed, errors, fanout };
}

async function main() {
  const fdLimit = Number(process.env.BENCH_FD_LIMIT ?? 20_000);
  const held = Number(process.env.BENCH_HELD ?? Math.min(20_000, fdLimit - 200));
  // BENCH_PHASES=upload,poll,big,held (default all) runs a subset.
  const phases = new Set((process.env.BENCH_PHASES ?? 'upload,poll,big,held').split(','));
  // BENCH_STACK=postgres+s3 (needs TEST_POSTGRES_URL): a throwaway database and an s3rver on loopback.
  const stack = process.env.BENCH_STACK ?? 'sqlite+folder';
  const dataDir = mkdtempSync(join(tmpdir(), 'retrosync-bench-'));
  const env: Record<string, string> = { DATA_DIR: dataDir, JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123' };
  const cleanups: Array<() => Promise<void>> = [];
  if (stack === 'postgres+s3') {
    const db = await createTestDatabase('postgres');
    cleanups.push(() => db.drop());
    const s3 = await startS3rver();
    cleanups.push(() => s3.stop());
    Object.assign(env, {
      DATABASE_URL: db.config.kind === 'postgres' ? db.config.url : '',
      MINIO_ENDPOINT: s3.endpoint,
      MINIO_ROOT_USER: s3.accessKeyId,
      MINIO_ROOT_PASSWORD: s3.secretAccessKey,
      MINIO_BUCKET: 'bench',
    });
  } else if (stack !== 'sqlite+folder') throw new Error(`BENCH_STACK: sqlite+folder or postgres+s3, not ${stack}`);
  const server = await startServer(env);
  try {
    const { a, b, holder } = await setup(server.base);
    console.log(`RetroSync sync bench — server pid ${server.child.pid}, ${stack} (data in ${dataDir}), loopback`);

    if (phases.has('upload')) {
    const up = await uploadLatency(server.base, a);
    console.log(`1. 1 MB upload (sequential, keep-alive): p50 ${ms(percentile(up, 50))}, p99 ${ms(percentile(up, 99))} (n=${up.length}; target p50 ≤ 20 ms)`);
    }
    if (phases.has('poll')) {

    const pl = await pollLatency(server.base, a, b);
    console.log(`2. upload at A → long-poll return at B, from upload start: ${summary(pl.fromStart, [50, 95])}`);
    const early = pl.fromAck.filter((v) => v === 0).length;
    console.log(`   (B's poll was answered before A had its own upload response in ${early}/${pl.fromAck.length} changes: the wake-up follows the commit, not the reply)`);
    }
    if (phases.has('big')) {

    const big = await bigUpload(server, a);
    console.log(
      `3. 1 GB streamed upload: ${big.seconds.toFixed(1)} s (${big.mbPerS.toFixed(0)} MB/s); server RSS ${mb(big.baseline)} → peak ${mb(big.peak)}, growth ${mb(big.growth)} (target ≤ 64 MB)`,
    );
    }
    if (phases.has('held')) {

    const h = await heldConnections(server, holder, b, held);
    console.log(
      `4. ${h.count} held long polls on one process (RLIMIT_NOFILE ${fdLimit}): opened in ${h.openSeconds.toFixed(1)} s; server RSS ${mb(h.rssBefore)} → ${mb(h.rssHeld)} (${((h.rssHeld - h.rssBefore) / h.count / 1024).toFixed(1)} KB/connection)`,
    );
    console.log(`   heartbeat while held: ${summary(h.hb, [50, 99])}`);
    console.log(`   one change → all polls returned: ${h.ok} ok, ${h.failed} failed${h.failed ? ` ${JSON.stringify(h.errors)}` : ''}, the last ${ms(h.fanout)} after the upload was sent`);
    }
  } finally {
    await server.stop();
    for (const c of cleanups.reverse()) await c();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
