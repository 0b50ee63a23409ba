/**
 * Selective sync against the shared vectors (packages/core/vectors/sync-filter.json), which the
 * shell client's tests run too, so every client decides the same saves.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { filterFromTsv, filterToTsv } from './filter-tsv.js';
import { checkSyncFilter, describeFilter, filtersAllow, InvalidFilterError, isSyncEverything, SYNC_EVERYTHING, type SyncFilter } from './sync-filter.js';

interface Vectors {
  filters: Record<string, SyncFilter>;
  cases: { filters: string[]; key: string; sync: boolean; note?: string }[];
  invalid: { filter: SyncFilter; field: string }[];
}
const v = JSON.parse(readFileSync(new URL('../../vectors/sync-filter.json', import.meta.url), 'utf8')) as Vectors;

describe('sync filter vectors', () => {
  it(`${v.cases.length} cases`, () => {
    expect(v.cases.length).toBeGreaterThan(25);
    const bad = v.cases
      .filter((c) => filtersAllow(c.filters.map((n) => checkSyncFilter(v.filters[n]!)), c.key) !== c.sync)
      .map((c) => `${c.filters.join('+')} ${c.key}: want ${c.sync} (${c.note ?? ''})`);
    expect(bad).toEqual([]);
  });

  it('refuses malformed filters, naming the field', () => {
    for (const c of v.invalid) {
      let err: unknown;
      try {
        checkSyncFilter(c.filter);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(c.filter)).toBeInstanceOf(InvalidFilterError);
      expect((err as InvalidFilterError).field).toBe(c.field);
    }
  });

  it('round-trips every vector filter through the TSV form the shell client reads', () => {
    for (const f of Object.values(v.filters)) {
      const checked = checkSyncFilter(f);
      expect(filterFromTsv(filterToTsv(checked, { revision: 3 }))).toEqual(checked);
    }
  });
});

describe('checkSyncFilter', () => {
  it('tidies: systems lower-cased, sorted and unique; games NFC with duplicates dropped', () => {
    const f = checkSyncFilter({ systemMode: 'only', systems: ['SNES', 'gba', 'snes'], includeGames: ['gba/Poke\u0301mon', 'GBA/pokémon'], excludeGames: [], states: true });
    expect(f.systems).toEqual(['gba', 'snes']);
    expect(f.includeGames).toEqual(['gba/Pokémon']);
  });

  it('describes a filter for people', () => {
    expect(describeFilter(SYNC_EVERYTHING)).toBe('everything');
    expect(describeFilter({ ...SYNC_EVERYTHING, systemMode: 'only', systems: ['gba'], states: false })).toBe('only gba; states off');
    expect(isSyncEverything({ ...SYNC_EVERYTHING, systemMode: 'except' })).toBe(true);
    expect(isSyncEverything({ ...SYNC_EVERYTHING, states: false })).toBe(false);
  });
});
