/**
 * The plan rule (packages/core/src/sync/apply-plan.ts) as the shell client mirrors it
 * (lib/plan.sh), run under busybox sh against the shared vectors
 * packages/core/vectors/sync-plan.json — the same cases the desktop client's rule passes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO, runSh, SHELL_DIR } from './busybox-env.js';

interface Case {
  name: string;
  local_sha256: string | null; local_blank: boolean; held: boolean;
  synced_version: number | null; synced_sha256: string | null;
  remote_version: number | null; remote_sha256: string | null; remote_deleted: boolean | null;
  action: string; version: number | null;
}
const { cases } = JSON.parse(readFileSync(join(REPO, 'packages/core/vectors/sync-plan.json'), 'utf8')) as { cases: Case[] };

it(`plan rule: ${cases.length} shared vectors under busybox sh`, () => {
  expect(cases.length).toBeGreaterThan(20);
  const cell = (v: unknown) => (v === null || v === false ? '-' : v === true ? '1' : String(v));
  const input = cases
    .map((c) => [c.local_sha256, c.local_blank, c.held, c.synced_version, c.synced_sha256, c.remote_version, c.remote_sha256]
      .map(cell).concat(c.remote_deleted === null ? '-' : String(c.remote_deleted)).join('\t'))
    .join('\n');
  const driver = join(SHELL_DIR, 'test/plan-driver.sh');
  const r = runSh('test/plan-driver.sh', [], { input: `${input}\n` });
  expect(r.stderr, driver).toBe('');
  const got = r.stdout.trimEnd().split('\n');
  const bad = cases
    .map((c, i) => ({ c, got: got[i], want: `${c.action} ${c.version ?? ''}`.trimEnd() }))
    .filter((x) => x.got !== x.want)
    .map((x) => `${x.c.name}: got "${x.got}", want "${x.want}"`);
  expect(bad).toEqual([]);
});
