import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

  // Handhelds and boards without an RTC battery boot in 1970 or 2000. The shell client's backups
  // were fixed for this (issue 11, scenario 9); the desktop client still named and pruned its
  // backups by the clock, so the backup made during a clock reset was pruned first by count, and
  // every backup made then was deleted by age as soon as the clock was right again.
  it('a clock reset never makes the newest backups the first to go', async () => {
    let now = Date.parse('2026-06-01T12:00:00Z');
    const root = mkdtempSync(join(tmpdir(), 'rs-bk-'));
    const b = new Backups(root, { maxEntries: 3, maxAgeDays: 10 }, () => now);
    await b.keep('/s/a.sav', Buffer.from('a'), 'test', null);
    await b.keep('/s/b.sav', Buffer.from('b'), 'test', null);
    now = Date.parse('1970-01-01T00:00:10Z'); // reboot without an RTC
    await b.keep('/s/c.sav', Buffer.from('c'), 'test', null);
    await b.keep('/s/d.sav', Buffer.from('d'), 'test', null);
    expect((await b.list()).map((x) => x.origin)).toEqual(['/s/b.sav', '/s/c.sav', '/s/d.sav']);
    now = Date.parse('2026-06-02T12:00:00Z'); // the clock is right again (NTP)
    await b.keep('/s/e.sav', Buffer.from('e'), 'test', null);
    expect((await b.list()).map((x) => x.origin)).toEqual(['/s/c.sav', '/s/d.sav', '/s/e.sav']);
  });

  it('still prunes folders named by an earlier version (time first), oldest first', async () => {
    let now = Date.parse('2026-06-01T12:00:00Z');
    const root = mkdtempSync(join(tmpdir(), 'rs-bk-'));
    for (const [i, stamp] of ['2026-05-30T10-00-00-000Z', '2026-05-31T10-00-00-000Z'].entries()) {
      mkdirSync(join(root, `${stamp}-test-abc${i}`));
      writeFileSync(join(root, `${stamp}-test-abc${i}`, 'origin.json'), JSON.stringify({ origin: `/s/old${i}.sav`, key: null, reason: 'test', createdAt: stamp }));
    }
    const b = new Backups(root, { maxEntries: 2, maxAgeDays: 10 }, () => now);
    await b.keep('/s/new.sav', Buffer.from('n'), 'test', null);
    expect((await b.list()).map((x) => x.origin)).toEqual(['/s/old1.sav', '/s/new.sav']);
  });
});
