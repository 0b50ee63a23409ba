/**
 * Local side of a pass: walks the save folders (or looks at given paths), identifies new or
 * changed files, and hashes a file only when its size or time differ from the sync state. An
 * unchanged file costs one stat and a map lookup.
 */
import { createHash } from 'node:crypto';
import { rawSaveBytes } from '@retrosync/core';
import type { LocalFiles } from '../local-fs/files.js';
import type { Logger } from '../state/log.js';
import type { SyncState } from '../state/sync-state.js';
import type { DeviceLayout } from './layout.js';

export const WALK_DEPTH = 4;

export interface LocalSave {
  key: string;
  path: string;
  size: number;
  mtimeMs: number;
  /** SHA-256 of the raw (inflated) bytes. */
  sha256: string;
  /** Raw bytes when they were read in this pass. */
  raw: Uint8Array | null;
  compressed: boolean;
  autoLoad: boolean;
  system: string | null;
  game: string | null;
  kind: string | null;
}

export interface ScanResult {
  saves: Map<string, LocalSave>;
  /** Files that were read and hashed in this scan. */
  hashed: number;
  /** Paths looked at that no longer exist (targeted scans). */
  missing: string[];
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads a save and returns its raw bytes (RZIP inflated) and their hash. */
export async function readSave(files: LocalFiles, path: string, compressed: boolean): Promise<{ raw: Uint8Array; sha256: string }> {
  const bytes = await files.read(path);
  const raw = compressed ? rawSaveBytes(bytes) : bytes;
  return { raw, sha256: sha256Hex(raw) };
}

export interface ScanOptions {
  /** Look only at these host paths (the watcher's changes); otherwise walk every save folder. */
  paths?: readonly string[];
}

export async function scanLocal(layout: DeviceLayout, files: LocalFiles, state: SyncState, log: Logger, options: ScanOptions = {}): Promise<ScanResult> {
  layout.beginScan();
  const saves = new Map<string, LocalSave>();
  const missing: string[] = [];
  let hashed = 0;
  let candidates: { path: string; size: number; mtimeMs: number }[];
  if (options.paths) {
    candidates = [];
    for (const path of options.paths) {
      const st = await files.stat(path);
      if (st) candidates.push({ path, ...st });
      else missing.push(path);
    }
  } else {
    candidates = (await Promise.all(layout.scanDirs().map((d) => files.walk(d, WALK_DEPTH)))).flat();
  }
  for (const c of candidates) {
    const known = state.atPath(c.path);
    let save: LocalSave;
    if (known && known.size === c.size && known.mtimeMs === c.mtimeMs && known.sha256 !== null) {
      save = { key: known.key, path: c.path, size: c.size, mtimeMs: c.mtimeMs, sha256: known.sha256, raw: null, compressed: known.compressed, autoLoad: known.autoLoad, system: known.system, game: known.game, kind: known.kind };
    } else {
      // A file synced before keeps its key (a path's identity does not change with its
      // bytes): no identification, and so no ROM-folder walk, for an edited save.
      const id = known
        ? { key: known.key, compressed: known.compressed, autoLoad: known.autoLoad, system: known.system, game: known.game, kind: known.kind }
        : layout.identify(c.path, c.size);
      if ('skip' in id) {
        if (id.unclear) log.debug(`not syncing ${c.path}: ${id.skip}`);
        continue;
      }
      try {
        const { raw, sha256 } = await readSave(files, c.path, id.compressed);
        hashed++;
        save = { key: id.key, path: c.path, size: c.size, mtimeMs: c.mtimeMs, sha256, raw, compressed: id.compressed, autoLoad: id.autoLoad, system: id.system, game: id.game, kind: id.kind };
      } catch (err) {
        log.warn(`skipped ${c.path}: cannot read it (${(err as Error).message}); will retry on the next pass`);
        continue;
      }
    }
    const other = saves.get(save.key);
    if (other) {
      const [keep, drop] = other.mtimeMs >= save.mtimeMs ? [other, save] : [save, other];
      log.warn(`${drop.path} and ${keep.path} are the same save (${save.key}); syncing the newer one, ${keep.path}`);
      saves.set(save.key, keep);
    } else saves.set(save.key, save);
  }
  return { saves, hashed, missing };
}
