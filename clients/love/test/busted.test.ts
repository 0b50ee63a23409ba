/**
 * Runs the LÖVE app's Lua unit tests (clients/love/spec, busted under Lua 5.1) as part of npm test:
 * state machine, discovery parsing, status-file parsing, layout at each resolution.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const APP = fileURLToPath(new URL('..', import.meta.url));
const busted = spawnSync('busted', ['--version'], { encoding: 'utf8' });
const have = busted.status === 0;
if (!have) console.log('skipping the Lua unit tests: busted is not installed (apt-get install lua-busted lua5.1; .ci/run installs them)');

it.skipIf(!have)('busted: the Lua modules of the LÖVE app pass their specs', () => {
  const r = spawnSync('busted', ['--output=TAP'], { cwd: APP, encoding: 'utf8', timeout: 60_000 });
  const failed = r.stdout.split('\n').filter((l) => l.startsWith('not ok'));
  expect(failed, r.stdout + r.stderr).toEqual([]);
  expect(r.status, r.stdout + r.stderr).toBe(0);
  // A guard against a silently empty run: the specs hold well over 40 cases.
  expect(r.stdout.split('\n').filter((l) => l.startsWith('ok ')).length).toBeGreaterThan(40);
});
