/**
 * `npm run bench:api`: heartbeat throughput and p99 latency with 100 connections on loopback,
 * next to a bare Fastify JSON route measured in the same run, printed as a ratio.
 * Target: heartbeat ≥ 0.5 × bare req/s and p99 ≤ 10 ms.
 *
 * The servers run in a child process (bench/api/servers.ts) so autocannon does not share an
 * event loop with them. The two targets are measured alternately for BENCH_ROUNDS rounds (default
 * 3) and the median round of each is compared, so load from other processes on a shared machine
 * hits both sides alike. Env: BENCH_SECONDS per round (default 5), BENCH_CONNECTIONS (100), LOG_LEVEL.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 100);
process.env.BENCH_DEVICES ??= String(connections);

const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', fileURLToPath(new URL('./servers.ts', import.meta.url))], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: process.env,
});
const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
const { appUrl, bareUrl, apiKeys, logLevel } = JSON.parse(line) as { appUrl: string; bareUrl: string; apiKeys: string[]; logLevel: string };

interface Result {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

let next = 0;

async function run(opts: autocannon.Options): Promise<Result> {
  await autocannon({ ...opts, duration: 2, connections }); // warm-up
  const r = await autocannon({ ...opts, duration: seconds, connections });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx };
}

const median = (rs: Result[]): Result => [...rs].sort((a, b) => a.rps - b.rps)[Math.floor(rs.length / 2)]!;

try {
  const bareRuns: Result[] = [];
  const hbRuns: Result[] = [];
  for (let i = 0; i < rounds; i++) {
    // Both targets get the same request shape and the same client-side per-request work (a
    // rotating X-API-Key set in setupRequest), so autocannon's own CPU cost — it shares the
    // machine with the server — weighs the same on both sides.
    bareRuns.push(
      await run({
        url: `${bareUrl}/bare`,
        method: 'POST',
        headers: { 'x-client-time': new Date().toISOString() },
        requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'x-api-key': apiKeys[next++ % apiKeys.length]! } }) }],
      }),
    );
    hbRuns.push(
      await run({
        url: `${appUrl}/api/sync/heartbeat`,
        method: 'POST',
        headers: { 'x-client-time': new Date().toISOString() },
        // Each request carries the key of the next device (devices rotate across connections).
        requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'x-api-key': apiKeys[next++ % apiKeys.length]! } }) }],
      }),
    );
    console.error(`round ${i + 1}/${rounds}: bare ${bareRuns[i]!.rps.toFixed(0)} req/s, heartbeat ${hbRuns[i]!.rps.toFixed(0)} req/s`);
  }
  const bare = median(bareRuns);
  const heartbeat = median(hbRuns);
  const ratio = heartbeat.rps / bare.rps;
  const fmt = (name: string, r: Result) =>
    `${name.padEnd(22)} ${r.rps.toFixed(0).padStart(8)} req/s   p50 ${String(r.p50).padStart(3)} ms   p99 ${String(r.p99).padStart(3)} ms   errors ${r.errors}   non-2xx ${r.non2xx}`;
  console.log(`RetroSync API bench: ${connections} connections, median of ${rounds} alternating rounds of ${seconds} s, loopback, SQLite, ${apiKeys.length} devices, log level ${logLevel}`);
  console.log(fmt('bare Fastify JSON', bare));
  console.log(fmt('POST /api/sync/heartbeat', heartbeat));
  console.log(`ratio heartbeat/bare: ${ratio.toFixed(2)} (target >= 0.5)   heartbeat p99: ${heartbeat.p99} ms (target <= 10)`);
  const pass = ratio >= 0.5 && heartbeat.p99 <= 10 && heartbeat.errors === 0 && heartbeat.non2xx === 0;
  console.log(pass ? 'PASS' : 'BELOW TARGET');
  process.exitCode = pass ? 0 : 1;
} finally {
  child.kill('SIGTERM');
}
