import { describe, expect, test } from 'vitest';
import { cloudPathForKey, compareCloudPaths, DEFAULT_CLOUD_LAYOUT, identifyCloudPath, learnCloudLayout, type CloudLayout } from './cloud-path.js';

const flat: CloudLayout = { ...DEFAULT_CLOUD_LAYOUT, saves: 'flat', states: 'flat' };

describe('RetroArch Cloud Sync path → save key', () => {
  test.each([
    // path, known keys, size, expected key (null: opaque)
    ['saves/gba/Pokemon Emerald.srm', [], undefined, 'gba/Pokemon Emerald/battery'],
    ['saves/snes/Chrono Trigger.srm', [], undefined, 'snes/Chrono Trigger/battery'],
    ['saves/mGBA/Pokemon Emerald.srm', ['gba/Pokemon Emerald/battery'], undefined, 'gba/Pokemon Emerald/battery'],
    ['saves/Gambatte/Tetris.srm', ['gb/Tetris/battery'], undefined, 'gb/Tetris/battery'],
    ['saves/gb/Gambatte/Tetris.srm', [], undefined, 'gb/Tetris/battery'],
    ['states/mGBA/Pokemon Emerald.state1', ['gba/Pokemon Emerald/battery'], undefined, 'gba/Pokemon Emerald/state/mGBA/1'],
    ['states/gba/Pokemon Emerald.state.auto', [], undefined, 'gba/Pokemon Emerald/state/mGBA/auto'],
    ['saves/Tetris.srm', ['gb/Tetris/battery'], undefined, 'gb/Tetris/battery'],
    // Never guessed: no evidence, or evidence for two systems.
    ['saves/Tetris.srm', [], undefined, null],
    ['saves/Tetris.srm', ['gb/Tetris/battery', 'gba/Tetris/battery'], undefined, null],
    ['saves/mGBA/Pokemon Emerald.srm', [], 32768, null],
    ['config/retroarch.cfg', [], undefined, null],
    ['thumbnails/Nintendo - Game Boy/Named_Boxarts/Tetris.png', [], undefined, null],
    ['saves/mGBA/notes.txt', [], undefined, null],
    ['saves/a/b/c/Tetris.srm', [], undefined, null],
    ['saves/../Tetris.srm', [], undefined, null],
  ] as const)('%s (known %j, size %s) → %s', (path, known, size, key) => {
    const id = identifyCloudPath(path, { knownKeys: known, ...(size !== undefined ? { size } : {}), layout: path.split('/').length === 2 ? flat : DEFAULT_CLOUD_LAYOUT });
    if (key === null) expect(id.status).toBe('opaque');
    else expect(id).toMatchObject({ status: 'save', key });
  });

  test('an ambiguous flat save says which systems it could be', () => {
    const id = identifyCloudPath('saves/Tetris.srm', { knownKeys: ['gb/Tetris/battery', 'gba/Tetris/battery'], layout: flat });
    expect(id).toMatchObject({ status: 'opaque', candidates: ['gb', 'gba'] });
  });
});

describe('save key → RetroArch Cloud Sync path', () => {
  test('per core, per content folder, flat; learned folder names win', () => {
    expect(cloudPathForKey('gba/Pokemon Emerald/battery')).toEqual({ path: 'saves/mGBA/Pokemon Emerald.srm' });
    expect(cloudPathForKey('gb/Tetris/battery', { ...DEFAULT_CLOUD_LAYOUT, saves: 'content' })).toEqual({ path: 'saves/gb/Tetris.srm' });
    expect(cloudPathForKey('gb/Tetris/battery', flat)).toEqual({ path: 'saves/Tetris.srm' });
    expect(cloudPathForKey('gba/X/battery', { ...DEFAULT_CLOUD_LAYOUT, cores: { gba: 'gpSP' } })).toEqual({ path: 'saves/gpSP/X.srm' });
    expect(cloudPathForKey('gba/X/state/mGBA/2')).toEqual({ path: 'states/mGBA/X.state2' });
  });

  test("a handheld's MinUI state core has no place in RetroArch", () => {
    expect(cloudPathForKey('gba/X/state/minarch-gpsp/0').path).toBeNull();
  });

  test('round trip: what is placed is identified as the same key', () => {
    for (const layout of [DEFAULT_CLOUD_LAYOUT, flat, { ...DEFAULT_CLOUD_LAYOUT, saves: 'content', states: 'content' } as CloudLayout]) {
      for (const key of ['gba/Pokemon Emerald/battery', 'snes/Chrono Trigger/battery', 'gba/Pokemon Emerald/state/mGBA/3']) {
        const placed = cloudPathForKey(key, layout);
        expect(placed.path).not.toBeNull();
        expect(identifyCloudPath(placed.path as string, { knownKeys: [key], layout })).toMatchObject({ status: 'save', key });
      }
    }
  });

  test('learning the layout from an upload', () => {
    const id = identifyCloudPath('saves/GBA/X.srm');
    if (id.status !== 'save') throw new Error('expected a save');
    const next = learnCloudLayout(DEFAULT_CLOUD_LAYOUT, id);
    expect(next).toMatchObject({ saves: 'content', contentFolders: { gba: 'GBA' } });
    expect(cloudPathForKey('gba/Y/battery', next)).toEqual({ path: 'saves/GBA/Y.srm' });
    expect(learnCloudLayout(next, id)).toBe(next);
  });
});

test('manifest order is RetroArch strcasecmp order', () => {
  const paths = ['saves/b.srm', 'Saves/a.srm', 'saves/A.srm', 'config/x', 'saves/_x.srm', 'saves/Z.srm'];
  expect([...paths].sort(compareCloudPaths)).toEqual(['config/x', 'saves/_x.srm', 'Saves/a.srm', 'saves/A.srm', 'saves/b.srm', 'saves/Z.srm']);
});
