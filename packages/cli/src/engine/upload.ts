/**
 * Uploading one local save on its base version, and acting on the answer: record the new head,
 * or on `conflict_lost` keep the local bytes in backups/ and take the head. A blank (empty or
 * all-zero) save is sent with no base and the oldest possible file time, so it can never replace
 * a real save: the server keeps it as a conflict version and the real head comes back.
 */
import type { UploadMeta, UploadReply } from '../net/remote.js';
import { applyHead, keyParts } from './apply.js';
import { isBlank } from './blank.js';
import type { EngineDeps } from './deps.js';
import { readSave, type LocalSave } from './scan.js';

export async function uploadSave(deps: EngineDeps, local: LocalSave, baseVersion: number | null): Promise<UploadReply> {
  const { state, log } = deps;
  const raw = local.raw ?? (await readSave(deps.files, local.path, local.compressed)).raw;
  const blank = isBlank(raw);
  const info = { gameName: keyParts(local.key).game ?? undefined, ...(deps.device ? { deviceName: deps.device.name.slice(0, 64), platform: deps.device.platform } : {}) };
  const meta: UploadMeta = blank ? { sha256: local.sha256, baseVersion: null, fileMtimeMs: 0, info } : { sha256: local.sha256, baseVersion, fileMtimeMs: local.mtimeMs, info };
  const progress = raw.length > 1_000_000 ? deps.progress?.(`↑ ${local.key}`, raw.length) : undefined;
  const reply = await deps.remote.upload(local.key, raw, meta, progress);
  const record = (version: number) =>
    state.set({ key: local.key, path: local.path, sha256: local.sha256, version, size: local.size, mtimeMs: local.mtimeMs, compressed: local.compressed, autoLoad: local.autoLoad, ...keyParts(local.key) });
  const at = new Date((deps.now ?? Date.now)()).toISOString();
  switch (reply.outcome) {
    case 'accepted':
    case 'conflict_won':
      record(reply.storedVersion);
      if (reply.outcome === 'conflict_won') {
        state.noteConflict({ key: local.key, at, outcome: 'conflict_won', version: reply.storedVersion, backup: null });
        log.warn(`conflict on ${local.key}: this device's copy is newer and became v${reply.storedVersion}; the other copy is kept on the server (retrosync history ${local.key})`);
      } else log.info(`↑ ${local.key} v${reply.storedVersion}`);
      break;
    case 'unchanged':
      record(reply.head.version);
      break;
    case 'conflict_lost': {
      // Our bytes are stored on the server as a conflict version: take the head over them (the
      // local bytes go to backups/ first). If that fails the state keeps the old base, so the
      // next pass tries again.
      const r = await applyHead(deps, local.key, reply.head.version, local, blank ? 'blank-save' : 'conflict-lost');
      const backup = r.applied ? r.backup : null;
      state.noteConflict({ key: local.key, at, outcome: blank ? 'blank_kept_aside' : 'conflict_lost', version: reply.storedVersion, backup });
      log.warn(
        blank
          ? `${local.path} is empty/all zero and would have replaced the synced save ${local.key}; it was stored as conflict v${reply.storedVersion} and the real save put back`
          : `conflict on ${local.key}: the other device's copy is newer (v${reply.head.version}) and is now here; this device's copy is kept on the server as v${reply.storedVersion} and locally in ${backup ?? 'backups/'}`,
      );
      break;
    }
  }
  deps.hooks?.uploaded?.(local.key, local.path, reply.outcome);
  if (reply.outcome !== 'unchanged') {
    void deps.remote
      .log({ action: reply.outcome.startsWith('conflict') ? 'conflict' : 'upload', filePath: local.key, fileSize: raw.length, metadata: JSON.stringify({ outcome: reply.outcome, version: reply.storedVersion }) })
      .catch(() => undefined);
  }
  return reply;
}
