/**
 * Random schedules: a seed gives a list of steps over three devices and a server. Each step is
 * plain data, printed on failure, so a schedule replays from its seed alone.
 */
import { describeLink, type LinkMode } from './proxy.js';
import { Rng } from './rng.js';
import { DEVICE_NAMES, type DeviceName, type SaveId } from './devices.js';

/** The conditions a schedule may contain; CI may run a subset (see README.md). */
export const FEATURES = ['offline', 'blank', 'clock', 'fat', 'flat', 'delete', 'restore', 'retention', 'link', 'kill'] as const;
export type Feature = (typeof FEATURES)[number];

/** The saves a schedule plays: GBA games, and an NES game with a GBA game's name (the flat-folder collision). */
export const SAVES: readonly SaveId[] = ['gba/Golden Sun', 'gba/Pokemon Emerald', 'gba/Tetris', 'nes/Tetris'];

/** The devices a schedule with these features runs. */
export function devicesFor(features: readonly Feature[]): DeviceName[] {
  return features.includes('flat') ? [...DEVICE_NAMES, 'flat'] : [...DEVICE_NAMES];
}
export type Blank = 'empty' | 'zero' | 'ff';
export type ClockChange = { kind: 'reset'; to: number } | { kind: 'jump'; hours: number } | { kind: 'reboot' } | { kind: 'fix' };

export type Step =
  /** `fat`: the file time is on a 2 s step; `sameStep`: in the step the coming pass will read it in. */
  | { op: 'edit'; dev: DeviceName; save: SaveId; size: number; fat: boolean; sameStep?: boolean }
  /**
   * A second write in the same 2-second FAT step as the last pass's read: same size, same mtime.
   * Only when that pass read the file within 2 s of its time (else the write is in a new step).
   */
  | { op: 'rewrite'; dev: DeviceName; save: SaveId }
  | { op: 'blank'; dev: DeviceName; save: SaveId; blank: Blank; size: number }
  | { op: 'delete'; dev: DeviceName; save: SaveId }
  | { op: 'sync'; dev: DeviceName; killAfterMs?: number; serverKillAfterMs?: number }
  | { op: 'clock'; dev: DeviceName; change: ClockChange }
  | { op: 'link'; dev: DeviceName; mode: LinkMode }
  /** The player picks a non-head version in the dashboard ("Keep this one"): `pick` indexes them. */
  | { op: 'restore'; save: SaveId; pick: number }
  /** `days` pass; the server's maintenance runs. */
  | { op: 'retention'; days: number }
  | { op: 'killServer' };

export function describeStep(s: Step): string {
  switch (s.op) {
    case 'edit':
      return `edit ${s.dev} "${s.save}" ${s.size} B${s.sameStep ? ' (mtime on the 2 s step of the coming pass)' : s.fat ? ' (mtime on a 2 s step)' : ''}`;
    case 'rewrite':
      return `rewrite ${s.dev} "${s.save}" (same size)`;
    case 'blank':
      return `blank ${s.dev} "${s.save}" ${s.blank} ${s.size} B`;
    case 'delete':
      return `delete ${s.dev} "${s.save}"`;
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
      return `restore "${s.save}" non-head version #${s.pick} via the API`;
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
  const names = devicesFor(features);
  const dev = () => rng.pick(names);
  const save = () => rng.pick(SAVES);
  // The flat device holds GBA games only: it plays the GBA game of that name.
  const own = (d: DeviceName, s: SaveId): SaveId => (d === 'flat' ? `gba/${s.slice(4)}` : s);
  const onDev = <T extends { dev: DeviceName; save: SaveId }>(x: T): T => ({ ...x, save: own(x.dev, x.save) });
  // What each device last wrote with a known size (for the FAT rewrite).
  const choices: (readonly [() => Step | undefined, number])[] = [
    [() => onDev<Step & { op: 'edit' }>({ op: 'edit', dev: dev(), save: save(), size: rng.pick(SIZES), fat: on.has('fat') && rng.chance(0.7) }), 6],
    [() => ({ op: 'sync', dev: dev(), ...(on.has('kill') && rng.chance(0.15) ? { killAfterMs: rng.int(50, 1500) } : {}), ...(on.has('kill') && rng.chance(0.08) ? { serverKillAfterMs: rng.int(50, 1000) } : {}) }), 8],
    [() => (on.has('fat') ? rewriteAfterSync(rng, steps, dev, save) : undefined), 2],
    [() => (on.has('blank') ? onDev<Step & { op: 'blank' }>({ op: 'blank', dev: dev(), save: save(), blank: rng.pick(['empty', 'zero', 'ff'] as const), size: rng.pick([0, 8192, 32768]) }) : undefined), 1.5],
    [() => (on.has('delete') ? onDev<Step & { op: 'delete' }>({ op: 'delete', dev: dev(), save: save() }) : undefined), 2],
    [() => (on.has('clock') ? { op: 'clock', dev: dev(), change: clockChange(rng) } : undefined), 1.5],
    [() => (on.has('link') ? { op: 'link', dev: dev(), mode: linkMode(rng) } : undefined), 1.5],
    [() => (on.has('restore') ? { op: 'restore', save: save(), pick: rng.int(0, 5) } : undefined), 1.5],
    [() => (on.has('retention') ? { op: 'retention', days: rng.pick([1, 10, 29, 45, 120]) } : undefined), 0.4],
    [() => (on.has('kill') ? { op: 'killServer' } : undefined), 0.25],
  ];
  // The player's library: every save written on one device and synced to all, so deletions,
  // restores and conflicts have something to act on.
  for (const sv of SAVES) steps.push({ op: 'edit', dev: 'minui', save: sv, size: rng.pick(SIZES), fat: false });
  for (const n of names) steps.push({ op: 'sync', dev: n });
  length += steps.length;
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
function rewriteAfterSync(rng: Rng, steps: Step[], dev: () => DeviceName, save: () => SaveId): Step | undefined {
  const d = dev();
  const s: SaveId = d === 'flat' ? `gba/${save().slice(4)}` : save();
  steps.push({ op: 'edit', dev: d, save: s, size: rng.pick(SIZES), fat: true, sameStep: true }, { op: 'sync', dev: d });
  return { op: 'rewrite', dev: d, save: s };
}

/**
 * What CI runs: every feature whose fix is on main. A feature whose fix has not landed goes in
 * CI_EXCLUDED with the reason (README.md says the same); `npm run soak:loss` always runs them all.
 * Today none is excluded: blank, fat and flat were, until the client fixes of issue 11 landed.
 */
export const CI_EXCLUDED: Partial<Record<Feature, string>> = {};
export const CI_FEATURES: readonly Feature[] = FEATURES.filter((f) => !(f in CI_EXCLUDED));
