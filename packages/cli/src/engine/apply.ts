/**
 * Writing a remote head to disk: only where this device's scan agrees the file is that save
 * (flat folders: never over a file the scan maps to another key, or cannot map), only over a
 * file unchanged since it was read (compared by its bytes, which the backup reads anyway),
 * inside the roots, after keeping the old bytes in backups/, atomically, with the file time set.
 * After a battery save arrives, the game's auto-load states are moved aside (they would
 * overwrite it when the game starts).
 */
import { deflateRzip, normalizeName, parseSaveKey, PlacementError, rawSaveBytes } from '@retrosync/core';
import { assertInsideRoots } from '../local-fs/roots.js';
import { keyId, type SyncedEntry } from '../state/sync-state.js';
import { engineClock, type EngineDeps } from './deps.js';
import { readAtNow, sha256Hex, type LocalSave } from './scan.js';

export type ApplyResult = { applied: true; path: string; version: number; backup: string | null } | { applied: false; reason: string; refused?: boolean };

/**
 * Why `key` may not be written at `path` on this device (a flat save folder where the name
 * belongs to another game's save), or null when it may. The scan's identification decides: a
 * path the state knows as another key, or a file (there now, or that would be created) that
 * identity maps to another key, is never overwritten; an existing file identity cannot map is
 * left alone too.
 */
export async function placementRefusal(deps: EngineDeps, key: string, path: string): Promise<string | null> {
  const id = keyId(key);
  const known = deps.state.atPath(path);
  if (known && keyId(known.key) === id) return null;
  if (known && known.sha256 !== null) return `${path} is the save ${known.key} on this device`;
  const st = await deps.files.stat(path);
  const found = deps.layout.identify(path, st?.size ?? 0);
  if ('skip' in found) return st === null ? null : `${path} exists and this device cannot tell which save it is (${found.skip})`;
  if (keyId(found.key) !== id) return `${path} is the save ${found.key} on this device (a flat save folder gives both games that file name)`;
  return null;
}

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
  const now = engineClock(deps).now;
  let dest: { path: string; compress: boolean };
  try {
    dest = target(deps, key, local);
    dest.path = assertInsideRoots(dest.path, deps.layout.writeRoots);
    const refusal = local ? null : await placementRefusal(deps, key, dest.path);
    if (refusal) {
      deps.log.warn(`not placing ${key} v${version}: ${refusal}; nothing was read, uploaded or overwritten`);
      return { applied: false, reason: refusal, refused: true };
    }
  } catch (err) {
    // A state of a core this device does not run is expected (states sync only between
    // devices running the same core): note it quietly. Anything else is worth a warning.
    const expected = err instanceof PlacementError && ['core-mismatch', 'slot-unsupported'].includes(err.code);
    (expected ? deps.log.debug : deps.log.warn)(`not placing ${key} on this device: ${(err as Error).message}`);
    return { applied: false, reason: (err as Error).message };
  }
  const progress = deps.progress?.(`↓ ${key}`, 0);
  const dl = await deps.remote.download(key, version, progress);
  // The file must hold what was planned on: compared by its bytes (read for the backup anyway),
  // since a same-size write within one FAT time step keeps (size, mtime).
  const before = await deps.files.stat(dest.path);
  const current = before ? await deps.files.read(dest.path) : null;
  const unchanged = local ? current !== null && sha256Hex(dest.compress ? rawSaveBytes(current) : current) === local.sha256 : current === null;
  if (!unchanged) {
    deps.log.info(`${dest.path} changed while ${key} v${dl.version} was downloading; keeping it and uploading it next pass`);
    return { applied: false, reason: 'changed locally' };
  }
  let backup: string | null = null;
  if (current) backup = await deps.backups.keep(dest.path, current, reason, key);
  const bytes = dest.compress ? deflateRzip(dl.bytes) : dl.bytes;
  const mtime = Math.min(dl.correctedMtime ?? now(), now());
  const st = await deps.files.writeAtomic(dest.path, bytes, mtime);
  const parts = keyParts(key);
  deps.state.set({ key, path: dest.path, sha256: dl.sha256, version: dl.version, size: st.size, mtimeMs: st.mtimeMs, compressed: dest.compress, autoLoad: local?.autoLoad ?? deps.state.get(key)?.autoLoad ?? false, ...parts, ...readAtNow(now) });
  delete deps.state.data.parked[keyId(key)];
  deps.state.clearUnapplied(key);
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
  if (!st) return;
  const current = await deps.files.read(path);
  if (sha256Hex(local.compressed ? rawSaveBytes(current) : current) !== local.sha256) return; // edited meanwhile: uploaded next pass
  const backup = await deps.backups.keep(path, current, 'deleted-remotely', key);
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
    deps.state.data.parked[keyId(key)] = e.version;
    deps.log.info(`moved the auto-load state ${path} aside (kept in ${backup}): it would have replaced the battery save of ${game} that just arrived`);
  }
}
