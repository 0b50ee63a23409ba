/**
 * `npm run bench:client`:
 *  1. save written on A → on disk at B with two daemons, over BENCH_EDITS (50) edits of a
 *     128 KiB save: p50/p95 of the whole path (target p50 ≤ debounce + 0.5 s) and of the part
 *     after the debounce (A noticed the settled file → bytes on disk at B), to set beside
 *     Syncthing's 45–65 ms on loopback;
 *  2. a full rescan of 10,000 unchanged saves (target ≤ 0.5 s, no hashing), median of 5 runs
 *     after a first pass that builds the sync state.
 * Env: BENCH_EDITS (50), BENCH_DEBOUNCE_MS (2000), BENCH_SAVES (10000).
 */
import { measureLatency } from './latency.js';
import { measureRescan } from './rescan.js';

const edits = Number(process.env.BENCH_EDITS ?? 50);
const debounceMs = Number(process.env.BENCH_DEBOUNCE_MS ?? 2000);
const saves = Number(process.env.BENCH_SAVES ?? 10_000);

function pct(values: number[], p: number): number {
  const s = [...values].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
}

const fmt = (ms: number) => `${ms.toFixed(0).padStart(5)} ms`;

console.log(`rescan: ${saves} unchanged saves …`);
const r = await measureRescan(saves);
console.log(`  first pass (hashes and uploads all, in-memory server): ${fmt(r.firstPass.ms)}  hashed ${r.firstPass.hashed}`);
const runs = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
console.log(`  rescan (scanLocal only), median of ${r.scanRuns.length}:            ${fmt(pct(r.scanRuns, 50))}  runs [${runs(r.scanRuns)}] ms  hashed ${r.hashed}`);
console.log(`  full sync pass with nothing to do, median:           ${fmt(pct(r.passRuns, 50))}  runs [${runs(r.passRuns)}] ms`);
const rescanOk = pct(r.scanRuns, 50) <= 500 && r.hashed === 0;
console.log(`  target ≤ 500 ms, no hashing: ${rescanOk ? 'met' : 'MISSED'}`);

console.log(`\nlatency: ${edits} edits, debounce ${debounceMs} ms, two daemons + server on loopback …`);
const samples = await measureLatency(edits, 128 * 1024, debounceMs);
const total = samples.map((s) => s.total);
const after = samples.map((s) => s.afterDebounce);
const up = samples.map((s) => s.upload);
console.log(`  written on A → on disk at B:      p50 ${fmt(pct(total, 50))}  p95 ${fmt(pct(total, 95))}  max ${fmt(Math.max(...total))}`);
console.log(`  noticed on A → on disk at B:      p50 ${fmt(pct(after, 50))}  p95 ${fmt(pct(after, 95))}  (Syncthing: 45–65 ms)`);
console.log(`    A: noticed → upload answered:    p50 ${fmt(pct(up, 50))}  p95 ${fmt(pct(up, 95))}`);
const push = samples.map((s) => s.push);
const apply = samples.map((s) => s.apply);
console.log(`    server → push event at B:        p50 ${fmt(pct(push, 50))}  p95 ${fmt(pct(push, 95))}`);
console.log(`    B: push → on disk:               p50 ${fmt(pct(apply, 50))}  p95 ${fmt(pct(apply, 95))}`);
const latencyOk = pct(total, 50) <= debounceMs + 500;
console.log(`  target p50 ≤ debounce + 500 ms = ${debounceMs + 500} ms: ${latencyOk ? 'met' : 'MISSED'}`);
console.log(`  noticed → on disk p50 vs Syncthing's 65 ms: ${pct(after, 50) <= 65 ? 'no slower' : 'SLOWER'}`);
process.exit(rescanOk && latencyOk ? 0 : 1);
