/**
 * One load-generator process of `npm run bench:fleet`: simulates its share of the devices.
 * Each device holds a long poll (re-issued when it returns), checks in every `heartbeatMs`
 * (jittered), and now and then uploads a save. Reports counts and heartbeat latencies to the
 * parent every second over IPC. Devices are spread over processes because one process may hold
 * at most 20,000 open files here.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';

interface Job {
  url: string;
  keys: string[];
  heartbeatMs: number;
  uploadEvery: number;
  seconds: number;
  /** Devices come online spread over this many seconds from the start. */
  rampSeconds: number;
}

// The job arrives over IPC (2,500 keys do not fit in a command line).
const job = await new Promise<Job>((resolve) => process.once('message', (m) => resolve(m as Job)));
const cpuAtStart = process.cpuUsage();
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256 });
const base = new URL(job.url);

/** One HTTP request on the shared keep-alive agent; resolves with status and body text. */
function request(path: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<{ statusCode: number; text: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const phases: Record<string, number> = {};
    const req = http.request({ host: base.hostname, port: base.port, path, method: options.method ?? 'GET', headers: options.headers, agent, timeout: 120_000 }, (res) => {
      phases.response = performance.now() - t0;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const ms = performance.now() - t0;
        if (process.env.FLEET_TRACE && ms > 3000 && !path.includes('wait=')) console.error(`slow ${options.method} ${path.slice(0, 30)} ${ms.toFixed(0)} ms`, JSON.stringify(Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v)]))));
        resolve({ statusCode: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() });
      });
      res.on('error', reject);
    });
    req.on('socket', (sock) => {
      phases.socket = performance.now() - t0;
      phases.reused = req.reusedSocket ? 1 : 0;
      if (sock.connecting) sock.once('connect', () => (phases.connect = performance.now() - t0));
    });
    req.on('finish', () => (phases.sent = performance.now() - t0));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(options.body);
  });
}
let stats = { heartbeats: 0, polls: 0, uploads: 0, errors: 0, lat: [] as number[], steadyLat: [] as number[], errorSamples: [] as string[] };
const startedAt = Date.now();
/** Check-ins started after every device is online (the ramp plus ten seconds) count as steady state. */
const steadyFrom = startedAt + job.rampSeconds * 1000 + 10_000;
const stopAt = Date.now() + job.seconds * 1000;
let stopping = false;

function error(what: string) {
  stats.errors++;
  if (stats.errorSamples.length < 5) stats.errorSamples.push(what);
}

/**
 * Each simulated device has its own address (as handhelds at thousands of homes do); nginx adds
 * it to X-Forwarded-For and the replicas (TRUST_PROXY) apply their per-address limits to it.
 */
const addresses = new Map<string, string>();
function addressOf(key: string): string {
  let a = addresses.get(key);
  if (!a) {
    const n = parseInt(key.slice(0, 6), 16);
    a = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    addresses.set(key, a);
  }
  return a;
}

async function heartbeat(key: string) {
  const t = performance.now();
  const started = Date.now();
  try {
    const res = await request('/api/sync/heartbeat', {
      method: 'POST',
      headers: { 'x-api-key': key, 'x-forwarded-for': addressOf(key), 'content-type': 'application/json', 'x-client-time': String(Date.now()) },
      body: '{"clientVersion":"fleet-bench"}',
    });
    if (res.statusCode !== 200) return error(`heartbeat ${res.statusCode}`);
    stats.heartbeats++;
    stats.lat.push(performance.now() - t);
    if (started >= steadyFrom) stats.steadyLat.push(performance.now() - t);
  } catch (e) {
    error(`heartbeat ${(e as Error).message}`);
  }
}

async function upload(key: string, n: number) {
  const body = randomBytes(8 * 1024 + ((n * 7919) % (120 * 1024)));
  try {
    const res = await request(`/api/sync/saves/gba/Fleet%20Game%20${n % 50}/battery`, {
      method: 'PUT',
      headers: { 'x-api-key': key, 'x-forwarded-for': addressOf(key), 'content-type': 'application/octet-stream', 'x-content-sha256': createHash('sha256').update(body).digest('hex'), 'x-file-mtime': String(Date.now()) },
      body,
    });
    if (res.statusCode !== 200) return error(`upload ${res.statusCode}`);
    stats.uploads++;
  } catch (e) {
    error(`upload ${(e as Error).message}`);
  }
}

async function pollLoop(key: string) {
  let cursor = 0;
  while (!stopping) {
    try {
      const res = await request(`/api/sync/files?since=${cursor}&wait=60&format=tsv`, { headers: { 'x-api-key': key, 'x-forwarded-for': addressOf(key) } });
      const text = res.text;
      if (res.statusCode !== 200) {
        error(`poll ${res.statusCode}`);
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      const m = /#cursor\t(\d+)/.exec(text);
      if (m) cursor = Number(m[1]);
      stats.polls++;
    } catch (e) {
      if (stopping) return;
      error(`poll ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

async function device(key: string, index: number) {
  // Devices come online spread over the ramp, as after a power cut or a server restart.
  await new Promise((r) => setTimeout(r, Math.random() * job.rampSeconds * 1000));
  void pollLoop(key);
  let beats = 0;
  while (!stopping) {
    await heartbeat(key);
    if (++beats % job.uploadEvery === index % job.uploadEvery) await upload(key, index + beats);
    await new Promise((r) => setTimeout(r, job.heartbeatMs * (0.8 + Math.random() * 0.4)));
  }
}

// The generator's own event-loop delay: latencies it measures include it, so it is reported.
const loop = monitorEventLoopDelay({ resolution: 20 });
loop.enable();
const report = setInterval(() => {
  process.send!({ type: 'stats', ...stats, loopP99Ms: loop.percentile(99) / 1e6 });
  loop.reset();
  stats = { heartbeats: 0, polls: 0, uploads: 0, errors: 0, lat: [], steadyLat: [], errorSamples: [] };
}, 1000);

job.keys.forEach((k, i) => void device(k, i));
setTimeout(async () => {
  stopping = true;
  clearInterval(report);
  process.send!({ type: 'stats', ...stats });
  const cpu = process.cpuUsage(cpuAtStart);
  process.send!({ type: 'done', cpuSeconds: (cpu.user + cpu.system) / 1e6 });
  agent.destroy();
  process.exit(0);
}, Math.max(0, stopAt - Date.now()));
