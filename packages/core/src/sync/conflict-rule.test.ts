import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decideUpload, winsConflict, type HeadStamp, type IncomingStamp, type UploadOutcome } from './conflict-rule.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);

const head = (version: number, sha256: string, correctedMtime: number, deleted = false): HeadStamp => ({
  version,
  sha256,
  correctedMtime,
  deleted,
});
const up = (baseVersion: number | null, sha256: string, correctedMtime: number, deleted = false): IncomingStamp => ({
  baseVersion,
  sha256,
  correctedMtime,
  deleted,
});
const blank = <T extends HeadStamp | IncomingStamp>(s: T): T => ({ ...s, blank: true });
const untrusted = <T extends HeadStamp | IncomingStamp>(s: T): T => ({ ...s, timeTrusted: false });

// name, head, incoming, expected outcome, expected loser
const cases: Array<[string, HeadStamp | null, IncomingStamp, UploadOutcome, 'incoming' | 'head' | null]> = [
  ['new save', null, up(null, A, 1000), 'accepted', null],
  ['new save although the device names a base (server lost nothing: accept)', null, up(3, A, 1000), 'accepted', null],
  ['fast-forward from the head', head(1, A, 1000), up(1, B, 2000), 'accepted', null],
  ['fast-forward even with an older file time', head(1, A, 5000), up(1, B, 2000), 'accepted', null],
  ['same bytes as head, no base', head(4, A, 1000), up(null, A, 9000), 'unchanged', null],
  ['same bytes as head, stale base', head(4, A, 1000), up(2, A, 0), 'unchanged', null],
  ['same bytes as head, base = head', head(4, A, 1000), up(4, A, 1000), 'unchanged', null],
  ['stale base, newer corrected time wins', head(3, A, 1000), up(2, B, 2000), 'conflict_won', 'head'],
  ['stale base, older corrected time loses', head(3, A, 2000), up(2, B, 1000), 'conflict_lost', 'incoming'],
  ['no base but a head exists: conflict, newer wins', head(1, A, 1000), up(null, B, 2000), 'conflict_won', 'head'],
  ['no base but a head exists: conflict, older loses', head(1, A, 3000), up(null, B, 2000), 'conflict_lost', 'incoming'],
  ['base from the future (unknown version) is a conflict', head(2, A, 1000), up(7, B, 500), 'conflict_lost', 'incoming'],
  ['tie on time: higher sha wins (incoming higher)', head(3, A, 1000), up(2, B, 1000), 'conflict_won', 'head'],
  ['tie on time: higher sha wins (head higher)', head(3, C, 1000), up(2, B, 1000), 'conflict_lost', 'incoming'],
  ['delete from the head', head(2, A, 1000), up(2, A, 2000, true), 'accepted', null],
  ['delete of a save that does not exist', null, up(null, A, 1000, true), 'unchanged', null],
  ['delete twice', head(3, A, 1000, true), up(2, B, 2000, true), 'unchanged', null],
  ['stale delete, older than head: head stays, delete kept as conflict', head(3, A, 5000), up(2, A, 1000, true), 'conflict_lost', 'incoming'],
  // Scenario 7: a modification beats a deletion, whatever the times.
  ['stale delete, newer than head: a modification beats a deletion, the delete is kept as a conflict', head(3, A, 1000), up(2, A, 5000, true), 'conflict_lost', 'incoming'],
  ['edit against a deleted head, older than the deletion: the edit becomes the head in one pass', head(3, A, 9000, true), up(2, B, 1000), 'conflict_won', 'head'],
  ['edit without a base against a deleted head wins too', head(3, A, 9000, true), up(null, B, 1000), 'conflict_won', 'head'],
  ['a deletion with no base against a live head loses', head(3, A, 1000), up(null, A, 9000, true), 'conflict_lost', 'incoming'],
  ['re-create after deletion from the deletion version', head(3, A, 1000, true), up(3, A, 500), 'accepted', null],
  ['upload with the deleted bytes on a stale base is not "unchanged"', head(3, A, 1000, true), up(2, A, 2000), 'conflict_won', 'head'],
  // Scenario 2: a blank save never replaces a non-blank head, whatever its time or base.
  ['blank fast-forward over a real head is refused (stored, head stays)', head(1, A, 1000), blank(up(1, B, 9000)), 'blank_refused', null],
  ['blank with a stale base over a real head is refused', head(3, A, 1000), blank(up(2, B, 9000)), 'blank_refused', null],
  ['blank without a base over a real head is refused', head(3, A, 1000), blank(up(null, B, 9000)), 'blank_refused', null],
  ['blank as a new save is accepted', null, blank(up(null, B, 1000)), 'accepted', null],
  ['blank over a blank head, fast-forward', blank(head(1, A, 1000)), blank(up(1, B, 2000)), 'accepted', null],
  ['blank over a deleted head is accepted (the player restarted the game)', head(2, A, 1000, true), blank(up(2, B, 2000)), 'accepted', null],
  ['real bytes beat a blank head in a conflict, even when older', blank(head(3, A, 9000)), up(2, B, 1000), 'conflict_won', 'head'],
  ['real bytes with an untrusted time still beat a blank head', blank(head(3, A, 9000)), untrusted(up(2, B, 1000)), 'conflict_won', 'head'],
  // Scenario 3: an untrusted time never wins a conflict; a fast-forward is still an edit.
  ['untrusted newer time loses to a trusted head', head(3, A, 1000), untrusted(up(2, B, 9000)), 'conflict_lost', 'incoming'],
  ['untrusted without a base loses', head(3, A, 1000), untrusted(up(null, B, 9000)), 'conflict_lost', 'incoming'],
  ['untrusted fast-forward from the head is accepted', head(3, A, 1000), untrusted(up(3, B, 500)), 'accepted', null],
  ['trusted older time beats an untrusted head', untrusted(head(3, A, 9000)), up(2, B, 1000), 'conflict_won', 'head'],
  ['untrusted against an untrusted head: the head stays', untrusted(head(3, A, 1000)), untrusted(up(2, B, 9000)), 'conflict_lost', 'incoming'],
  ['an untrusted edit still beats a deletion (a modification beats a deletion)', head(3, A, 9000, true), untrusted(up(2, B, 1000)), 'conflict_won', 'head'],
];

describe('decideUpload', () => {
  it.each(cases)('%s', (_name, h, incoming, outcome, loser) => {
    const d = decideUpload(h, incoming);
    expect(d.outcome).toBe(outcome);
    expect(d.conflictLoser).toBe(loser);
    expect(d.becomesHead).toBe(outcome === 'accepted' || outcome === 'conflict_won');
  });

  const stamp = fc.record({
    sha256: fc.constantFrom(A, B, C),
    correctedMtime: fc.integer({ min: 0, max: 5 }),
    deleted: fc.boolean(),
    blank: fc.boolean(),
    timeTrusted: fc.boolean(),
  });

  it('winsConflict is a strict total order on distinct stamps (winner independent of arrival order)', () => {
    fc.assert(
      fc.property(stamp, stamp, (a, b) => {
        // A deletion has no bytes, so its blank flag means nothing.
        const same =
          a.sha256 === b.sha256 && a.correctedMtime === b.correctedMtime && a.deleted === b.deleted && (a.deleted || a.blank === b.blank) && a.timeTrusted === b.timeTrusted;
        expect(winsConflict(a, a)).toBe(false);
        if (same) expect(winsConflict(a, b)).toBe(false);
        else expect(winsConflict(a, b)).toBe(!winsConflict(b, a));
      }),
    );
  });

  it('a conflict never drops a side: exactly one of head/incoming is the loser', () => {
    fc.assert(
      fc.property(stamp, fc.integer({ min: 1, max: 5 }), stamp, fc.option(fc.integer({ min: 1, max: 5 })), (h, v, i, base) => {
        const d = decideUpload({ ...h, version: v }, { ...i, baseVersion: base });
        if (d.outcome === 'conflict_won') expect(d.conflictLoser).toBe('head');
        if (d.outcome === 'conflict_lost') expect(d.conflictLoser).toBe('incoming');
        if (d.outcome === 'accepted') expect(base).toBe(v);
        if (d.outcome === 'blank_refused') expect(d.conflictLoser).toBe(null);
        expect(d.becomesHead).toBe(d.outcome === 'accepted' || d.outcome === 'conflict_won');
      }),
    );
  });

  it('a blank upload never becomes the head over live real bytes', () => {
    fc.assert(
      fc.property(stamp, fc.integer({ min: 1, max: 5 }), stamp, fc.option(fc.integer({ min: 1, max: 5 })), (h, v, i, base) => {
        const d = decideUpload({ ...h, version: v }, { ...i, baseVersion: base });
        if (!h.deleted && !h.blank && i.blank && !i.deleted) expect(d.becomesHead).toBe(false);
      }),
    );
  });

  it('an untrusted time never replaces a live head it did not build on', () => {
    fc.assert(
      fc.property(stamp, fc.integer({ min: 1, max: 5 }), stamp, fc.option(fc.integer({ min: 1, max: 5 })), (h, v, i, base) => {
        const d = decideUpload({ ...h, version: v }, { ...i, baseVersion: base });
        const realOverBlank = h.blank && !i.blank && !i.deleted;
        if (!i.timeTrusted && !h.deleted && base !== v && !realOverBlank) expect(d.becomesHead).toBe(false);
      }),
    );
  });
});
