/**
 * `npm run bench:fleet` — a fleet of simulated devices against the several-replicas topology
 * (e2e/topology/cluster.ts: nginx, 3 server processes, PostgreSQL, s3rver), for a bounded run.
 * Each device comes online at a random moment of the first FLEET_RAMP_SECONDS (as after a power
 * cut or a server restart), holds a long poll, checks in every 60 s compressed in time
 * (FLEET_HEARTBEAT_MS), and uploads a save every FLEET_UPLOAD_EVERY check-ins. Prints: error
 * count (target 0), check-in p50/p99 over the whole run and in the steady state (after the ramp),
 * uploads, per-replica RSS over time (target: flat), PostgreSQL connections over time, each
 * replica's loop lag, pool waiters and event-bus lag, the top PostgreSQL statements and a summary
 * of nginx's and the replicas' error logs.
 *
 *   FLEET_DEVICES=10000 FLEET_SECONDS=180 FLEET_HEARTBEAT_MS=30000 npm run bench:fleet
 *
 * Devices are seeded straight into the database (users and devices with their API-key hashes),
 * so pairing 10,000 devices does not run into the pairing limits the server is meant to have.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import pg from 'pg';
import { percentile } from '../sync/stats.js';
import { startCluster, topologyUnavailable } from '../../e2e/topology/cluster.js';

const DEVICES = Number(process.env.FLEET_DEVICES ?? 10_000);
const SECONDS = Number(process.env.FLEET_SECONDS ?? 180);
const PROCESSES = Number(process.env.FLEET_PROCESSES ?? Math.max(1, Math.ceil(DEVICES / 2_500)));
const HEARTBEAT_MS = Number(process.env.FLEET_HEARTBEAT_MS ?? 30_000);
const RAMP_SECONDS = Number(process.env.FLEET_RAMP_SECONDS ?? 30);
const UPLOAD_EVERY = Number(process.env.FLEET_UPLOAD_EVERY ?? 20);
const REPLICAS = Number(process.env.FLEET_REPLICAS ?? 3);
const DEVICES_PER_USER = 5;

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU seconds (user + system) used so far by a process and all its descendants. */
function cpuSeconds(root: number): number {
  const tick = 100; // USER_HZ on Linux
  const stats = new Map<number, { ppid: number; cpu: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(name), { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / tick });
    } catch {
      // gone
    }
  }
  let total = 0;
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop()!;
    total += stats.get(pid)?.cpu ?? 0;
    for (const [child, s] of stats) if (s.ppid === pid) todo.push(child);
  }
  return total;
}

/** A few health figures from a replica's /metrics (METRICS_OPEN in the topology). */
async function replicaFigures(url: string): Promise<string> {
  try {
    const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
    const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
    const lag = value(/^nodejs_eventloop_lag_p99_seconds (\S+)/m) * 1000;
    const waiting = value(/^retrosync_db_pool_connections\{state="waiting"\} (\S+)/m);
    const polls = value(/^retrosync_long_polls_held (\S+)/m);
    const busSum = value(/^retrosync_event_bus_lag_seconds_sum (\S+)/m);
    const busCount = value(/^retrosync_event_bus_lag_seconds_count (\S+)/m);
    // Check-in time inside the replica (from its histogram, cumulative since start): tells a
    // queue in front of the replica (nginx, the kernel) from one inside it.
    const buckets = [...text.matchAll(/^retrosync_http_request_duration_seconds_bucket\{le="([^"]+)",route="\/api\/sync\/heartbeat",method="POST",status="200"\} (\S+)/gm)].map((m) => [Number(m[1]), Number(m[2])] as const);
    const total = buckets.at(-1)?.[1] ?? 0;
    const quantile = (q: number) => buckets.find(([, n]) => n >= q * total)?.[0];
    const inside = total ? `, check-ins inside it p50 ≤ ${quantile(0.5)} s, p99 ≤ ${quantile(0.99)} s` : '';
    return `loop lag p99 ${lag.toFixed(0)} ms, pool waiting ${waiting}, polls held ${polls}, bus lag mean ${busCount ? ((busSum / busCount) * 1000).toFixed(1) : '-'} ms${inside}`;
  } catch (e) {
    return `metrics unavailable (${(e as Error).message})`;
  }
}

async function seed(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const keys: string[] = [];
  const now = Date.now();
  try {
    await client.query('begin');
    for (let u = 0; u * DEVICES_PER_USER < DEVICES; u++) {
      const userId = randomUUID();
      await client.query(
        `insert into users (id, email, password_hash, name, subscription_tier, created_at, updated_at) values ($1, $2, 'not-a-login', 'Fleet', 'enterprise', $3, $3)`,
        [userId, `fleet-${u}@example.com`, now],
      );
      const values: unknown[] = [];
      const rows: string[] = [];
      for (let d = 0; d < DEVICES_PER_USER && keys.length < DEVICES; d++) {
        const key = randomBytes(32).toString('hex');
        keys.push(key);
        const i = values.length;
        rows.push(`($${i + 1}, $${i + 2}, $${i + 3}, 'rg35xx', $${i + 4}, $${i + 5})`);
        values.push(randomUUID(), userId, `Fleet ${u}.${d}`, createHash('sha256').update(key, 'utf8').digest('hex'), now);
      }
      await client.query(`insert into devices (id, user_id, name, device_type, api_key_hash, created_at) values ${rows.join(', ')}`, values);
    }
    await client.query('commit');
  } finally {
    await client.end();
  }
  return keys;
}

/** The distinct kinds of line in a log (numbers, addresses and ids blanked), with counts. */
function printLogSummary(title: string, text: string) {
  const kinds = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let kind = line;
    try {
      const j = JSON.parse(line);
      kind = `${j.level} ${j.msg ?? ''} ${j.err?.message ?? j.code ?? ''}`;
    } catch {
      const request = /request: "(\S+) ([^?" ]+)/.exec(line);
      kind = line.replace(/^\S+ \S+ /, '').replace(/, client: .*$/, '').replace(/\d+/g, '#') + (request ? ` (${request[1]} ${request[2]})` : '');
    }
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  if (kinds.size === 0) return;
  console.log(`  ${title}:`);
  for (const [k, n] of [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`    ${String(n).padStart(6)} × ${k.slice(0, 200)}`);
}

async function main() {
  const missing = topologyUnavailable();
  if (missing) {
    console.log(`bench:fleet skipped: ${missing}`);
    return;
  }
  console.log(
    `bench:fleet — ${DEVICES} devices in ${PROCESSES} processes for ${SECONDS} s, online over the first ${RAMP_SECONDS} s; check-in every ${HEARTBEAT_MS} ms (60 s compressed ${(60_000 / HEARTBEAT_MS).toFixed(1)}×), an upload every ${UPLOAD_EVERY} check-ins`,
  );
  const profileDir = process.env.FLEET_PROFILE_DIR;
  const cluster = await startCluster({
    replicas: REPLICAS,
    nginxWorkers: 4,
    env: {
      LOG_LEVEL: 'error',
      HEARTBEAT_INTERVAL_SECONDS: String(Math.max(5, Math.round(HEARTBEAT_MS / 1000))),
    },
    nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    // Which queries the fleet costs, printed at the end.
    postgresOptions: '-c shared_preload_libraries=pg_stat_statements',
  });
  const children: ChildProcess[] = [];
  let generatorCpu = 0;
  try {
    const t0 = performance.now();
    const keys = await seed(cluster.db.url);
    console.log(`seeded ${keys.length} devices in ${((performance.now() - t0) / 1000).toFixed(1)} s; topology at ${cluster.url}`);

    const totals = { heartbeats: 0, polls: 0, uploads: 0, errors: 0 };
    const lat: number[] = [];
    const steadyLat: number[] = [];
    const samples = new Set<string>();
    const per = Math.ceil(keys.length / PROCESSES);
    const done: Promise<void>[] = [];
    for (let p = 0; p < PROCESSES; p++) {
      // FLEET_DIRECT=1: straight to the replicas (one per generator, round robin), without nginx.
      const url = process.env.FLEET_DIRECT === '1' ? cluster.replicas[p % cluster.replicas.length]!.url : cluster.url;
      const job = { url, keys: keys.slice(p * per, (p + 1) * per), heartbeatMs: HEARTBEAT_MS, uploadEvery: UPLOAD_EVERY, seconds: SECONDS, rampSeconds: RAMP_SECONDS };
      const child = fork(join(import.meta.dirname, 'generator.ts'), [], { execArgv: ['--conditions=source', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      child.send(job);
      done.push(
        new Promise((resolve) => {
          child.on('message', (m: any) => {
            if (m.type === 'done') {
              generatorCpu += m.cpuSeconds ?? 0;
              return resolve();
            }
            totals.heartbeats += m.heartbeats;
            totals.polls += m.polls;
            totals.uploads += m.uploads;
            totals.errors += m.errors;
            generatorLagMs = Math.max(generatorLagMs, m.loopP99Ms ?? 0);
            for (const v of m.lat) lat.push(v);
            for (const v of m.steadyLat) steadyLat.push(v);
            for (const e of m.errorSamples) if (samples.size < 10) samples.add(e);
          });
          child.on('exit', () => resolve());
        }),
      );
    }

    const parts = (): Record<string, number> => ({
      replicas: cluster.replicas.reduce((sum, r) => sum + cpuSeconds(r.child.pid!), 0),
      nginx: cpuSeconds(cluster.nginx.pid),
      PostgreSQL: cpuSeconds(cluster.db.pid()),
    });
    const cpuAtStart = parts();
    const db = new pg.Client({ connectionString: cluster.db.url });
    await db.connect();
    await db.query('create extension if not exists pg_stat_statements');
    await db.query('select pg_stat_statements_reset()');
    const timeline: string[] = [];
    let windowStart = 0;
    let generatorLagMs = 0;
    const sampler = setInterval(async () => {
      const conns = Number((await db.query('select count(*)::int as n from pg_stat_activity where datname is not null').catch(() => ({ rows: [{ n: NaN }] }))).rows[0].n);
      const rss = cluster.replicas.map((r) => rssMb(r.child.pid!).toFixed(0)).join(' / ');
      const recent = lat.slice(windowStart);
      windowStart = lat.length;
      timeline.push(
        `t=${((performance.now() - t0) / 1000).toFixed(0).padStart(3)} s  replica RSS ${rss} MB  PostgreSQL connections ${conns}  check-ins so far ${totals.heartbeats} (last 10 s: p50 ${percentile(recent, 50).toFixed(0)} ms, p99 ${percentile(recent, 99).toFixed(0)} ms; generators' loop delay p99 ≤ ${generatorLagMs.toFixed(0)} ms)  errors ${totals.errors}`,
      );
      generatorLagMs = 0;
      console.log(timeline.at(-1));
      const figures = await Promise.all(cluster.replicas.map((r) => replicaFigures(r.url)));
      figures.forEach((f, i) => timeline.push(`        replica ${i}: ${f}`));
      console.log(figures.map((f, i) => `        replica ${i}: ${f}`).join('\n'));
    }, 10_000);
    await Promise.all(done);
    clearInterval(sampler);
    const cpuAtEnd = parts();
    const top = await db.query(
      `select calls, round(total_exec_time)::int as ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) as q from pg_stat_statements order by calls desc limit 12`,
    );
    await db.end();

    console.log('\nbench:fleet results');
    console.log(`  devices: ${keys.length} (${PROCESSES} generator processes, ${SECONDS} s)`);
    console.log(`  errors: ${totals.errors} (target 0)${samples.size ? ` — e.g. ${[...samples].join('; ')}` : ''}`);
    const offered = Math.round((DEVICES * Math.max(0, SECONDS - RAMP_SECONDS / 2) * 1000) / HEARTBEAT_MS);
    console.log(`  check-ins: ${totals.heartbeats} (about ${offered} offered), p50 ${percentile(lat, 50).toFixed(1)} ms, p99 ${percentile(lat, 99).toFixed(1)} ms`);
    console.log(`  steady state (check-ins started ${RAMP_SECONDS + 10} s or more after the start): ${steadyLat.length}, p50 ${percentile(steadyLat, 50).toFixed(1)} ms, p99 ${percentile(steadyLat, 99).toFixed(1)} ms`);
    console.log(`  long polls answered: ${totals.polls}; uploads: ${totals.uploads}`);
    console.log('  per-replica RSS and PostgreSQL connections over time:');
    for (const line of timeline) console.log(`    ${line}`);
    console.log(
      `  CPU seconds over the run (${SECONDS} s on ${availableParallelism()} cores): ${Object.keys(cpuAtEnd)
        .map((k) => `${k} ${(cpuAtEnd[k]! - cpuAtStart[k]!).toFixed(1)}`)
        .join(', ')}, generators ${generatorCpu.toFixed(1)}`,
    );
    console.log(`  PostgreSQL statements by calls (${SECONDS} s):`);
    for (const r of top.rows) console.log(`    ${String(r.calls).padStart(7)} calls ${String(r.ms).padStart(6)} ms  ${r.q}`);
    printLogSummary('nginx error log', cluster.nginx.errorLog());
    cluster.replicas.forEach((r) => printLogSummary(`replica ${r.index} log (last 20 kB)`, r.log()));
  } finally {
    for (const c of children) c.kill('SIGKILL');
    // A CPU profile is written when the process exits on its own (SIGTERM: graceful close).
    if (profileDir) await Promise.all(cluster.replicas.map((r) => r.kill('SIGTERM')));
    await cluster.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
