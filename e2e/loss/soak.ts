/**
 * `npm run soak:loss`: runs many random schedules (LOSS_SCHEDULES, default 1000) with every
 * feature on, and prints the counts. Knobs: LOSS_SEED (first seed; with LOSS_SCHEDULES=1 it
 * replays one schedule), LOSS_FEATURES (comma list, default all), LOSS_LENGTH (steps per
 * schedule, default 24), LOSS_BATCH (schedules per server process, default 20), LOSS_KEEP=1
 * (keep the device folders). Exit 1 when any content was lost or any device did not converge.
 */
import { Batch, report, type ScheduleResult } from './run-schedule.js';
import { runtimeName } from './runtime.js';
import { FEATURES, type Feature } from './schedule.js';

export interface Totals {
  schedules: number;
  versions: number;
  conflicts: number;
  contents: number;
  expired: number;
  lost: number;
  unconverged: number;
  tally: Record<string, number>;
}

export function summarize(results: ScheduleResult[]): Totals {
  return {
    schedules: results.length,
    versions: results.reduce((a, r) => a + r.versions, 0),
    conflicts: results.reduce((a, r) => a + r.conflicts, 0),
    contents: results.reduce((a, r) => a + r.contents, 0),
    expired: results.reduce((a, r) => a + r.expired, 0),
    lost: results.reduce((a, r) => a + r.lost.length, 0),
    unconverged: results.filter((r) => r.problems.length > 0).length,
    tally: results.reduce<Record<string, number>>((a, r) => {
      for (const [k, v] of Object.entries(r.tally)) a[k] = (a[k] ?? 0) + v;
      return a;
    }, {}),
  };
}

export function formatTotals(t: Totals): string {
  const tally = Object.entries(t.tally).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`).join(', ');
  return `schedules run ${t.schedules}, versions ${t.versions}, conflicts ${t.conflicts}, contents checked ${t.contents} (${t.expired} past retention), lost ${t.lost}, schedules not converged ${t.unconverged}${tally ? `\nconditions played: ${tally}` : ''}`;
}

export function parseFeatures(value: string | undefined, fallback: readonly Feature[]): Feature[] {
  if (!value) return [...fallback];
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const f of list) if (!(FEATURES as readonly string[]).includes(f)) throw new Error(`unknown feature "${f}" (known: ${FEATURES.join(', ')})`);
  return list as Feature[];
}

/** The batch running now (its server is stopped if the soak is interrupted). */
let active: Batch | undefined;

/** Runs `count` schedules from `firstSeed`, `perBatch` to a server process; `onResult` sees each. */
export async function runSchedules(opts: { count: number; firstSeed: number; perBatch: number; features: readonly Feature[]; length: number; sabotage?: boolean; onResult?: (r: ScheduleResult, index: number) => void }): Promise<ScheduleResult[]> {
  const results: ScheduleResult[] = [];
  for (let done = 0; done < opts.count; ) {
    const batch = await Batch.open({ features: opts.features, length: opts.length, retentionDays: 30, retentionVersions: 3, ...(opts.sabotage ? { sabotage: true } : {}) });
    active = batch;
    try {
      for (let k = 0; k < opts.perBatch && done < opts.count; k++, done++) {
        const r = await batch.run(opts.firstSeed + done);
        results.push(r);
        opts.onResult?.(r, done);
      }
    } finally {
      active = undefined;
      await batch.close();
    }
  }
  return results;
}

const isMain = process.argv[1]?.endsWith('soak.ts');
if (isMain) {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void (active?.close() ?? Promise.resolve()).finally(() => process.exit(130)));
  const count = Number(process.env.LOSS_SCHEDULES ?? 1000);
  const firstSeed = Number(process.env.LOSS_SEED ?? (Date.now() % 1_000_000_000));
  const features = parseFeatures(process.env.LOSS_FEATURES, FEATURES);
  const length = Number(process.env.LOSS_LENGTH ?? 24);
  const started = Date.now();
  process.stdout.write(`loss soak: ${count} schedules from seed ${firstSeed}, features ${features.join(', ')}, ${length} steps each, clients and server from ${runtimeName()}\n`);
  const results = await runSchedules({
    count,
    firstSeed,
    perBatch: Number(process.env.LOSS_BATCH ?? 20),
    features,
    length,
    onResult(r, i) {
      const bad = r.lost.length > 0 || r.problems.length > 0;
      process.stdout.write(`[${i + 1}/${count}] seed ${r.seed}: ${r.versions} versions, ${r.conflicts} conflicts, ${r.contents} contents, lost ${r.lost.length}${r.problems.length ? `, ${r.problems.length} convergence problems` : ''} (${(r.ms / 1000).toFixed(1)} s)\n`);
      if (bad || process.env.LOSS_VERBOSE) process.stdout.write(`${report(r)}\n\n`);
    },
  });
  const totals = summarize(results);
  process.stdout.write(`\n${formatTotals(totals)} — ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  const failed = results.filter((r) => r.lost.length > 0 || r.problems.length > 0).map((r) => r.seed);
  if (failed.length) process.stdout.write(`failing seeds: ${failed.join(' ')}\n`);
  process.exit(totals.lost > 0 || totals.unconverged > 0 ? 1 : 0);
}
