/**
 * The conflict rule of sync protocol v1.1 — the one place that decides what an upload (or a
 * deletion) does to a save's head. Pure: the server calls it inside the transaction that holds
 * the save row, and the property tests use it as the model.
 *
 *   same bytes as a live head                 → `unchanged` (nothing stored twice)
 *   blank bytes over a live non-blank head    → `blank_refused`: stored as a version, the head stays
 *   no head yet, or base = head               → `accepted` (fast-forward: new head)
 *   base ≠ head (both sides changed)          → conflict: both are kept; the winner is the head and
 *                                               the loser is a version marked `conflict`
 *
 * Conflict: the winner is, in this order: a modification over a deletion; real bytes over blank
 * bytes; a trusted time over an untrusted one; the later corrected file time; the higher SHA-256
 * (so the winner does not depend on arrival order). No upload ever destroys data.
 *
 * Blank saves: a blank save (empty, all 0x00 or all 0xFF) never replaces a non-blank head,
 * whatever its time or its client: the server decides it from the bytes it received, stores the
 * upload as a version (outcome `blank_refused`), and the head stays.
 *
 * Untrusted time: an untrusted time never wins a conflict (against an untrusted head too: the head
 * stays): the upload is kept as a conflict version, the head stays, and the conflict is shown for
 * the player to pick. An upload whose base is the head is a plain edit and is accepted whatever its
 * time (it replaces nothing the device has not seen). A modification over a deletion, and real
 * bytes over blank ones, still come first: neither destroys anything.
 *
 * Deletions: a modification beats a deletion: an edit against a deleted head becomes the head (the
 * deletion stays in history) in one pass, and a deletion against a changed head is kept as a
 * conflict version while the head stays.
 */

export type UploadOutcome = 'accepted' | 'unchanged' | 'conflict_won' | 'conflict_lost' | 'blank_refused';

/** What the rule needs to know about a version (the current head or the incoming upload). */
export interface VersionStamp {
  /** Hex SHA-256 of the bytes; a deletion carries the hash of nothing it kept (see `deleted`). */
  sha256: string;
  /** The device's file time corrected by that device's clock offset, epoch ms. */
  correctedMtime: number;
  /** A deletion (tombstone) version. */
  deleted: boolean;
  /** The bytes are blank: empty, all 0x00 or all 0xFF (default false; never true for a deletion). */
  blank?: boolean;
  /** Whether the file time can be placed on the server clock (time-trust.ts; default true). */
  timeTrusted?: boolean;
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
const BLANK_REFUSED: UploadDecision = { outcome: 'blank_refused', becomesHead: false, conflictLoser: null };

const isBlank = (s: VersionStamp) => !s.deleted && s.blank === true;
const isTrusted = (s: VersionStamp) => s.timeTrusted !== false;

/**
 * True when `a` beats `b` in a conflict: a modification over a deletion; real bytes over blank
 * bytes; a trusted time over an untrusted one; the later corrected file time; the higher SHA-256.
 * A strict total order on distinct stamps, so the winner does not depend on arrival order.
 */
export function winsConflict(a: VersionStamp, b: VersionStamp): boolean {
  if (a.deleted !== b.deleted) return !a.deleted;
  if (isBlank(a) !== isBlank(b)) return !isBlank(a);
  if (isTrusted(a) !== isTrusted(b)) return isTrusted(a);
  if (a.correctedMtime !== b.correctedMtime) return a.correctedMtime > b.correctedMtime;
  if (a.sha256 !== b.sha256) return a.sha256 > b.sha256;
  return false;
}

/** Decides what an upload (or a deletion) does to the save whose current head is `head`. */
export function decideUpload(head: HeadStamp | null, incoming: IncomingStamp): UploadDecision {
  if (head === null) return incoming.deleted ? UNCHANGED : ACCEPT;
  if (head.deleted === incoming.deleted && (incoming.deleted || head.sha256 === incoming.sha256)) return UNCHANGED;
  if (isBlank(incoming) && !head.deleted && !isBlank(head)) return BLANK_REFUSED;
  if (incoming.baseVersion === head.version) return ACCEPT;
  // An untrusted time never wins on its time: against an untrusted head, the head stays.
  const decidedByTime = head.deleted === incoming.deleted && isBlank(head) === isBlank(incoming);
  if (decidedByTime && !isTrusted(incoming)) return LOST;
  return winsConflict(incoming, head) ? WON : LOST;
}
