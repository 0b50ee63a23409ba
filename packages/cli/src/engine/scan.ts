/**
 * Local side of a pass: walks the save folders (or looks at given paths), identifies new or
 * changed files, and hashes a file only when its size or time differ from the sync state — or
 * when its time lies within {@link FILE_TIME_WINDOW_MS} of the moment it was last read (FAT keeps
 * file times in 2-second steps, so a second write in the same step looks unchanged). An
 * unchanged file costs one stat and a map lookup. Saves are keyed by the key's comparison form.
 */
import { createHash } from 'node:crypto';
import { rawSaveBytes } from '@retrosync/core';
import type { LocalFiles } from '../local-fs/files.js';
import type { Logger } from '../state/log.js';
import { keyId, type SyncedEntry, type SyncState } from '../state/sync-state.js';
import type { DeviceLayout } from './layout.js';

export const WALK_DEPTH = 4;

/**
 * File times: FAT stores them in 2-second steps, so (size, mtime) proves nothing about a write
 * made within the same step as the last read. A file whose time lies within 2 s plus the file
 * system's granularity (2 s on FAT) of that read is hashed again.
 */
export const FILE_TIME_WINDOW_MS = 4_000;

/** When a file is read: on the file system's clock (kernel) and on the device clock (they differ only under the test clock offset). */
export interface ReadAt {
  readAtMs: number;
  readAtDeviceMs: number;
}

/** True when (size, mtime) equal to the entry's prove the file unchanged: its time is outside the granularity window of the last read, on both clocks. */
export function unchangedSince(known: SyncedEntry, size: number, mtimeMs: number): boolean {
  if (known.sha256 === null || known.size !== size || known.mtimeMs !== mtimeMs) return false;
  return Math.abs(known.readAtMs - mtimeMs) >= FILE_TIME_WINDOW_MS && Math.abs(known.readAtDeviceMs - mtimeMs) >= FILE_TIME_WINDOW_MS;
}

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
  /** When these bytes were read (this pass, or the last time they were). */
  readAt: ReadAt;
}

export interface ScanResult {
  /** By the key's comparison form (normalizeSaveKey). */
  saves: Map<string, LocalSave>;
  /** Every file path the scan looked at (saves or not). */
  seen: Set<string>;
  /** Files that were read and hashed in this scan. */
  hashed: number;
  /** Paths looked at that no longer exist (targeted scans). */
  missing: string[];
  /** Synced files that identity now maps to another key: not synced, reported (flat folders). */
  refused: { key: string; path: string; reason: string }[];
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
  /** The device clock (default: the system clock). */
  now?: () => number;
}

export function readAtNow(now: () => number): ReadAt {
  return { readAtMs: Date.now(), readAtDeviceMs: now() };
}

export async function scanLocal(layout: DeviceLayout, files: LocalFiles, state: SyncState, log: Logger, options: ScanOptions = {}): Promise<ScanResult> {
  layout.beginScan();
  const saves = new Map<string, LocalSave>();
  const missing: string[] = [];
  const seen = new Set<string>();
  const refused: ScanResult['refused'] = [];
  const now = options.now ?? Date.now;
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
    seen.add(c.path);
    const known = state.atPath(c.path);
    let save: LocalSave;
    if (known && known.sha256 !== null && unchangedSince(known, c.size, c.mtimeMs)) {
      const readAt = { readAtMs: known.readAtMs, readAtDeviceMs: known.readAtDeviceMs };
      save = { key: known.key, path: c.path, size: c.size, mtimeMs: c.mtimeMs, sha256: known.sha256, raw: null, compressed: known.compressed, autoLoad: known.autoLoad, system: known.system, game: known.game, kind: known.kind, readAt };
    } else {
      // A file synced before keeps its key unless identity now names another save for it (in a
      // flat folder, a ROM added later can make `Tetris.srm` the NES game): then its bytes go up
      // under no key and the pass reports it. Identity walks ROM folders only for folders that do
      // not name the system, so an edited save elsewhere costs no walk.
      const fresh = layout.identify(c.path, c.size);
      if (known && !('skip' in fresh) && keyId(fresh.key) !== keyId(known.key) && known.sha256 !== null) {
        const reason = `${c.path} was synced as ${known.key} but this device now identifies it as ${fresh.key}; not uploading it under either key`;
        log.warn(`${reason} (move or rename the file so each game has its own)`);
        refused.push({ key: known.key, path: c.path, reason });
        continue;
      }
      const id = known && ('skip' in fresh || keyId(fresh.key) === keyId(known.key))
        ? { key: known.key, compressed: known.compressed, autoLoad: known.autoLoad, system: known.system, game: known.game, kind: known.kind }
        : fresh;
      if ('skip' in id) {
        if (id.unclear) log.debug(`not syncing ${c.path}: ${id.skip}`);
        continue;
      }
      try {
        const readAt = readAtNow(now);
        const { raw, sha256 } = await readSave(files, c.path, id.compressed);
        hashed++;
        save = { key: id.key, path: c.path, size: c.size, mtimeMs: c.mtimeMs, sha256, raw, compressed: id.compressed, autoLoad: id.autoLoad, system: id.system, game: id.game, kind: id.kind, readAt };
      } catch (err) {
        log.warn(`skipped ${c.path}: cannot read it (${(err as Error).message}); will retry on the next pass`);
        continue;
      }
    }
    const id = keyId(save.key);
    const other = saves.get(id);
    if (other) {
      const [keep, drop] = other.mtimeMs >= save.mtimeMs ? [other, save] : [save, other];
      log.warn(`${drop.path} and ${keep.path} are the same save (${save.key}); syncing the newer one, ${keep.path}`);
      saves.set(id, keep);
    } else saves.set(id, save);
  }
  return { saves, seen, hashed, missing, refused };
}
