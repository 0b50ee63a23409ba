import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SyncState } from './sync-state.js';

const entry = { key: 'gba/G/battery', path: '/s/G.sav', sha256: 'a'.repeat(64), version: 1, size: 3, mtimeMs: 5, compressed: false, autoLoad: false, system: 'gba', game: 'G', kind: 'battery', readAtMs: 0, readAtDeviceMs: 0 };

describe('sync state', () => {
  it('persists entries and the cursor, finds entries by path, and skips writes when nothing changed', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rs-state-')), 'state.json');
    const s = await SyncState.load(file);
    s.set(entry);
    s.data.cursor = 9;
    expect(await s.save()).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    s.data.lastSyncAt = new Date().toISOString();
    expect(await s.save()).toBe(false);
    s.data.cursor = 10;
    expect(await s.save()).toBe(true);
    const again = await SyncState.load(file);
    expect(again.get(entry.key)).toEqual({ ...entry, excluded: false });
    expect(again.atPath('/s/G.sav')?.key).toBe(entry.key);
    expect(again.data.cursor).toBe(10);
    again.set({ ...entry, path: '/s/G.srm' });
    expect(again.atPath('/s/G.sav')).toBeUndefined();
    expect(again.atPath('/s/G.srm')?.version).toBe(1);
  });

  it('finds a save by any spelling of its key (the server\'s comparison form), also in a state written before', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rs-state-')), 'state.json');
    writeFileSync(file, JSON.stringify({ version: 1, cursor: 3, entries: { 'gba/Pokemon  Emerald/battery': { ...entry, key: 'gba/Pokemon  Emerald/battery' } }, parked: { 'gba/Pokemon  Emerald/state/gpSP/auto': 2 } }));
    const s = await SyncState.load(file);
    expect(s.get('gba/pokemon emerald/battery')?.key).toBe('gba/Pokemon  Emerald/battery');
    expect(s.data.parked['gba/pokemon emerald/state/gpsp/auto']).toBe(2);
    s.set({ ...entry, key: 'gba/POKEMON EMERALD/battery', version: 4 });
    expect(s.keys()).toEqual(['gba/POKEMON EMERALD/battery']);
  });

  it('starts empty when the file is missing or damaged', async () => {
    const s = await SyncState.load(join(tmpdir(), 'nope', 'state.json'));
    expect(s.data.cursor).toBe(null);
    expect(s.keys()).toEqual([]);
  });
});
