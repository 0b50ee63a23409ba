/**
 * The plan rule against the shared vectors (packages/core/vectors/sync-plan.json), which the
 * shell client's tests run too, so every client plans a save the same way.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planSync, type SyncAction } from './apply-plan.js';

interface PlanVector {
  name: string;
  local_sha256: string | null;
  local_blank: boolean;
  held: boolean;
  synced_version: number | null;
  synced_sha256: string | null;
  remote_version: number | null;
  remote_sha256: string | null;
  remote_deleted: boolean | null;
  action: SyncAction['type'];
  version: number | null;
}

const vectors = JSON.parse(readFileSync(new URL('../../vectors/sync-plan.json', import.meta.url), 'utf8')) as { cases: PlanVector[] };

/** The vector's flat (action, version) pair as the action object planSync returns. */
function expected(v: PlanVector): SyncAction {
  switch (v.action) {
    case 'none':
      return { type: 'none' };
    case 'upload':
      return { type: 'upload', baseVersion: v.version };
    case 'delete-remote':
      return { type: 'delete-remote', baseVersion: v.version as number };
    default:
      return { type: v.action, version: v.version as number };
  }
}

describe('planSync (shared vectors)', () => {
  it('has the cases every client must agree on', () => {
    expect(vectors.cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(vectors.cases.map((c) => c.action))).toEqual(new Set(['none', 'upload', 'download', 'record', 'delete-local', 'delete-remote', 'refuse-blank']));
  });

  it.each(vectors.cases.map((c) => [c.name, c] as const))('%s', (_name, v) => {
    const synced = v.synced_version === null ? null : { version: v.synced_version, sha256: v.synced_sha256 };
    const remote = v.remote_version === null ? null : { version: v.remote_version, sha256: v.remote_sha256 as string, deleted: v.remote_deleted === true };
    expect(planSync({ sha256: v.local_sha256, blank: v.local_blank, deletionsHeld: v.held }, synced, remote)).toEqual(expected(v));
  });
});
