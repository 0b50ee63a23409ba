/**
 * The deletion guard (docs/protocol.md, "Deletions"): a missing or unmounted root, an empty card,
 * or many saves vanishing at once is never read as deletions. Such a pass deletes nothing — on
 * the server or here — and says why (the log, `status`, `sync`'s exit code).
 */
import { dirname } from 'node:path';
import { statSync } from 'node:fs';
import { keyId, type SyncState } from '../state/sync-state.js';
import type { DeviceLayout } from './layout.js';

/** More than this many saves vanishing in one pass is never read as deletions. */
export const MAX_DELETIONS_PER_PASS = 5;

/** A root that is not a folder: the card is not mounted (or the path is wrong). */
export function missingRoot(layout: DeviceLayout): string | null {
  for (const root of layout.roots) {
    let dir = false;
    try {
      dir = statSync(root).isDirectory();
    } catch {
      dir = false;
    }
    if (!dir) return `the root ${root} is missing (card not mounted?)`;
  }
  return null;
}

/**
 * Why the synced saves whose files are gone (`vanished`: their paths) must not be read as
 * deletions in this pass, or null when they may. `full`: the pass walked every save folder and
 * found `found` files.
 */
export function holdReason(layout: DeviceLayout, state: SyncState, vanished: readonly string[], full: boolean, found: number): string | null {
  if (vanished.length === 0) return null;
  const live = Object.values(state.data.entries).filter((e) => e.sha256 !== null && state.data.parked[keyId(e.key)] === undefined);
  if (layout.scanDirs().length === 0) return `no save folder exists under ${layout.roots.join(', ')} (card not mounted or emptied?)`;
  if (full && found === 0 && live.length >= 2) return `no save file was found at all while ${live.length} were synced (an empty or unmounted card?)`;
  if (vanished.length > MAX_DELETIONS_PER_PASS) return `${vanished.length} saves vanished at once (more than ${MAX_DELETIONS_PER_PASS} in one pass)`;
  const gone = new Map<string, number>();
  for (const p of vanished) gone.set(dirname(p), (gone.get(dirname(p)) ?? 0) + 1);
  for (const [dir, n] of gone) {
    const total = live.filter((e) => dirname(e.path) === dir).length;
    if (n >= 2 && n * 2 > total) return `${n} of the ${total} saves in ${dir} vanished at once (more than half of the folder)`;
  }
  return null;
}
