/**
 * One sync pass (the protocol's client side): read the local files (all, or the ones the watcher
 * named), read what changed on the server since the cursor, plan each save with core's
 * `planSync`, then act (engine/act.ts). Saves are matched by the key's comparison form
 * (normalizeSaveKey, the server's canonical form). Errors on one save are logged and the pass
 * carries on; transient ones make the pass report `retry` so the daemon backs off, and keep the
 * cursor so nothing in the feed is skipped. A pass that cannot tell a deletion from a vanished
 * card (engine/guard.ts) deletes nothing and says why.
 */
import type { RemoteHead } from '../net/remote.js';
import { keyId } from '../state/sync-state.js';
import { checkClock } from '../time/time-trust.js';
import { processKeys, type PassContext, type ScanView } from './act.js';
import { engineClock, type EngineDeps } from './deps.js';
import { knownFilter, noteLocalFilter, notePageFilter } from './filter.js';
import { holdReason, missingRoot } from './guard.js';
import { scanLocal } from './scan.js';

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
  /** Deletions sent to the server (saves deleted here while in sync). */
  deleted: string[];
  failed: { key: string; error: string; transient: boolean }[];
  /** Saves this device could not apply, and why (a flat folder's name taken by another game, …). */
  unapplied: { key: string; reason: string }[];
  /** Why this pass read no missing file as a deletion (null: it did not need to hold them). */
  held: string | null;
  hashed: number;
  scanned: number;
  /** Transient errors happened: try again after a backoff. */
  retry: boolean;
  quotaPaused: boolean;
}

const NO_SCAN: ScanView = { saves: new Map(), missing: [] };

export async function syncPass(deps: EngineDeps, options: PassOptions = {}): Promise<PassResult> {
  const { state, log } = deps;
  const clock = engineClock(deps);
  const now = clock.now;
  const result: PassResult = { uploaded: [], downloaded: [], conflicts: [], deleted: [], failed: [], unapplied: [], held: null, hashed: 0, scanned: 0, retry: false, quotaPaused: false };
  const jump = checkClock(state, clock);
  if (jump) log.warn(`this device's clock went back since the last sync (${jump}): edits from before this sync are sent as untrusted, so they cannot replace another device's save`);

  const noRoot = missingRoot(deps.layout);
  if (noRoot) {
    // Nothing local can be told apart from a vanished card: no scan, no deletions, no writes.
    result.held = noRoot;
    state.data.held = { reason: noRoot, at: new Date(now()).toISOString(), missing: 0 };
    log.warn(`sync held: ${noRoot}; nothing was deleted or written`);
    await state.save();
    return result;
  }

  const paused = !options.ignorePause && state.data.pausedUntil !== null && state.data.pausedUntil > now();
  if (options.ignorePause || (state.data.pausedUntil !== null && state.data.pausedUntil <= now())) {
    state.data.pausedUntil = null;
    state.data.pauseReason = null;
  }
  // Selective sync: a changed local filter reads the feed from its start (so saves it now includes arrive).
  if (noteLocalFilter(state, deps.localFilter)) log.info('the local sync filter changed; reading every save on the server again');
  const ctx: PassContext = { result, uploadsBlocked: paused, feedComplete: true, held: false, skip: new Set(), filter: knownFilter(state, deps.localFilter) };

  // Heads pushed by the server: apply them before reading the feed (one round trip less).
  // A hint never takes a save backwards; the feed read below still decides the cursor.
  const hints = (options.hints ?? []).filter((h) => (state.get(h.key)?.version ?? 0) < h.version && h.deviceId !== deps.remote.deviceId);
  if (hints.length > 0) await processKeys(deps, ctx, hints.map((h) => keyId(h.key)), new Map(hints.map((h) => [keyId(h.key), h])), NO_SCAN, false);

  const scanned = options.remoteOnly ? null : await scanLocal(deps.layout, deps.files, state, log, { ...(options.paths ? { paths: options.paths } : {}), now });
  const scan: ScanView = scanned ?? NO_SCAN;
  if (scanned) {
    result.hashed = scanned.hashed;
    result.scanned = scanned.saves.size;
  }
  const full = !options.paths && !options.remoteOnly;
  for (const r of scanned?.refused ?? []) {
    const synced = state.get(r.key);
    state.noteUnapplied({ key: r.key, path: r.path, reason: r.reason, version: synced?.version ?? 0, sha256: '', deleted: false, at: new Date(now()).toISOString() });
    result.unapplied.push({ key: r.key, reason: r.reason });
    ctx.skip.add(keyId(r.key));
  }

  // Synced saves whose files are gone: deletions, unless the guard holds them.
  const vanished: string[] = [];
  if (scanned) {
    if (full) {
      for (const e of Object.values(state.data.entries)) if (e.sha256 !== null && !e.excluded && ctx.filter.allows(e.key) && !scanned.seen.has(e.path) && state.data.parked[keyId(e.key)] === undefined) vanished.push(e.path);
    } else {
      for (const p of scanned.missing) {
        const e = state.atPath(p);
        if (e?.sha256 && !e.excluded && ctx.filter.allows(e.key) && state.data.parked[keyId(e.key)] === undefined) vanished.push(p);
      }
    }
  }
  const hold = scanned ? holdReason(deps.layout, state, vanished, full, scanned.seen.size) : null;
  if (hold) {
    ctx.held = true;
    result.held = hold;
    log.warn(`not reading ${vanished.length} missing save(s) as deletions: ${hold}. Nothing was deleted; put the files back, or delete the saves in the dashboard`);
  }
  if (scanned) state.data.held = hold ? { reason: hold, at: new Date(now()).toISOString(), missing: vanished.length } : null;

  // A watcher pass on a device that has read the feed before uploads on the synced base without
  // reading the feed first: if another device moved the head, the server answers with a
  // conflict outcome, and the pushed change brings the head here anyway.
  const readFeed = options.readFeed === true || !(options.paths && state.data.cursor !== null);
  const page = readFeed ? await deps.remote.listFiles({ since: state.data.cursor }) : null;
  if (page) {
    notePageFilter(state, page);
    ctx.filter = knownFilter(state, deps.localFilter);
  }
  const remote = new Map((page?.files ?? []).map((f) => [keyId(f.key), f]));

  const ids = new Set<string>([...scan.saves.keys(), ...remote.keys()]);
  if (full) for (const id of [...Object.keys(state.data.entries), ...Object.keys(state.data.unapplied)]) ids.add(id);
  for (const p of scan.missing) {
    const e = state.atPath(p);
    if (e) ids.add(keyId(e.key));
  }
  await processKeys(deps, ctx, [...ids], remote, scan, full);

  if (page && ctx.feedComplete) state.data.cursor = page.cursor;
  state.data.lastSyncAt = new Date(now()).toISOString();
  state.data.lastError = result.failed[0]?.error ?? null;
  await state.save();
  return result;
}
