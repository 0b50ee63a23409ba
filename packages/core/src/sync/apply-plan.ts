/**
 * The plan rule of sync protocol v1.1: what a client does with one save after comparing its local
 * file, what it last synced, and the server's head. Every client follows it — the desktop client
 * calls it, the shell client mirrors it, and both are checked against the shared vectors in
 * `packages/core/vectors/sync-plan.json` (see docs/protocol.md).
 *
 *   local and head hold the same bytes        → nothing, or record the head as synced
 *   local changed since the last sync:
 *     file gone, deletions held this pass     → nothing (a missing root or a mass vanishing is
 *                                               never read as deletions)
 *     file gone, head unchanged since sync    → send a deletion on the synced base
 *     file gone, head moved                   → download (a modification beats a deletion)
 *     blank bytes, live head                  → refuse the blank: put the head back, keeping the
 *                                               blank bytes in backups (the client's blank guard)
 *     otherwise                               → upload on the synced base (the server decides)
 *   local unchanged:
 *     head moved and deleted                  → delete locally (after a backup)
 *     head moved                              → download (after a backup)
 */

export interface LocalState {
  /** SHA-256 of the local file now; `null` when it does not exist. */
  sha256: string | null;
  /** The local bytes are blank: empty, all 0x00 or all 0xFF. */
  blank?: boolean;
  /**
   * This pass may not read the file's absence as a deletion (its root is missing, the card is
   * empty, or many saves vanished at once). Only meaningful when `sha256` is `null`.
   */
  deletionsHeld?: boolean;
}

export interface SyncedState {
  /** Version recorded at the last successful sync of this save. */
  version: number;
  /** SHA-256 recorded then; `null` when the save was synced as deleted. */
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
  /** Send a deletion (`DELETE` with `X-Base-Version`): the file was deleted here while in sync. */
  | { type: 'delete-remote'; baseVersion: number }
  /** The local file is blank and the head is real: do not upload; put the head back (the blank bytes go to backups). */
  | { type: 'refuse-blank'; version: number }
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
      // Deleted here since the last sync (`synced` holds bytes, so it is not null).
      if (remote === null || synced === null) return { type: 'none' };
      // The server has it deleted too: recording that deletes nothing here, so it holds even in a
      // pass that holds deletions (else a held pass could never settle once the player deletes
      // those saves in the dashboard).
      if (remote.deleted) return { type: 'record', version: remote.version };
      if (local.deletionsHeld) return { type: 'none' };
      if (remote.version === synced.version) return { type: 'delete-remote', baseVersion: synced.version };
      return { type: 'download', version: remote.version };
    }
    if (local.blank && remote && !remote.deleted) return { type: 'refuse-blank', version: remote.version };
    return { type: 'upload', baseVersion: synced?.version ?? null };
  }
  if (remote === null) return { type: 'none' };
  if (synced?.version === remote.version) return { type: 'none' };
  if (remote.deleted) {
    return local.sha256 === null ? { type: 'record', version: remote.version } : { type: 'delete-local', version: remote.version };
  }
  return { type: 'download', version: remote.version };
}
