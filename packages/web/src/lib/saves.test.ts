import { describe, expect, it } from 'vitest';
import { downloadName, downloadUrl, groupBySystem, kindLabel, splitKey, systemLabel, unansweredConflicts } from './saves';

describe('save keys in the dashboard', () => {
  it('names systems and falls back to the id', () => {
    expect(systemLabel('gba')).toBe('Game Boy Advance');
    expect(systemLabel('vb')).toBe('VB');
  });

  it.each([
    ['battery', 'In-game save'],
    ['rtc', 'Clock (RTC)'],
    ['state/mGBA/2', 'State slot 2 (mGBA)'],
    ['odd', 'odd'],
  ])('kind %s → %s', (kind, label) => {
    expect(kindLabel(kind)).toBe(label);
  });

  it('splits keys whose kind has slashes', () => {
    expect(splitKey('gba/Zelda/state/mGBA/2')).toEqual({ system: 'gba', game: 'Zelda', kind: 'state/mGBA/2' });
  });

  it('percent-encodes each segment of the download URL', () => {
    expect(downloadUrl('gba/Pokémon #1 50%/battery', 3)).toBe('/api/sync/saves/gba/Pok%C3%A9mon%20%231%2050%25/battery?version=3');
  });

  it('makes safe download file names', () => {
    expect(downloadName('gba/Pokémon: Emerald/battery', 2)).toBe('Pokémon_ Emerald (v2).sav');
    expect(downloadName('gba/Zelda/state/mGBA/1', 7)).toBe('Zelda (v7).state');
  });

  it('groups by system label, games in natural order', () => {
    const items = [
      { system: 'snes', game: 'Zelda', kind: 'battery' },
      { system: 'gba', game: 'Game 10', kind: 'battery' },
      { system: 'gba', game: 'game 9', kind: 'battery' },
    ];
    const groups = groupBySystem(items);
    expect(groups.map((g) => g.system)).toEqual(['gba', 'snes']);
    expect(groups[0]?.items.map((i) => i.game)).toEqual(['game 9', 'Game 10']);
  });
});

describe('unansweredConflicts', () => {
  const v = (version: number, conflict = false, restoredFrom: number | null = null) => ({ version, conflict, restoredFrom });

  it('lists conflict copies made after the last restore', () => {
    expect(unansweredConflicts([v(3), v(2, true), v(1)]).map((x) => x.version)).toEqual([2]);
    expect(unansweredConflicts([v(4, true), v(3, false, 1), v(2), v(1)]).map((x) => x.version)).toEqual([4]);
  });

  it('treats a later restore (keep this one) as the answer', () => {
    expect(unansweredConflicts([v(5, false, 4), v(4, true), v(3)])).toEqual([]);
    expect(unansweredConflicts([v(6), v(5, false, 4), v(4, true)])).toEqual([]);
  });

  it('skips deletions: a deletion that lost (or was overtaken by an edit) has nothing to keep', () => {
    const d = (version: number) => ({ version, conflict: true, restoredFrom: null, deleted: true });
    expect(unansweredConflicts([v(3), d(2), v(1)])).toEqual([]);
    expect(unansweredConflicts([v(4, true), d(3), v(2)]).map((x) => x.version)).toEqual([4]);
  });

  it('is empty without conflicts', () => {
    expect(unansweredConflicts([v(2), v(1)])).toEqual([]);
    expect(unansweredConflicts([])).toEqual([]);
  });
});
