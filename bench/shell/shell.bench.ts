/**
 * npm run bench:shell — the shell client under busybox sh against a real server:
 *   1. initial sync of N saves (uploads; for scale only),
 *   2. one pass over N unchanged saves (target ≤ 1 s here; handhelds are ~10× slower),
 *   3. CPU time of the idle daemon over a window (scaled to one minute).
 * N = BENCH_SAVES (1000), idle window = BENCH_IDLE_SECONDS (20).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runShAsync, tempRoot, writeTree } from '../../clients/shell/test/busybox-env.js';
import { newUser, startServer } from '../../clients/shell/test/server.js';

const N = Number(process.env.BENCH_SAVES ?? 1000);
const IDLE = Number(process.env.BENCH_IDLE_SECONDS ?? 20);
const TICKS = 100; // USER_HZ on Linux

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields after "(comm)": state=0 … utime=11 stime=12 cutime=13 cstime=14
  return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const r = await fn();
  return [r, Number(process.hrtime.bigint() - t) / 1e6];
}

const server = await startServer();
try {
  const user = await newUser(server.url, `bench-${Date.now()}@example.com`);
  const root = tempRoot('rs-bench-');
  const home = join(root, 'mnt/SDCARD/App/RetroSync/data');
  const env = { RETROSYNC_HOME: home };
  const files: Record<string, Buffer> = { '/mnt/SDCARD/.tmp_update/onionVersion/version.txt': Buffer.from('4.3.1') };
  const cores = ['gpSP', 'Snes9x', 'FCEUmm', 'PCSX-ReARMed'];
  for (let i = 0; i < N; i++) {
    files[`/mnt/SDCARD/Saves/CurrentProfile/saves/${cores[i % cores.length]}/Game ${String(i).padStart(4, '0')} (USA).srm`] = Buffer.alloc(8192, i % 251);
  }
  writeTree(root, files);
  const code = await user.pairingCode();
  const setup = await runShAsync('setup.sh', ['--server', server.url, '--code', code, '--name', 'bench', '--root', root], { env });
  if (setup.status !== 0) throw new Error(`setup failed: ${setup.stderr}`);

  const [first, initialMs] = await timed(() => runShAsync('daemon.sh', ['--once'], { env }));
  if (first.status !== 0) throw new Error(`initial sync failed (${first.status}): ${first.stderr}`);
  const passes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const [r, ms] = await timed(() => runShAsync('daemon.sh', ['--once'], { env }));
    if (r.status !== 0 || !r.stdout.includes(`in sync (${N} saves)`)) throw new Error(`unchanged pass: ${r.status} ${r.stdout} ${r.stderr}`);
    passes.push(ms);
  }
  const scanOnly: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await runShAsync('../../bench/shell/scan-pass.sh', [], { env });
    const [saves, changed, ms] = r.stdout.trim().split(' ').map(Number);
    if (r.status !== 0 || saves !== N || changed !== 0) throw new Error(`scan pass: ${r.stdout} ${r.stderr}`);
    scanOnly.push(ms as number);
  }

  const start = await runShAsync('launch.sh', ['start'], { env });
  const pid = Number(/pid (\d+)/.exec(start.stdout)?.[1]);
  if (!pid) throw new Error(`daemon did not start: ${start.stdout} ${start.stderr}`);
  await new Promise((r) => setTimeout(r, 3000)); // first heartbeat + first pass
  const before = cpuTicks(pid);
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, IDLE * 1000));
  const ticks = cpuTicks(pid) - before;
  const window = (Date.now() - t0) / 1000;
  await runShAsync('launch.sh', ['stop'], { env });

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const cpuPerMin = (ticks / TICKS) * (60 / window);
  console.log(`shell client bench (busybox sh + curl, ${N} saves of 8 KiB, Onion layout, real server on loopback)`);
  console.log(`  initial sync (${N} uploads):            ${(initialMs / 1000).toFixed(1)} s (${(initialMs / N).toFixed(1)} ms/save)`);
  console.log(`  daemon.sh --once, ${N} unchanged:       median ${median(passes).toFixed(0)} ms of [${passes.map((x) => x.toFixed(0)).join(', ')}] (startup + detect + heartbeat + scan + feed)`);
  console.log(`  scan pass only (stat + identify + diff): median ${median(scanOnly).toFixed(0)} ms of [${scanOnly.map((x) => x.toFixed(0)).join(', ')}]  target <= 1000 ms`);
  console.log(`  idle daemon CPU: ${(ticks / TICKS).toFixed(2)} s over ${window.toFixed(1)} s window -> ${cpuPerMin.toFixed(2)} s CPU per idle minute (scaled) = ${((cpuPerMin / 60) * 100).toFixed(1)}% of one core`);
} finally {
  await server.stop();
}
