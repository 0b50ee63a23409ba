/**
 * Writing a remote head to disk: only over a file unchanged since it was looked at, inside the
 * roots, after keeping the old bytes in backups/, atomically, with the file time set. After a
 * battery save arrives, the game's auto-load states are moved aside (they would overwrite it
 * when the game starts).
 */
import { deflateRzip, normalizeName, parseSaveKey, PlacementError } from '@retrosync/core';
import { assertInsideRoots } from '../local-fs/roots.js';
import type { SyncedEntry } from '../state/sync-state.js';
import type { EngineDeps } from './deps.js';
import type { LocalSave } from './scan.js';

export type ApplyResult = { applied: true; path: string; version: number; backup: string | null } | { applied: false; reason: string };

/** system / game / kind of a key, as the sync state records them. */
export function keyParts(key: string): Pick<SyncedEntry, 'system' | 'game' | 'kind'> {
  const k = parseSaveKey(key);
  return { system: k.system, game: k.game, kind: k.kind.type };
}

/** Where `key` lives on this device: the file already synced or seen, else identity's placement. */
function target(deps: EngineDeps, key: string, local: LocalSave | null): { path: string; compress: boolean } {
  if (local) return { path: local.path, compress: local.compressed };
  const known = deps.state.get(key);
  if (known) return { path: known.path, compress: known.compressed };
  return deps.layout.place(key);
}

export async function applyHead(deps: EngineDeps, key: string, version: number, local: LocalSave | null, reason: string): Promise<ApplyResult> {
  const now = deps.now ?? Date.now;
  let dest: { path: string; compress: boolean };
  try {
    dest = target(deps, key, local);
    dest.path = assertInsideRoots(dest.path, deps.layout.writeRoots);
  } catch (err) {
    // A state of a core this device does not run is expected (states sync only between
    // devices running the same core): note it quietly. Anything else is worth a warning.
    const expected = err instanceof PlacementError && ['core-mismatch', 'slot-unsupported'].includes(err.code);
    (expected ? deps.log.debug : deps.log.warn)(`not placing ${key} on this device: ${(err as Error).message}`);
    return { applied: false, reason: (err as Error).message };
  }
  const progress = deps.progress?.(`↓ ${key}`, 0);
  const dl = await deps.remote.download(key, version, progress);
  const before = await deps.files.stat(dest.path);
  const unchanged = local ? before !== null && before.size === local.size && before.mtimeMs === local.mtimeMs : before === null;
  if (!unchanged) {
    deps.log.info(`${dest.path} changed while ${key} v${dl.version} was downloading; keeping it and uploading it next pass`);
    return { applied: false, reason: 'changed locally' };
  }
  let backup: string | null = null;
  if (before) backup = await deps.backups.keep(dest.path, await deps.files.read(dest.path), reason, key);
  const bytes = dest.compress ? deflateRzip(dl.bytes) : dl.bytes;
  const mtime = Math.min(dl.correctedMtime ?? now(), now());
  const st = await deps.files.writeAtomic(dest.path, bytes, mtime);
  const parts = keyParts(key);
  deps.state.set({ key, path: dest.path, sha256: dl.sha256, version: dl.version, size: st.size, mtimeMs: st.mtimeMs, compressed: dest.compress, autoLoad: local?.autoLoad ?? deps.state.get(key)?.autoLoad ?? false, ...parts });
  delete deps.state.data.parked[key];
  deps.log.info(`↓ ${key} v${dl.version} → ${dest.path}${backup ? ` (previous bytes kept in ${backup})` : ''}`);
  deps.hooks?.applied?.(key, dest.path, dl.version);
  void deps.remote.log({ action: 'download', filePath: key, fileSize: dl.bytes.length, metadata: JSON.stringify({ version: dl.version }) }).catch(() => undefined);
  if (parts.kind === 'battery') await parkAutoStates(deps, parts.system as string, parts.game as string);
  return { applied: true, path: dest.path, version: dl.version, backup };
}

/** Removes the local file of a remotely deleted save (its bytes go to backups/ first). */
export async function removeLocal(deps: EngineDeps, key: string, version: number, local: LocalSave): Promise<void> {
  const path = assertInsideRoots(local.path, deps.layout.writeRoots);
  const st = await deps.files.stat(path);
  if (!st || st.size !== local.size || st.mtimeMs !== local.mtimeMs) return;
  const backup = await deps.backups.keep(path, await deps.files.read(path), 'deleted-remotely', key);
  await deps.files.remove(path);
  deps.state.set({ ...(deps.state.get(key) as SyncedEntry), key, path, sha256: null, version, size: 0, mtimeMs: 0 });
  deps.log.info(`✕ ${key} was deleted on another device; removed ${path} (kept in ${backup})`);
}

/**
 * A battery save for (system, game) just arrived: a local auto-load state of that game would
 * replace it when the game starts, so it is moved to backups/ and parked — not fetched back
 * until another device uploads a newer one.
 */
async function parkAutoStates(deps: EngineDeps, system: string, game: string): Promise<void> {
  const want = normalizeName(game);
  for (const key of deps.state.keys()) {
    const e = deps.state.get(key);
    if (!e || !e.autoLoad || e.sha256 === null || e.system !== system || normalizeName(e.game ?? '') !== want) continue;
    const path = assertInsideRoots(e.path, deps.layout.writeRoots);
    const st = await deps.files.stat(path);
    if (!st) continue;
    const backup = await deps.backups.keep(path, await deps.files.read(path), 'auto-load-state', key);
    await deps.files.remove(path);
    deps.state.data.parked[key] = e.version;
    deps.log.info(`moved the auto-load state ${path} aside (kept in ${backup}): it would have replaced the battery save of ${game} that just arrived`);
  }
}
