import { describe, expect, it } from 'vitest';
import { planSync, type LocalState, type RemoteHead, type SyncAction, type SyncedState } from './apply-plan.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);

const cases: Array<[string, LocalState, SyncedState | null, RemoteHead | null, SyncAction]> = [
  ['nothing anywhere', { sha256: null }, null, null, { type: 'none' }],
  ['new local file', { sha256: A }, null, null, { type: 'upload', baseVersion: null }],
  ['in step', { sha256: A }, { version: 2, sha256: A }, { version: 2, sha256: A, deleted: false }, { type: 'none' }],
  ['remote moved, local unchanged → download', { sha256: A }, { version: 2, sha256: A }, { version: 3, sha256: B, deleted: false }, { type: 'download', version: 3 }],
  ['remote exists, never synced, no local file → download', { sha256: null }, null, { version: 1, sha256: B, deleted: false }, { type: 'download', version: 1 }],
  ['local changed, remote unchanged → upload on base', { sha256: B }, { version: 2, sha256: A }, { version: 2, sha256: A, deleted: false }, { type: 'upload', baseVersion: 2 }],
  ['both changed → upload (server resolves the conflict)', { sha256: B }, { version: 2, sha256: A }, { version: 3, sha256: C, deleted: false }, { type: 'upload', baseVersion: 2 }],
  ['both changed to the same bytes → record', { sha256: C }, { version: 2, sha256: A }, { version: 3, sha256: C, deleted: false }, { type: 'record', version: 3 }],
  ['local file exists, never synced, remote differs → upload without base', { sha256: A }, null, { version: 4, sha256: B, deleted: false }, { type: 'upload', baseVersion: null }],
  ['remote deleted, local unchanged → delete locally (after backup)', { sha256: A }, { version: 2, sha256: A }, { version: 3, sha256: A, deleted: true }, { type: 'delete-local', version: 3 }],
  ['remote deleted, local changed → upload', { sha256: B }, { version: 2, sha256: A }, { version: 3, sha256: A, deleted: true }, { type: 'upload', baseVersion: 2 }],
  ['remote deleted and local missing → record', { sha256: null }, { version: 2, sha256: A }, { version: 3, sha256: A, deleted: true }, { type: 'record', version: 3 }],
  ['local deleted, remote live → fetch it back (no implicit remote delete)', { sha256: null }, { version: 2, sha256: A }, { version: 2, sha256: A, deleted: false }, { type: 'download', version: 2 }],
];

describe('planSync', () => {
  it.each(cases)('%s', (_name, local, synced, remote, expected) => {
    expect(planSync(local, synced, remote)).toEqual(expected);
  });
});
