/**
 * The conflict rule of sync protocol v1 — the one place that decides what an upload does to a
 * save's head. Pure: the server calls it inside the transaction that holds the save row, and the
 * property tests use it as the model.
 *
 *   same bytes as a live head                 → `unchanged` (nothing stored twice)
 *   no head yet, or base = head               → `accepted` (fast-forward: new head)
 *   base ≠ head (both sides changed)          → conflict: last write wins by corrected file time;
 *                                               the loser is kept as a version marked `conflict`
 *
 * Ties on corrected time are broken by content (higher SHA-256 wins), so the winner of a set of
 * concurrent edits does not depend on the order in which they reach the server.
 */

export type UploadOutcome = 'accepted' | 'unchanged' | 'conflict_won' | 'conflict_lost';

/** What the rule needs to know about a version (the current head or the incoming upload). */
export interface VersionStamp {
  /** Hex SHA-256 of the bytes; a deletion carries the hash of nothing it kept (see `deleted`). */
  sha256: string;
  /** The device's file time corrected by that device's clock offset, epoch ms. */
  correctedMtime: number;
  /** A deletion (tombstone) version. */
  deleted: boolean;
}

export interface HeadStamp extends VersionStamp {
  version: number;
}

export interface IncomingStamp extends VersionStamp {
  /** The version the device last synced for this save; `null` for a save new to the device. */
  baseVersion: number | null;
}

export interface UploadDecision {
  outcome: UploadOutcome;
  /** True when the upload becomes the new head. */
  becomesHead: boolean;
  /** Which side is stored with the conflict flag: the incoming upload, the previous head, or neither. */
  conflictLoser: 'incoming' | 'head' | null;
}

const ACCEPT: UploadDecision = { outcome: 'accepted', becomesHead: true, conflictLoser: null };
const UNCHANGED: UploadDecision = { outcome: 'unchanged', becomesHead: false, conflictLoser: null };
const WON: UploadDecision = { outcome: 'conflict_won', becomesHead: true, conflictLoser: 'head' };
const LOST: UploadDecision = { outcome: 'conflict_lost', becomesHead: false, conflictLoser: 'incoming' };

/** True when `a` beats `b` under last-write-wins by corrected file time (ties: higher SHA-256, then a live file over a deletion). */
export function winsConflict(a: VersionStamp, b: VersionStamp): boolean {
  if (a.correctedMtime !== b.correctedMtime) return a.correctedMtime > b.correctedMtime;
  if (a.sha256 !== b.sha256) return a.sha256 > b.sha256;
  if (a.deleted !== b.deleted) return !a.deleted;
  return false;
}

/** Decides what an upload (or a deletion) does to the save whose current head is `head`. */
export function decideUpload(head: HeadStamp | null, incoming: IncomingStamp): UploadDecision {
  if (head === null) return incoming.deleted ? UNCHANGED : ACCEPT;
  if (head.deleted === incoming.deleted && (incoming.deleted || head.sha256 === incoming.sha256)) return UNCHANGED;
  if (incoming.baseVersion === head.version) return ACCEPT;
  return winsConflict(incoming, head) ? WON : LOST;
}
