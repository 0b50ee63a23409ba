/**
 * The per-save half of a pass: find each save's local file, plan it with core's `planSync`, and
 * act — upload, download, record, delete here, send a deletion, or refuse a blank. A remote key is
 * only ever read from or written to a file this device's scan identifies as that key (flat save
 * folders); one that cannot be is reported as unapplied, never guessed.
 */
import { ApiError } from '@retrosync/api';
import { planSync, type SyncAction } from '@retrosync/core';
import { isTransient, type RemoteHead } from '../net/remote.js';
import { keyId, type SyncedEntry, type UnappliedNote } from '../state/sync-state.js';
import { applyHead, keyParts, placementRefusal, removeLocal } from './apply.js';
import { isBlank } from './blank.js';
import { engineClock, type EngineDeps } from './deps.js';
import type { PassResult } from './engine.js';
import { readAtNow, readSave, unchangedSince, type LocalSave, type ScanResult } from './scan.js';
import type { PassFilter } from './filter.js';
import { deleteRemote, uploadSave } from './upload.js';

export interface PassContext {
  result: PassResult;
  uploadsBlocked: boolean;
  /** Every key the feed named was handled (so the cursor may move past them). */
  feedComplete: boolean;
  /** The deletion guard holds this pass: no missing file is read as a deletion. */
  held: boolean;
  /** Saves whose file identity now maps to another key: left alone this pass (reported already). */
  skip: Set<string>;
  /** Selective sync: the filters this pass follows (engine/filter.ts). */
  filter: PassFilter;
}

/** A save the filter excludes: left alone (never a deletion), its entry marked so re-including it is safe. */
function leaveExcluded(deps: EngineDeps, key: string, synced: SyncedEntry | undefined, why: string): void {
  if (synced && !synced.excluded) {
    deps.state.set({ ...synced, excluded: true });
    deps.log.info(`${key} is excluded by ${why}: left alone here and on the server (excluding deletes nothing)`);
  }
  deps.state.clearUnapplied(key);
}

export type ScanView = Pick<ScanResult, 'saves' | 'missing'>;

/** The head a save had when it could not be applied: tried again on every full pass (the feed's cursor has moved past it). */
function remoteFromUnapplied(u: UnappliedNote | undefined): RemoteHead | null {
  if (!u || u.version === 0 || u.sha256 === '') return null;
  return { key: u.key, version: u.version, sha256: u.sha256, size: 0, deleted: u.deleted, deviceId: null, fileMtime: null, correctedMtime: 0 };
}

function remoteFromState(e: SyncedEntry | undefined): RemoteHead | null {
  if (!e) return null;
  return { key: e.key, version: e.version, sha256: e.sha256 ?? '', size: e.size, deleted: e.sha256 === null, deviceId: null, fileMtime: null, correctedMtime: 0 };
}

type Found = { local: LocalSave | null } | { refused: string };

/** The local file of `key` when the scan did not look at it (remote-only and targeted passes). */
async function localOf(deps: EngineDeps, key: string): Promise<Found> {
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
      return { local: null };
    }
    // Flat folders: the file at the placed path may be another game's save.
    const refusal = await placementRefusal(deps, key, path);
    if (refusal) return { refused: refusal };
  }
  const st = await deps.files.stat(path);
  if (!st) return { local: null };
  const base = { key, path, size: st.size, mtimeMs: st.mtimeMs, compressed, autoLoad: known?.autoLoad ?? false, system: known?.system ?? null, game: known?.game ?? null, kind: known?.kind ?? null };
  if (known && known.sha256 !== null && unchangedSince(known, st.size, st.mtimeMs)) return { local: { ...base, sha256: known.sha256, raw: null, readAt: { readAtMs: known.readAtMs, readAtDeviceMs: known.readAtDeviceMs } } };
  const readAt = readAtNow(engineClock(deps).now);
  const { raw, sha256 } = await readSave(deps.files, path, compressed);
  return { local: { ...base, sha256, raw, readAt } };
}

function noteUnapplied(deps: EngineDeps, ctx: PassContext, key: string, head: RemoteHead | null, reason: string): void {
  const at = new Date(engineClock(deps).now()).toISOString();
  deps.state.noteUnapplied({ key, path: null, reason, version: head?.version ?? 0, sha256: head?.sha256 ?? '', deleted: head?.deleted ?? false, at });
  if (!ctx.result.unapplied.some((u) => u.key === key)) ctx.result.unapplied.push({ key, reason });
}

export async function processKeys(deps: EngineDeps, ctx: PassContext, ids: readonly string[], remote: Map<string, RemoteHead>, scan: ScanView, full: boolean): Promise<void> {
  const { state, log } = deps;
  const { result } = ctx;
  const now = engineClock(deps).now;
  for (const id of ids) {
    if (ctx.skip.has(id)) continue;
    let synced = state.get(id);
    const head = remote.get(id) ?? remoteFromUnapplied(state.data.unapplied[id]) ?? (state.data.cursor === null ? null : remoteFromState(synced));
    let local = scan.saves.get(id) ?? null;
    const key = head?.key ?? local?.key ?? synced?.key ?? id;
    if (!ctx.filter.allows(key)) {
      leaveExcluded(deps, key, synced, ctx.filter.excludedBy(key));
      continue;
    }
    try {
      if (!local && !full && !scan.missing.some((p) => p === synced?.path)) {
        const found = await localOf(deps, key);
        if ('refused' in found) {
          log.warn(`not syncing ${key}${head ? ` v${head.version}` : ''} here: ${found.refused}; nothing was read, uploaded or overwritten`);
          noteUnapplied(deps, ctx, key, head, found.refused);
          continue;
        }
        local = found.local;
      }
      if (synced?.excluded) {
        // Included again. A file still here syncs as usual; a file gone while excluded is not a
        // deletion — the entry is forgotten, so the save is fetched as if new to this device.
        if (local === null) {
          state.forget(key);
          synced = undefined;
          log.info(`${key} is included again; it is not on this device, so it is fetched`);
        } else {
          synced = { ...synced, excluded: false };
          state.set(synced);
        }
      }
      // Only a watcher or full pass ran the deletion guard: elsewhere a missing file is not a deletion.
      const mayDelete = full || (synced !== undefined && scan.missing.includes(synced.path));
      const parkedAt = state.data.parked[id];
      if (parkedAt !== undefined) {
        if (local && !(await deps.files.stat(local.path))) local = null; // parked earlier in this pass
        if (local === null && (head === null || head.version <= parkedAt)) continue;
        delete state.data.parked[id];
      }
      const action: SyncAction = planSync(
        { sha256: local?.sha256 ?? null, blank: local?.raw ? isBlank(local.raw) : false, deletionsHeld: ctx.held || !mayDelete },
        synced ? { version: synced.version, sha256: synced.sha256 } : null,
        head ? { version: head.version, sha256: head.sha256, deleted: head.deleted } : null,
      );
      let unapplied = false;
      switch (action.type) {
        case 'none':
          // Read again this pass (within the file-time window) with the same bytes: note when.
          if (local?.raw && synced && synced.sha256 === local.sha256 && synced.path === local.path) state.set({ ...synced, size: local.size, mtimeMs: local.mtimeMs, ...local.readAt });
          if (local === null && synced?.sha256 && ctx.held) unapplied = true; // a held deletion: reported as held, not cleared
          break;
        case 'record': {
          const l = local;
          if (l) state.set({ key: l.key, path: l.path, sha256: l.sha256, version: action.version, size: l.size, mtimeMs: l.mtimeMs, compressed: l.compressed, autoLoad: l.autoLoad, ...keyParts(l.key), ...l.readAt });
          else if (synced) state.set({ ...synced, sha256: null, version: action.version });
          break;
        }
        case 'download': {
          const r = await applyHead(deps, key, action.version, local, 'replaced-by-sync');
          if (r.applied) result.downloaded.push(key);
          else if (r.refused) {
            noteUnapplied(deps, ctx, key, head, r.reason);
            unapplied = true;
          }
          break;
        }
        case 'refuse-blank': {
          // The client's blank guard: a blank file never goes up over a live head, whatever the clock says.
          const l = local as LocalSave;
          const r = await applyHead(deps, key, action.version, l, 'blank-save');
          state.noteConflict({ key, at: new Date(now()).toISOString(), outcome: 'blank_kept_aside', version: action.version, backup: r.applied ? r.backup : null });
          log.warn(`${l.path} is blank (empty, all 0x00 or all 0xFF); not uploaded over ${key} v${action.version}${r.applied ? `, which was put back (the blank file is kept in ${r.backup})` : ''}`);
          if (r.applied) result.downloaded.push(key);
          result.conflicts.push(key);
          break;
        }
        case 'delete-local':
          if (local) await removeLocal(deps, key, action.version, local);
          break;
        case 'delete-remote': {
          if (ctx.uploadsBlocked || !synced) break;
          await deleteRemote(deps, synced, action.baseVersion);
          result.deleted.push(key);
          break;
        }
        case 'upload': {
          if (!local) break;
          if (ctx.uploadsBlocked) {
            log.debug(`upload of ${key} waits: ${state.data.pauseReason ?? 'uploads paused'}`);
            break;
          }
          const out = await uploadSave(deps, local, action.baseVersion);
          if (out.outcome !== 'accepted' && out.outcome !== 'unchanged') result.conflicts.push(key);
          if (out.outcome !== 'accepted' && out.outcome !== 'unchanged' && out.outcome !== 'conflict_won') result.downloaded.push(key);
          result.uploaded.push(key);
          break;
        }
      }
      if (!unapplied) state.clearUnapplied(key);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'save_excluded') {
        // The filter changed on the server since this pass read it: the next feed read brings it.
        leaveExcluded(deps, key, state.get(key), "this device's filter on the server");
        continue;
      }
      if (err instanceof ApiError && (err.code === 'quota_exceeded' || err.code === 'insufficient_storage')) {
        ctx.uploadsBlocked = true;
        result.quotaPaused = true;
        state.data.pausedUntil = now() + 10 * 60_000;
        state.data.pauseReason = `${err.message} Uploads are paused for 10 minutes; downloads continue. Free space in the dashboard (a save's history → delete old versions, or delete a whole save) or upgrade, then run: retrosync sync`;
        log.error(`upload of ${key} refused: ${state.data.pauseReason}`);
        continue;
      }
      const transient = isTransient(err);
      const message = err instanceof Error ? err.message : String(err);
      result.failed.push({ key, error: message, transient });
      if (remote.has(id)) ctx.feedComplete = false;
      if (transient) result.retry = true;
      log.warn(`${key}: ${message}${transient ? ' (will retry)' : ''}`);
    }
  }
}
