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
  ['stale delete, newer than head: delete wins, old head kept', head(3, A, 1000), up(2, A, 5000, true), 'conflict_won', 'head'],
  ['re-create after deletion from the deletion version', head(3, A, 1000, true), up(3, A, 500), 'accepted', null],
  ['upload with the deleted bytes on a stale base is not "unchanged"', head(3, A, 1000, true), up(2, A, 2000), 'conflict_won', 'head'],
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
  });

  it('winsConflict is a strict total order on distinct stamps (winner independent of arrival order)', () => {
    fc.assert(
      fc.property(stamp, stamp, (a, b) => {
        const same = a.sha256 === b.sha256 && a.correctedMtime === b.correctedMtime && a.deleted === b.deleted;
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
      }),
    );
  });
});
