/** Row → wire mappings for the sync contracts (packages/api/src/sync). */
import type { SaveHead, SaveMetadata, SaveVersion, SyncFile } from '@retrosync/api';
import { toIso } from '../db/schema.js';
import type { SaveRow, SaveVersionRow } from './schema.js';

export function parseMetadata(text: string | null): SaveMetadata | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as SaveMetadata;
  } catch {
    return null;
  }
}

export function toSaveHead(save: Pick<SaveRow, 'key'>, v: SaveVersionRow): SaveHead {
  return {
    key: save.key,
    version: v.version,
    sha256: v.sha256,
    size: v.size,
    deleted: v.deleted === 1,
    deviceId: v.device_id,
    fileMtime: v.file_mtime,
    correctedMtime: v.corrected_mtime,
    updatedAt: toIso(v.created_at),
  };
}

export function toSaveVersion(save: SaveRow, v: SaveVersionRow): SaveVersion {
  return {
    ...toSaveHead(save, v),
    conflict: v.conflict === 1,
    blank: v.blank === 1,
    timeTrusted: v.time_trusted === 1,
    supersededAt: save.head_version === v.version ? null : toIso(v.superseded_at ?? v.created_at),
    head: save.head_version === v.version,
    restoredFrom: v.restored_from,
    metadata: parseMetadata(v.metadata),
    createdAt: toIso(v.created_at),
  };
}

export function toSyncFile(save: SaveRow, v: SaveVersionRow): SyncFile {
  return {
    ...toSaveHead(save, v),
    system: save.system,
    game: save.game,
    kind: save.kind,
    cursor: save.head_seq,
    metadata: parseMetadata(save.metadata),
  };
}
