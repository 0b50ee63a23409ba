/**
 * One sync pass (the protocol's client side): read the local files (all, or the ones the watcher
 * named), read what changed on the server since the cursor, plan each save with core's
 * `planSync`, then upload / download / record. Errors on one save are logged and the pass carries
 * on; transient ones make the pass report `retry` so the daemon backs off, and keep the cursor
 * so nothing in the feed is skipped.
 */
import { ApiError } from '@retrosync/api';
import { planSync, type SyncAction } from '@retrosync/core';
import { isTransient, type RemoteHead } from '../net/remote.js';
import type { SyncedEntry } from '../state/sync-state.js';
import { applyHead, keyParts, removeLocal } from './apply.js';
import type { EngineDeps } from './deps.js';
import { readSave, scanLocal, type LocalSave, type ScanResult } from './scan.js';
import { uploadSave } from './upload.js';

export interface PassOptions {
  /** Only these host paths changed locally (watcher); otherwise a full rescan. */
  paths?: readonly string[];
  /** Only the server changed: look at local files of the keys the feed names. */
  remoteOnly?: boolean;
  /** Upload even while paused for quota (an explicit `retrosync sync`). */
  ignorePause?: boolean;
  /** Heads the server pushed (SSE `save` events): applied first, without waiting for the feed. */
  hints?: readonly RemoteHead[];
  /** Read the feed even in a watcher pass (a remote change is pending too). */
  readFeed?: boolean;
}

export interface PassResult {
  uploaded: string[];
  downloaded: string[];
  conflicts: string[];
  failed: { key: string; error: string; transient: boolean }[];
  hashed: number;
  scanned: number;
  /** Transient errors happened: try again after a backoff. */
  retry: boolean;
  quotaPaused: boolean;
}

function remoteFromState(e: SyncedEntry | undefined): RemoteHead | null {
  if (!e) return null;
  return { key: e.key, version: e.version, sha256: e.sha256 ?? '', size: e.size, deleted: e.sha256 === null, deviceId: null, fileMtime: null, correctedMtime: 0 };
}

/** The local file of `key` when the scan did not look at it (remote-only and targeted passes). */
async function localOf(deps: EngineDeps, key: string): Promise<LocalSave | null> {
  const known = deps.state.get(key);
  let path: string;
  let compressed: boolean;
  if (known) {
    path = known.path;
    compressed = known.compressed;
  } else {
    try {
      const p = deps.layout.place(key);
      path = p.path;
      compressed = p.compress;
    } catch {
      return null;
    }
  }
  const st = await deps.files.stat(path);
  if (!st) return null;
  const base = { key, path, size: st.size, mtimeMs: st.mtimeMs, compressed, autoLoad: known?.autoLoad ?? false, system: known?.system ?? null, game: known?.game ?? null, kind: known?.kind ?? null };
  if (known && known.sha256 !== null && known.size === st.size && known.mtimeMs === st.mtimeMs) return { ...base, sha256: known.sha256, raw: null };
  const { raw, sha256 } = await readSave(deps.files, path, compressed);
  return { ...base, sha256, raw };
}

interface PassContext {
  result: PassResult;
  uploadsBlocked: boolean;
  /** Every key the feed named was handled (so the cursor may move past them). */
  feedComplete: boolean;
}

type ScanView = Pick<ScanResult, 'saves' | 'missing'>;
const NO_SCAN: ScanView = { saves: new Map(), missing: [] };

export async function syncPass(deps: EngineDeps, options: PassOptions = {}): Promise<PassResult> {
  const { state, log } = deps;
  const now = deps.now ?? Date.now;
  const result: PassResult = { uploaded: [], downloaded: [], conflicts: [], failed: [], hashed: 0, scanned: 0, retry: false, quotaPaused: false };
  const paused = !options.ignorePause && state.data.pausedUntil !== null && state.data.pausedUntil > now();
  if (options.ignorePause || (state.data.pausedUntil !== null && state.data.pausedUntil <= now())) {
    state.data.pausedUntil = null;
    state.data.pauseReason = null;
  }
  const ctx: PassContext = { result, uploadsBlocked: paused, feedComplete: true };

  // Heads pushed by the server: apply them before reading the feed (one round trip less).
  // A hint never takes a save backwards; the feed read below still decides the cursor.
  const hints = (options.hints ?? []).filter((h) => (state.get(h.key)?.version ?? 0) < h.version && h.deviceId !== deps.remote.deviceId);
  if (hints.length > 0) await processKeys(deps, ctx, hints.map((h) => h.key), new Map(hints.map((h) => [h.key, h])), NO_SCAN, false);

  const scan: ScanView = options.remoteOnly
    ? NO_SCAN
    : await scanLocal(deps.layout, deps.files, state, log, options.paths ? { paths: options.paths } : {}).then((s) => {
        result.hashed = s.hashed;
        result.scanned = s.saves.size;
        return s;
      });

  // A watcher pass on a device that has read the feed before uploads on the synced base without
  // reading the feed first: if another device moved the head, the server answers with a
  // conflict outcome, and the pushed change brings the head here anyway.
  const readFeed = options.readFeed === true || !(options.paths && state.data.cursor !== null);
  const page = readFeed ? await deps.remote.listFiles({ since: state.data.cursor }) : null;
  const remote = new Map((page?.files ?? []).map((f) => [f.key, f]));
  const full = !options.paths && !options.remoteOnly;

  const keys = new Set<string>([...scan.saves.keys(), ...remote.keys()]);
  if (full) for (const k of state.keys()) keys.add(k);
  for (const p of scan.missing) {
    const e = state.atPath(p);
    if (e) keys.add(e.key);
  }
  await processKeys(deps, ctx, [...keys], remote, scan, full);

  if (page && ctx.feedComplete) state.data.cursor = page.cursor;
  state.data.lastSyncAt = new Date(now()).toISOString();
  state.data.lastError = result.failed[0]?.error ?? null;
  await state.save();
  return result;
}

async function processKeys(deps: EngineDeps, ctx: PassContext, keys: readonly string[], remote: Map<string, RemoteHead>, scan: ScanView, full: boolean): Promise<void> {
  const { state, log } = deps;
  const { result } = ctx;
  const now = deps.now ?? Date.now;
  for (const key of keys) {
    const synced = state.get(key);
    const head = remote.get(key) ?? (state.data.cursor === null ? null : remoteFromState(synced));
    try {
      let local = scan.saves.get(key) ?? null;
      if (!local && !full && !scan.missing.some((p) => p === synced?.path)) local = await localOf(deps, key);
      const parkedAt = state.data.parked[key];
      if (parkedAt !== undefined) {
        if (local && !(await deps.files.stat(local.path))) local = null; // parked earlier in this pass
        if (local === null && (head === null || head.version <= parkedAt)) continue;
        delete state.data.parked[key];
      }
      const action: SyncAction = planSync(
        { sha256: local?.sha256 ?? null },
        synced ? { version: synced.version, sha256: synced.sha256 } : null,
        head ? { version: head.version, sha256: head.sha256, deleted: head.deleted } : null,
      );
      switch (action.type) {
        case 'none':
          break;
        case 'record': {
          const l = local;
          if (l) state.set({ key, path: l.path, sha256: l.sha256, version: action.version, size: l.size, mtimeMs: l.mtimeMs, compressed: l.compressed, autoLoad: l.autoLoad, ...keyParts(key) });
          else if (synced) state.set({ ...synced, sha256: null, version: action.version });
          break;
        }
        case 'download': {
          const r = await applyHead(deps, key, action.version, local, 'replaced-by-sync');
          if (r.applied) result.downloaded.push(key);
          break;
        }
        case 'delete-local':
          if (local) await removeLocal(deps, key, action.version, local);
          break;
        case 'refuse-blank':
        case 'delete-remote': {
          // Until this client sends deletions and refuses blanks itself (issue 11, in progress):
          // fetch a locally deleted save back, and let the server judge a blank upload.
          if (action.type === 'delete-remote' && head) {
            const r = await applyHead(deps, key, head.version, local, 'replaced-by-sync');
            if (r.applied) result.downloaded.push(key);
          }
          if (action.type === 'refuse-blank' && local && !ctx.uploadsBlocked) {
            await uploadSave(deps, local, synced?.version ?? null);
            result.uploaded.push(key);
          }
          break;
        }
        case 'upload': {
          if (!local) break;
          if (ctx.uploadsBlocked) {
            log.debug(`upload of ${key} waits: ${state.data.pauseReason ?? 'uploads paused'}`);
            break;
          }
          const out = await uploadSave(deps, local, action.baseVersion);
          if (out.outcome === 'conflict_won' || out.outcome === 'conflict_lost') result.conflicts.push(key);
          if (out.outcome === 'conflict_lost') result.downloaded.push(key);
          result.uploaded.push(key);
          break;
        }
      }
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'quota_exceeded' || err.code === 'insufficient_storage')) {
        ctx.uploadsBlocked = true;
        result.quotaPaused = true;
        state.data.pausedUntil = now() + 10 * 60_000;
        state.data.pauseReason = `${err.message} Uploads are paused for 10 minutes; downloads continue. Free space in the dashboard (Saves → delete old versions) or upgrade, then run: retrosync sync`;
        log.error(`upload of ${key} refused: ${state.data.pauseReason}`);
        continue;
      }
      const transient = isTransient(err);
      const message = err instanceof Error ? err.message : String(err);
      result.failed.push({ key, error: message, transient });
      if (remote.has(key)) ctx.feedComplete = false;
      if (transient) result.retry = true;
      log.warn(`${key}: ${message}${transient ? ' (will retry)' : ''}`);
    }
  }
}
