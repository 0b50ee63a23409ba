import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertInsideRoots, OutsideRootError } from './roots.js';

describe('assertInsideRoots', () => {
  const base = mkdtempSync(join(tmpdir(), 'rs-roots-'));
  const root = join(base, 'card');
  const outside = join(base, 'outside');
  mkdirSync(join(root, 'Saves'), { recursive: true });
  mkdirSync(outside);
  symlinkSync(outside, join(root, 'Saves', 'link'));

  it.each([
    ['a file below the root', join(root, 'Saves/GBA/Game.sav'), true],
    ['a folder that does not exist yet', join(root, 'new/deep/Game.sav'), true],
    ['the root itself', root, false],
    ['a sibling folder with the same prefix', `${root}-evil/Game.sav`, false],
    ['a path with ..', join(root, 'Saves') + '/../../outside/x.sav', false],
    ['through a symlink out of the root', join(root, 'Saves/link/x.sav'), false],
    ['through a symlink, in a folder not created yet', join(root, 'Saves/link/new/x.sav'), false],
    ['an absolute path elsewhere', '/etc/passwd', false],
  ])('%s', (_name, path, ok) => {
    if (ok) expect(assertInsideRoots(path, [root])).toBe(path);
    else expect(() => assertInsideRoots(path, [root])).toThrow(OutsideRootError);
  });
});
