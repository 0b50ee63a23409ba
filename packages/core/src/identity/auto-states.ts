/**
 * Auto-load states (`.state.auto`, MinUI slot 9) that a device restores when a game starts: a
 * stale one brings back old SRAM and the emulator then writes it over a freshly synced battery
 * save. The sync engine moves these aside when it writes a battery save (as Onion's
 * transfer_mgba_save.sh does).
 */
import { normalizeName, parseSaveKey } from '../key/save-key.js';
import type { FileSystem } from './fs.js';
import { identifyPath } from './identify.js';
import { joinPath } from './paths.js';
import type { Profile } from './profile.js';
import type { RomIndex } from './roms.js';

function subdirs(fs: FileSystem, dir: string, depth: number): string[] {
  if (depth === 0) return [dir];
  return (fs.list(dir) ?? [])
    .map((name) => joinPath(dir, name))
    .filter((p) => fs.stat(p)?.type === 'dir')
    .flatMap((p) => subdirs(fs, p, depth - 1));
}

/**
 * Device paths of the auto-load states of the game of `key` (any core) that this device would
 * load at game start. Empty where the platform does not auto-load states.
 */
export function autoLoadStatesFor(profile: Profile, key: string, fs: FileSystem, roms?: RomIndex): string[] {
  const { system, game } = parseSaveKey(key);
  const want = normalizeName(game);
  const dirs = profile.states
    .filter((l) => l.autoLoad)
    .flatMap((l) =>
      l.inContentDir
        ? profile.romRoots.flatMap((r) => subdirs(fs, r, 1))
        : l.dir !== null
          ? subdirs(fs, l.dir, l.folders.length)
          : [],
    );
  const out: string[] = [];
  for (const dir of new Set(dirs)) {
    for (const name of fs.list(dir) ?? []) {
      const path = joinPath(dir, name);
      const id = identifyPath(profile, path, { fs, ...(roms ? { roms } : {}) });
      if (id.status === 'save' && id.autoLoad && id.system === system && normalizeName(id.game) === want) out.push(path);
    }
  }
  return out;
}
