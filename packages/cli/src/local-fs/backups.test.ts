import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Backups } from './backups.js';

describe('backups', () => {
  it('keeps the replaced bytes with where they came from', async () => {
    const b = new Backups(mkdtempSync(join(tmpdir(), 'rs-bk-')));
    const file = await b.keep('/saves/GBA/Game.gba.sav', Buffer.from('old bytes'), 'replaced-by-sync', 'gba/Game/battery');
    expect(readFileSync(file, 'utf8')).toBe('old bytes');
    expect(await b.list()).toMatchObject([{ origin: '/saves/GBA/Game.gba.sav', key: 'gba/Game/battery', reason: 'replaced-by-sync', file }]);
  });

  it('prunes to the newest N and drops those past the age limit', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const b = new Backups(mkdtempSync(join(tmpdir(), 'rs-bk-')), { maxEntries: 3, maxAgeDays: 10 }, () => now);
    for (let i = 0; i < 5; i++) {
      now += 60_000;
      await b.keep(`/s/${i}.sav`, Buffer.from(String(i)), 'test', null);
    }
    expect((await b.list()).map((x) => x.origin)).toEqual(['/s/2.sav', '/s/3.sav', '/s/4.sav']);
    now += 11 * 86_400_000;
    await b.keep('/s/new.sav', Buffer.from('n'), 'test', null);
    expect((await b.list()).map((x) => x.origin)).toEqual(['/s/new.sav']);
  });
});
