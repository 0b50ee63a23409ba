/**
 * `retrosync detect` on a fake card of every layout the shared vectors describe
 * (packages/core/vectors/identity.json, `detect`): it names the platform and its save and
 * state folders, as the user sees them under --root.
 */
import { readFileSync } from 'node:fs';
import { listPlatforms, underRoot, type MemoryFile } from '@retrosync/core';
import { describe, expect, test } from 'vitest';
import { run } from '../../cli/dispatch.js';
import { fakeIo } from '../../cli/test-support/io.js';

interface DetectCase {
  files: Record<string, MemoryFile>;
  vars?: Record<string, string>;
  platform: string | null;
  save_roots?: string[];
  state_roots?: string[];
  note?: string;
}

const vectors = JSON.parse(
  readFileSync(new URL('../../../../core/vectors/identity.json', import.meta.url), 'utf8'),
) as { vars: Record<string, string>; detect: DetectCase[] };
const cards = vectors.detect.filter((c) => c.platform !== null);
const CARD = '/card';

describe('retrosync detect on each layout\'s fake card', () => {
  test.each(cards.map((c) => [`${c.platform}: ${c.note ?? Object.keys(c.files)[0]}`, c] as const))('%s', async (_name, c) => {
    const files = Object.fromEntries(Object.entries(c.files).map(([p, v]) => [underRoot(CARD, p) + (p.endsWith('/') ? '/' : ''), v]));
    const io = fakeIo(files);
    io.home = c.vars?.home ?? vectors.vars.home ?? io.home;
    expect(await run(['detect', '--root', CARD, '--json'], io)).toBe(0);
    const got = JSON.parse(io.stdout.join('\n')) as { platform: string; saveRoots: string[]; stateRoots: string[] };
    expect(got.platform).toBe(c.platform);
    if (c.save_roots) expect(got.saveRoots).toEqual(c.save_roots.map((r) => underRoot(CARD, r)));
    if (c.state_roots) expect(got.stateRoots).toEqual(c.state_roots.map((r) => underRoot(CARD, r)));
    expect(got.saveRoots.length).toBeGreaterThan(0);
    expect(got.stateRoots.length).toBeGreaterThan(0);
  });

  test('every platform has a card', () => {
    expect([...new Set(cards.map((c) => c.platform))].sort()).toEqual(listPlatforms().map((p) => p.id).sort());
  });
});
