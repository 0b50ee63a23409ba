/**
 * What a client does with one save after comparing its local file, what it last synced, and the
 * server's head — the "apply a remote head only if the local file is unchanged since the last
 * sync" rule, shared by the desktop client and mirrored by the shell client.
 */

export interface LocalState {
  /** SHA-256 of the local file now; `null` when it does not exist. */
  sha256: string | null;
}

export interface SyncedState {
  /** Version and SHA-256 recorded at the last successful sync of this save; `null` if never synced. */
  version: number;
  sha256: string | null;
}

export interface RemoteHead {
  version: number;
  sha256: string;
  deleted: boolean;
}

export type SyncAction =
  /** Nothing to do. */
  | { type: 'none' }
  /** Replace (or create) the local file with the remote head; back up the old bytes first. */
  | { type: 'download'; version: number }
  /** Remove the local file (remote deletion, local unchanged); back it up first. */
  | { type: 'delete-local'; version: number }
  /** Upload the local file with this base version (`null`: the save is new to this device). */
  | { type: 'upload'; baseVersion: number | null }
  /** Local bytes and the head already agree: just record the head as synced. */
  | { type: 'record'; version: number };

export function planSync(local: LocalState, synced: SyncedState | null, remote: RemoteHead | null): SyncAction {
  const remoteSha = remote && !remote.deleted ? remote.sha256 : null;
  if (remote && local.sha256 === remoteSha) {
    return synced?.version === remote.version ? { type: 'none' } : { type: 'record', version: remote.version };
  }
  const localChanged = synced === null ? local.sha256 !== null : local.sha256 !== synced.sha256;
  if (localChanged) {
    if (local.sha256 === null) {
      // Deleted locally: we never propagate a local deletion implicitly; re-fetch the head instead.
      return remote && !remote.deleted ? { type: 'download', version: remote.version } : { type: 'none' };
    }
    return { type: 'upload', baseVersion: synced?.version ?? null };
  }
  if (remote === null) return { type: 'none' };
  if (synced?.version === remote.version) return { type: 'none' };
  if (remote.deleted) {
    return local.sha256 === null ? { type: 'record', version: remote.version } : { type: 'delete-local', version: remote.version };
  }
  return { type: 'download', version: remote.version };
}
