/**
 * RetroArch's playlists tie saves in flat and multi-system folders to their ROM and system, and
 * RetroArch-relative paths (what Cloud Sync uploads) map to the same keys as the desktop layouts.
 */
import { describe, expect, test } from 'vitest';
import { detectPlatform } from './detect.js';
import { memoryFs } from './fs.js';
import { identifyPath } from './identify.js';
import { placeKey } from './place.js';
import { parsePlaylist, systemForDatabase } from './playlists.js';
import { identifyRetroArchRelative, placeRetroArchRelative } from './retroarch-relative.js';
import { RomIndex } from './roms.js';

const CFG = '/home/user/.config/retroarch';

/** A playlist as RetroArch (1.7.6+) writes it after a scan: JSON, one item per ROM. */
const GBA_LPL = JSON.stringify(
  {
    version: '1.5',
    default_core_path: '',
    default_core_name: '',
    label_display_mode: 0,
    right_thumbnail_mode: 0,
    left_thumbnail_mode: 0,
    thumbnail_match_mode: 0,
    sort_mode: 0,
    items: [
      {
        path: '/home/user/Downloads/Pokemon - Emerald Version (USA, Europe).gba',
        label: 'Pokemon - Emerald Version (USA, Europe)',
        core_path: 'DETECT',
        core_name: 'DETECT',
        crc32: '1F1C08FB|crc',
        db_name: 'Nintendo - Game Boy Advance.lpl',
      },
    ],
  },
  null,
  2,
);

/** The history list: archives with their member after `#`, cores named, a db_name that may be empty. */
const HISTORY_LPL = JSON.stringify(
  {
    version: '1.5',
    default_core_path: '',
    default_core_name: '',
    items: [
      {
        path: '/home/user/Games/Tetris (World) (Rev 1).zip#Tetris (World) (Rev 1).gb',
        label: '',
        core_path: '/home/user/.config/retroarch/cores/mgba_libretro.so',
        core_name: 'Nintendo - Game Boy / Color / Advance (mGBA)',
        crc32: '',
        db_name: '',
      },
      {
        path: '/home/user/Games/Super Metroid (Japan, USA) (En,Ja).sfc',
        label: 'Super Metroid (Japan, USA) (En,Ja)',
        core_path: '/home/user/.config/retroarch/cores/snes9x_libretro.so',
        core_name: 'Nintendo - SNES / SFC (Snes9x - Current)',
        crc32: 'D63ED5F8|crc',
        db_name: 'Nintendo - Super Nintendo Entertainment System.lpl',
      },
    ],
  },
  null,
  2,
);

/** The pre-1.7.6 format: six lines per entry. */
const OLD_LPL = ['/home/user/Games/Sonic the Hedgehog (World).md', 'Sonic', 'DETECT', 'DETECT', '0|crc', 'Sega - Mega Drive - Genesis.lpl', ''].join('\n');

const desktop = (files: Record<string, string>) =>
  memoryFs({ [`${CFG}/retroarch.cfg`]: 'sort_savefiles_enable = "false"\nsort_savestates_enable = "false"\n', ...files });

describe('RetroArch playlists', () => {
  test('parses the JSON and the six-line formats', () => {
    expect(parsePlaylist(GBA_LPL)).toEqual([
      { path: '/home/user/Downloads/Pokemon - Emerald Version (USA, Europe).gba', coreName: null, database: 'Nintendo - Game Boy Advance' },
    ]);
    expect(parsePlaylist(OLD_LPL)).toEqual([
      { path: '/home/user/Games/Sonic the Hedgehog (World).md', coreName: null, database: 'Sega - Mega Drive - Genesis' },
    ]);
    expect(parsePlaylist('{ not json')).toEqual([]);
    expect(systemForDatabase('Nintendo - Game Boy Advance.lpl')).toBe('gba');
    expect(systemForDatabase('Unknown - Console')).toBeNull();
  });

  test('a flat RetroArch save folder is identified through a real-format playlist file', () => {
    const fs = desktop({
      [`${CFG}/playlists/Nintendo - Game Boy Advance.lpl`]: GBA_LPL,
      [`${CFG}/playlists/builtin/content_history.lpl`]: HISTORY_LPL,
      [`${CFG}/playlists/Sega - Mega Drive - Genesis.lpl`]: OLD_LPL,
      [`${CFG}/saves/Pokemon - Emerald Version (USA, Europe).srm`]: 'x',
    });
    const d = detectPlatform(fs);
    expect(d?.platform).toBe('retroarch_linux');
    expect(d?.profile.saves[0]?.folders).toEqual([]);
    const roms = RomIndex.forProfile(fs, d!.profile);
    const id = (p: string) => identifyPath(d!.profile, p, { fs, roms });
    // The ROM is in ~/Downloads — no ROM root, no system folder: only the playlist knows.
    expect(id(`${CFG}/saves/Pokemon - Emerald Version (USA, Europe).srm`)).toMatchObject({
      status: 'save',
      key: 'gba/Pokemon - Emerald Version (USA, Europe)/battery',
      evidence: 'rom',
    });
    // History: an archive member names the save; the database names the system.
    expect(id(`${CFG}/saves/Tetris (World) (Rev 1).srm`)).toMatchObject({ key: 'gb/Tetris (World) (Rev 1)/battery' });
    expect(id(`${CFG}/saves/Super Metroid (Japan, USA) (En,Ja).srm`)).toMatchObject({ key: 'snes/Super Metroid (Japan, USA) (En,Ja)/battery' });
    expect(id(`${CFG}/states/Sonic the Hedgehog (World).state.auto`)).toMatchObject({ key: 'genesis/Sonic the Hedgehog (World)/state/Genesis Plus GX/auto' });
    // A game no playlist names stays unidentified, with the reason.
    expect(id(`${CFG}/saves/Unknown Game.srm`)).toMatchObject({ status: 'ambiguous', candidates: [] });
  });

  test('a playlist_directory in retroarch.cfg is read, and a multi-system core folder resolves through it', () => {
    const fs = memoryFs({
      [`${CFG}/retroarch.cfg`]: 'playlist_directory = "~/lists"\n',
      '/home/user/lists/Nintendo - Game Boy Advance.lpl': GBA_LPL,
    });
    const d = detectPlatform(fs)!;
    expect(d.profile.playlists[0]).toBe('/home/user/lists');
    const p = `${CFG}/saves/mGBA/Pokemon - Emerald Version (USA, Europe).srm`;
    expect(identifyPath(d.profile, p)).toMatchObject({ status: 'ambiguous', candidates: ['gb', 'gba', 'gbc'] });
    expect(identifyPath(d.profile, p, { fs })).toMatchObject({ key: 'gba/Pokemon - Emerald Version (USA, Europe)/battery' });
    // And back: the save lands in the core folder, named after the playlist's ROM.
    expect(placeKey(d.profile, 'gba/Pokemon - Emerald Version (USA, Europe)/battery', { fs }).path).toBe(p);
  });
});

describe('identifyRetroArchRelative (RetroArch Cloud Sync paths)', () => {
  test.each([
    ['saves/gpSP/Pokemon Emerald.srm', 'gba/Pokemon Emerald/battery'],
    ['saves/gba/Pokemon Emerald.srm', 'gba/Pokemon Emerald/battery'],
    ['saves/Game Boy Advance/Pokemon Emerald.srm', 'gba/Pokemon Emerald/battery'],
    ['saves/snes/Snes9x/Chrono Trigger.srm', 'snes/Chrono Trigger/battery'],
    ['states/Snes9x/Chrono Trigger.state.auto', 'snes/Chrono Trigger/state/Snes9x/auto'],
    ['states/snes/Snes9x/Chrono Trigger.state3', 'snes/Chrono Trigger/state/Snes9x/3'],
  ])('%s → %s', (rel, key) => {
    expect(identifyRetroArchRelative(rel)).toMatchObject({ status: 'save', key, path: rel });
  });

  test('flat and multi-system folders need a ROM; other folders are not saves', () => {
    expect(identifyRetroArchRelative('saves/Chrono Trigger.srm')).toMatchObject({ status: 'ambiguous', candidates: [] });
    expect(identifyRetroArchRelative('saves/mGBA/Pokemon Emerald.srm')).toMatchObject({ status: 'ambiguous', candidates: ['gb', 'gba', 'gbc'] });
    const fs = memoryFs({ '/pl/Nintendo - Game Boy Advance.lpl': GBA_LPL });
    const roms = new RomIndex(fs, [], ['/pl']);
    expect(identifyRetroArchRelative('saves/Pokemon - Emerald Version (USA, Europe).srm', { roms })).toMatchObject({
      key: 'gba/Pokemon - Emerald Version (USA, Europe)/battery',
    });
    expect(identifyRetroArchRelative('config/retroarch.cfg')).toMatchObject({ status: 'ignored' });
    expect(identifyRetroArchRelative('saves/PCSX-ReARMed/FF7.ldci')).toMatchObject({ status: 'ignored', reason: 'not-portable' });
  });

  test('the device settings decide the folder levels when known', () => {
    const settings = { sortSavefilesByCore: false, sortSavefilesByContent: true };
    expect(identifyRetroArchRelative('saves/gba/Pokemon Emerald.srm', { settings })).toMatchObject({ key: 'gba/Pokemon Emerald/battery' });
    expect(identifyRetroArchRelative('saves/gba/mGBA/Pokemon Emerald.srm', { settings })).toMatchObject({ status: 'ignored' });
  });

  test('placeRetroArchRelative: key → the path RetroArch keeps it at, and back', () => {
    expect(placeRetroArchRelative('gba/Pokemon Emerald/battery')).toEqual({ path: 'saves/mGBA/Pokemon Emerald.srm', compress: false });
    expect(placeRetroArchRelative('snes/Chrono Trigger/state/Snes9x/auto')).toEqual({ path: 'states/Snes9x/Chrono Trigger.state.auto', compress: true });
    const flat = { sortSavefilesByCore: false, sortSavefilesByContent: false };
    expect(placeRetroArchRelative('gba/Pokemon Emerald/battery', { settings: flat }).path).toBe('saves/Pokemon Emerald.srm');
    const content = { sortSavefilesByCore: true, sortSavefilesByContent: true };
    expect(placeRetroArchRelative('gba/Pokemon Emerald/battery', { settings: content }).path).toBe('saves/gba/mGBA/Pokemon Emerald.srm');
    // Back again: the same key, or — mGBA runs gb, gbc and gba — ambiguous with the key's system
    // among the candidates until a ROM or playlist tells; never another key.
    expect(identifyRetroArchRelative(placeRetroArchRelative('gba/Pokemon Emerald/battery').path)).toMatchObject({
      status: 'ambiguous',
      candidates: ['gb', 'gba', 'gbc'],
    });
    for (const key of ['snes/Chrono Trigger/state/Snes9x/auto', 'nds-dsv/Pokemon Platinum/battery', 'ps1/Final Fantasy VII (USA)/battery']) {
      expect(identifyRetroArchRelative(placeRetroArchRelative(key).path)).toMatchObject({ status: 'save', key });
    }
  });
});
