import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/command.js';
import { editFilter, EVERYTHING } from './edit.js';

describe('retrosync filter set', () => {
  it('changes only what the options name; a game named again moves lists', () => {
    const a = editFilter(EVERYTHING, { only: 'gba, SNES', states: 'off', exclude: ['gba/Pokemon Ruby'] });
    expect(a).toEqual({ systemMode: 'only', systems: ['gba', 'snes'], includeGames: [], excludeGames: ['gba/Pokemon Ruby'], states: false });
    const b = editFilter(a, { include: ['gba/pokemon  ruby', 'ps1/Final Fantasy VII'] });
    expect(b).toMatchObject({ systemMode: 'only', systems: ['gba', 'snes'], includeGames: ['gba/pokemon  ruby', 'ps1/Final Fantasy VII'], excludeGames: [], states: false });
    expect(editFilter(b, { forget: ['GBA/Pokemon Ruby'], 'all-systems': true })).toMatchObject({ systemMode: 'all', systems: [], includeGames: ['ps1/Final Fantasy VII'] });
  });

  it('refuses contradictions and malformed names with a usage error', () => {
    expect(() => editFilter(EVERYTHING, { only: 'gba', except: 'ps1' })).toThrow(UsageError);
    expect(() => editFilter(EVERYTHING, { states: 'maybe' })).toThrow(/on or off/);
    expect(() => editFilter(EVERYTHING, { exclude: ['Pokemon Ruby'] })).toThrow(/<system>\/<game>/);
    expect(() => editFilter(EVERYTHING, { only: 'Game Boy' })).toThrow(UsageError);
  });
});
