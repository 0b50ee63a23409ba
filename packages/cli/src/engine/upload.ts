/**
 * Uploading one local save on its base version (or sending its deletion), and acting on the
 * answer: record the new head; on `conflict_lost`, `blank_refused` or an outcome this client does
 * not know, keep the local bytes in backups/ and take the head (a deleted head: the local file
 * goes to backups/ too). Every upload carries this device's verdict on its file time
 * (time/time-trust.ts).
 */
import type { LeaseInfo, UploadMeta, UploadReply } from '../net/remote.js';
import type { SyncedEntry } from '../state/sync-state.js';
import { timeTrustOf } from '../time/time-trust.js';
import { applyHead, keyParts, removeLocal } from './apply.js';
import { isBlank } from './blank.js';
import type { EngineDeps } from './deps.js';
import { engineClock } from './deps.js';
import { readSave, type LocalSave } from './scan.js';

export async function uploadSave(deps: EngineDeps, local: LocalSave, baseVersion: number | null): Promise<UploadReply> {
  const { state, log } = deps;
  const clock = engineClock(deps);
  const raw = local.raw ?? (await readSave(deps.files, local.path, local.compressed)).raw;
  const blank = isBlank(raw);
  const info = { gameName: keyParts(local.key).game ?? undefined, ...(deps.device ? { deviceName: deps.device.name.slice(0, 64), platform: deps.device.platform } : {}) };
  const meta: UploadMeta = { sha256: local.sha256, baseVersion, fileMtimeMs: local.mtimeMs, info };
  const trust = timeTrustOf(state, clock, local.mtimeMs);
  if (trust) meta.timeTrust = trust;
  const progress = raw.length > 1_000_000 ? deps.progress?.(`↑ ${local.key}`, raw.length) : undefined;
  const reply = await deps.remote.upload(local.key, raw, meta, progress);
  const record = (version: number) =>
    state.set({ key: local.key, path: local.path, sha256: local.sha256, version, size: local.size, mtimeMs: local.mtimeMs, compressed: local.compressed, autoLoad: local.autoLoad, ...keyParts(local.key), ...local.readAt });
  const at = new Date(clock.now()).toISOString();
  switch (reply.outcome) {
    case 'accepted':
    case 'conflict_won':
      record(reply.storedVersion);
      if (reply.outcome === 'conflict_won') {
        state.noteConflict({ key: local.key, at, outcome: 'conflict_won', version: reply.storedVersion, backup: null });
        log.warn(`conflict on ${local.key}: this device's copy became v${reply.storedVersion}; the other copy is kept on the server (retrosync history ${local.key})`);
      } else log.info(`↑ ${local.key} v${reply.storedVersion}${trust === 'untrusted' ? ' (this device\'s clock went back; its time is not trusted)' : ''}`);
      break;
    case 'unchanged':
      record(reply.head.version);
      break;
    default: {
      // conflict_lost, blank_refused, or an outcome this client does not know: our bytes are a
      // version on the server; take the head over them (the local bytes go to backups/ first).
      // If that fails the state keeps the old base, so the next pass tries again.
      const refused = reply.outcome === 'blank_refused' || blank;
      let backup: string | null = null;
      if (reply.head.deleted) {
        await removeLocal(deps, local.key, reply.head.version, local);
        backup = 'backups/';
      } else {
        const r = await applyHead(deps, local.key, reply.head.version, local, refused ? 'blank-save' : 'conflict-lost');
        backup = r.applied ? r.backup : null;
      }
      state.noteConflict({ key: local.key, at, outcome: refused ? 'blank_kept_aside' : 'conflict_lost', version: reply.storedVersion, backup });
      log.warn(
        refused
          ? `${local.path} is blank (empty, all 0x00 or all 0xFF) and would have replaced the save ${local.key}; the server kept it as v${reply.storedVersion} and the real save was put back`
          : `conflict on ${local.key}: the other device's copy (v${reply.head.version}) is now here; this device's copy is kept on the server as v${reply.storedVersion} and locally in ${backup ?? 'backups/'}`,
      );
      break;
    }
  }
  if (reply.lease) warnInUse(deps, local.key, reply.lease, at, 'upload');
  deps.hooks?.uploaded?.(local.key, local.path, reply.outcome);
  if (reply.outcome !== 'unchanged') {
    void deps.remote
      .log({ action: reply.outcome === 'accepted' ? 'upload' : 'conflict', filePath: local.key, fileSize: raw.length, metadata: JSON.stringify({ outcome: reply.outcome, version: reply.storedVersion }) })
      .catch(() => undefined);
  }
  return reply;
}

/** "HH:MM" of an ISO time in this machine's time zone (the lease's start, on the server clock). */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/**
 * Another device holds a live play lease on a save this device changed: warn in the log and keep
 * it for `status`. Nothing is refused; the conflict rule decided.
 */
export function warnInUse(deps: EngineDeps, key: string, lease: LeaseInfo, at: string, via: 'upload' | 'claim'): void {
  // One warning per change: the upload's reply and the claim after it name the same lease.
  const last = deps.state.data.leaseWarnings.at(-1);
  if (last && last.key === key && last.deviceId === lease.deviceId && last.since === lease.since && Math.abs(Date.parse(at) - Date.parse(last.at)) < 60_000) return;
  deps.state.noteLeaseWarning({ key, deviceName: lease.deviceName, deviceId: lease.deviceId, since: lease.since, at, via });
  deps.log.warn(
    `${key} is in use on ${lease.deviceName} since ${clockTime(lease.since)}: it was changed here too — both copies are kept and the conflict rule decides which is current (retrosync history ${key})`,
  );
}

/**
 * A save deleted here while in sync: send the deletion on the synced base. The server keeps the
 * bytes in history (restorable from the dashboard). If the head moved meanwhile (a modification
 * beats a deletion), the head comes back here.
 */
export async function deleteRemote(deps: EngineDeps, synced: SyncedEntry, baseVersion: number): Promise<UploadReply> {
  const { state, log } = deps;
  const clock = engineClock(deps);
  const now = clock.now();
  const trust = state.data.clock.untrustedBoot === clock.boot ? 'untrusted' : undefined;
  const reply = await deps.remote.deleteSave(synced.key, { baseVersion, fileMtimeMs: now, ...(trust ? { timeTrust: trust } : {}) });
  if (reply.lease) warnInUse(deps, synced.key, reply.lease, new Date(now).toISOString(), 'upload');
  const deleted = (version: number) => state.set({ ...synced, sha256: null, version, size: 0, mtimeMs: 0 });
  if (reply.outcome === 'accepted' || reply.outcome === 'conflict_won' || (reply.outcome === 'unchanged' && reply.head.deleted)) {
    deleted(reply.outcome === 'unchanged' ? reply.head.version : reply.storedVersion);
    log.info(`✕ ${synced.key} was deleted here; the deletion is v${reply.storedVersion} on the server (the bytes stay in its history, restorable from the dashboard)`);
    void deps.remote.log({ action: 'delete', filePath: synced.key, metadata: JSON.stringify({ outcome: reply.outcome, version: reply.storedVersion }) }).catch(() => undefined);
  } else if (reply.head.deleted) {
    deleted(reply.head.version);
  } else {
    log.info(`${synced.key} was deleted here but changed on another device meanwhile (a modification beats a deletion); fetching v${reply.head.version}`);
    await applyHead(deps, synced.key, reply.head.version, null, 'replaced-by-sync');
  }
  return reply;
}
