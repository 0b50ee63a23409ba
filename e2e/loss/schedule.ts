/**
 * Random schedules: a seed gives a list of steps over three devices and a server. Each step is
 * plain data, printed on failure, so a schedule replays from its seed alone.
 */
import { describeLink, type LinkMode } from './proxy.js';
import { Rng } from './rng.js';
import { DEVICE_NAMES, type DeviceName } from './devices.js';

/** The conditions a schedule may contain; CI may run a subset (see README.md). */
export const FEATURES = ['offline', 'blank', 'clock', 'fat', 'delete', 'restore', 'retention', 'link', 'kill'] as const;
export type Feature = (typeof FEATURES)[number];

export const GAMES = ['Golden Sun', 'Pokemon Emerald', 'Metroid Fusion'] as const;
export type Blank = 'empty' | 'zero' | 'ff';
export type ClockChange = { kind: 'reset'; to: number } | { kind: 'jump'; hours: number } | { kind: 'reboot' } | { kind: 'fix' };

export type Step =
  | { op: 'edit'; dev: DeviceName; game: string; size: number; fat: boolean }
  /** A second write in the same 2-second FAT step: same size, same mtime as the file has now. */
  | { op: 'rewrite'; dev: DeviceName; game: string }
  | { op: 'blank'; dev: DeviceName; game: string; blank: Blank; size: number }
  | { op: 'delete'; dev: DeviceName; game: string }
  | { op: 'sync'; dev: DeviceName; killAfterMs?: number; serverKillAfterMs?: number }
  | { op: 'clock'; dev: DeviceName; change: ClockChange }
  | { op: 'link'; dev: DeviceName; mode: LinkMode }
  /** The player picks a non-head version in the dashboard ("Keep this one"): `pick` indexes them. */
  | { op: 'restore'; game: string; pick: number }
  /** `days` pass; the server's maintenance runs. */
  | { op: 'retention'; days: number }
  | { op: 'killServer' };

export function describeStep(s: Step): string {
  switch (s.op) {
    case 'edit':
      return `edit ${s.dev} "${s.game}" ${s.size} B${s.fat ? ' (mtime on a 2 s step)' : ''}`;
    case 'rewrite':
      return `rewrite ${s.dev} "${s.game}" (same size, same 2 s mtime)`;
    case 'blank':
      return `blank ${s.dev} "${s.game}" ${s.blank} ${s.size} B`;
    case 'delete':
      return `delete ${s.dev} "${s.game}"`;
    case 'sync':
      return `sync ${s.dev}${s.killAfterMs !== undefined ? ` (kill -9 after ${s.killAfterMs} ms)` : ''}${s.serverKillAfterMs !== undefined ? ` (kill -9 the server after ${s.serverKillAfterMs} ms)` : ''}`;
    case 'clock': {
      const c = s.change;
      const what = c.kind === 'reset' ? `reset to ${new Date(c.to).toISOString()} + reboot` : c.kind === 'jump' ? `jump ${c.hours} h` : c.kind === 'reboot' ? 'reboot' : 'fixed by NTP + reboot';
      return `clock ${s.dev} ${what}`;
    }
    case 'link':
      return `link ${s.dev} ${describeLink(s.mode)}`;
    case 'restore':
      return `restore "${s.game}" non-head version #${s.pick} via the API`;
    case 'retention':
      return `time passes ${s.days} days; maintenance runs`;
    case 'killServer':
      return 'kill -9 the server, restart it';
  }
}

const SIZES = [64, 64, 512, 512, 8192, 32768];

export function generate(seed: number, features: readonly Feature[], length: number): Step[] {
  const rng = new Rng(seed);
  const on = new Set(features);
  const steps: Step[] = [];
  const dev = () => rng.pick(DEVICE_NAMES);
  const game = () => rng.pick(GAMES);
  // What each device last wrote with a known size (for the FAT rewrite).
  const choices: (readonly [() => Step | undefined, number])[] = [
    [() => ({ op: 'edit', dev: dev(), game: game(), size: rng.pick(SIZES), fat: on.has('fat') && rng.chance(0.7) }), 6],
    [() => ({ op: 'sync', dev: dev(), ...(on.has('kill') && rng.chance(0.15) ? { killAfterMs: rng.int(50, 1500) } : {}), ...(on.has('kill') && rng.chance(0.08) ? { serverKillAfterMs: rng.int(50, 1000) } : {}) }), 8],
    [() => (on.has('fat') ? rewriteAfterSync(rng, steps) : undefined), 2],
    [() => (on.has('blank') ? { op: 'blank', dev: dev(), game: game(), blank: rng.pick(['empty', 'zero', 'ff'] as const), size: rng.pick([0, 8192, 32768]) } : undefined), 1.5],
    [() => (on.has('delete') ? { op: 'delete', dev: dev(), game: game() } : undefined), 1],
    [() => (on.has('clock') ? { op: 'clock', dev: dev(), change: clockChange(rng) } : undefined), 1.5],
    [() => (on.has('link') ? { op: 'link', dev: dev(), mode: linkMode(rng) } : undefined), 1.5],
    [() => (on.has('restore') ? { op: 'restore', game: game(), pick: rng.int(0, 5) } : undefined), 1],
    [() => (on.has('retention') ? { op: 'retention', days: rng.pick([1, 10, 29, 45, 120]) } : undefined), 0.4],
    [() => (on.has('kill') ? { op: 'killServer' } : undefined), 0.25],
  ];
  while (steps.length < length) {
    const s = rng.weighted(choices)();
    if (!s) continue;
    // Without offline play, every edit is synced at once.
    steps.push(s);
    if (!on.has('offline') && (s.op === 'edit' || s.op === 'blank' || s.op === 'delete' || s.op === 'rewrite')) steps.push({ op: 'sync', dev: s.dev });
  }
  return steps;
}

function clockChange(rng: Rng): ClockChange {
  return rng.weighted<ClockChange>([
    [{ kind: 'reset', to: rng.pick([Date.UTC(1970, 0, 1), Date.UTC(2000, 0, 1), Date.UTC(2019, 5, 1)]) + rng.int(0, 3600_000) }, 2],
    [{ kind: 'jump', hours: rng.pick([-72, -5, -1, 1, 30]) }, 2],
    [{ kind: 'reboot' }, 1],
    [{ kind: 'fix' }, 1],
  ]);
}

function linkMode(rng: Rng): LinkMode {
  return rng.weighted<LinkMode>([
    [{ kind: 'ok' }, 3],
    [{ kind: 'throttle', bytesPerSec: rng.pick([16_384, 65_536]) }, 2],
    [{ kind: 'stall' }, 1],
    [{ kind: 'drop', afterBytes: rng.int(200, 6000) }, 1],
  ]);
}

/** A FAT second write: an edit, then a sync of that device, then the same-size rewrite. */
function rewriteAfterSync(rng: Rng, steps: Step[]): Step | undefined {
  const d = rng.pick(DEVICE_NAMES);
  const g = rng.pick(GAMES);
  steps.push({ op: 'edit', dev: d, game: g, size: rng.pick(SIZES), fat: true }, { op: 'sync', dev: d });
  return { op: 'rewrite', dev: d, game: g };
}

/** What CI runs: every feature whose fix is on main (README.md lists the rest and why). */
export const CI_FEATURES: readonly Feature[] = FEATURES;
