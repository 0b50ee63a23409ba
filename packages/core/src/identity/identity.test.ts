import { deflateSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { autoLoadStatesFor } from './auto-states.js';
import { memoryFs } from './fs.js';
import { identifyPath } from './identify.js';
import { ignoreReason, isIgnoredFile } from './ignore.js';
import { placeKey } from './place.js';
import { getPlatform, listPlatforms, UnknownPlatformError } from './platforms.js';
import { resolveProfile, scanRoots } from './profile.js';
import { parseRetroArchCfg } from './retroarch-cfg.js';
import { deflateRzip, inflateRzip, isRzip, rawSaveBytes, RzipError } from './rzip.js';
import { systemsForCore, systemsForFolder, systemsForTag } from './systems.js';
import { tables } from './tables.js';

describe('system matching: whole names and tokens, never substrings', () => {
  test.each([
    ['Snes9x', ['snes']],
    ['snes9x', ['snes']],
    ['Snes9x 2005 Plus', ['snes']],
    ['gpSP', ['gba']],
    ['mGBA', ['gba', 'gb', 'gbc']],
    ['Gambatte', ['gb', 'gbc']],
    ['Genesis Plus GX', ['genesis', 'sms', 'gamegear', 'sg1000', 'segacd']],
    ['PCSX-ReARMed', ['ps1']],
  ])('core %s', (core, systems) => expect(systemsForCore(core)).toEqual(systems));

  test.each([
    ['megadrive', ['genesis']],
    ['genesis', ['genesis']],
    ['gba', ['gba']],
    ['gb', ['gb']],
    ['snes', ['snes']],
    ['psx', ['ps1']],
    ['Game Boy Advance (GBA)', ['gba']],
    ['Sega Genesis (MD)', ['genesis']],
    ['Nintendo - SNES', ['snes']],
    ['Nintendo Game Boy Advance', []],
    ['roms', []],
  ])('folder %s', (folder, systems) => expect(systemsForFolder(folder)).toEqual(systems));

  test('no system id is found inside another by substring', () => {
    for (const name of ['genesis', 'megadrive', 'snes', 'snes9x', 'gbc', 'gba', 'sgb']) {
      expect(systemsForFolder(name)).not.toContain('nes');
      if (name !== 'sgb') expect(systemsForFolder(name)).not.toContain('gb');
    }
    expect(systemsForTag('PAK')).toEqual([]);
  });

  test('the tables agree with each other where names overlap (case-insensitively)', () => {
    const t = tables();
    for (const [folder, system] of t.folderFolded) {
      const tag = t.tagFolded.get(folder);
      if (tag !== undefined) expect(tag, folder).toBe(system);
    }
    for (const system of t.systems) expect(system).toMatch(/^[a-z0-9][a-z0-9_-]{0,31}$/);
  });
});

describe('ignored files', () => {
  test.each([
    ['._Pokemon.srm', 'appledouble'],
    ['.DS_Store', 'os-metadata'],
    ['Thumbs.db', 'os-metadata'],
    ['desktop.ini', 'os-metadata'],
    ['Pokemon.srm.bak', 'backup'],
    ['Pokemon.srm~', 'backup'],
    ['Pokemon.srm.tmp', 'temporary'],
    ['.retrosync-Pokemon.srm.partial', 'temporary'],
    ['retroarch.cfg', 'config'],
    ['gpSP.opt', 'config'],
    ['Pokemon.state.png', 'image'],
    ['saves/.Spotlight-V100/Store-V2/x.srm', 'os-metadata'],
  ])('%s', (name, reason) => {
    expect(ignoreReason(name)).toBe(reason);
    expect(isIgnoredFile(name)).toBe(true);
  });
  test.each(['Pokemon.srm', 'Pokemon.gba.sav', 'Pokemon.state.auto', 'Pokemon.rtc'])('%s is not ignored', (name) => {
    expect(isIgnoredFile(name)).toBe(false);
  });
});

describe('RZIP', () => {
  const raw = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256);

  /** Built by hand from the format description, independently of deflateRzip. */
  function handMade(data: Uint8Array, chunk: number): Uint8Array {
    const header = Buffer.alloc(20);
    Buffer.from('#RZIPv\x01#', 'latin1').copy(header, 0);
    header.writeUInt32LE(chunk, 8);
    header.writeBigUInt64LE(BigInt(data.length), 12);
    const parts: Buffer[] = [header];
    for (let i = 0; i < data.length; i += chunk) {
      const z = deflateSync(data.subarray(i, i + chunk));
      const len = Buffer.alloc(4);
      len.writeUInt32LE(z.length);
      parts.push(len, z);
    }
    return Buffer.concat(parts);
  }

  test('recognises and inflates a RetroArch-style file', () => {
    const file = handMade(raw, 131072);
    expect(isRzip(file)).toBe(true);
    expect(Buffer.from(inflateRzip(file)).equals(Buffer.from(raw))).toBe(true);
    expect(Buffer.from(rawSaveBytes(file)).equals(Buffer.from(raw))).toBe(true);
  });

  test('raw saves are not RZIP and pass through', () => {
    const sav = new Uint8Array(32768).fill(0xff);
    expect(isRzip(sav)).toBe(false);
    expect(rawSaveBytes(sav)).toBe(sav);
  });

  test('deflate → inflate round-trips, with the header RetroArch reads', () => {
    const file = deflateRzip(raw);
    expect(Buffer.from(file.subarray(0, 8)).toString('latin1')).toBe('#RZIPv\x01#');
    expect(Buffer.from(file).readUInt32LE(8)).toBe(131072);
    expect(Buffer.from(file).readBigUInt64LE(12)).toBe(300_000n);
    expect(Buffer.from(inflateRzip(file)).equals(Buffer.from(raw))).toBe(true);
  });

  test('damaged files are refused, not half-read', () => {
    const file = handMade(raw, 131072);
    expect(() => inflateRzip(file.subarray(0, file.length - 10))).toThrow(RzipError);
    const lying = Buffer.from(file);
    lying.writeBigUInt64LE(10n ** 12n, 12);
    expect(() => inflateRzip(lying)).toThrow(/larger than allowed/);
  });
});

describe('platforms and profiles', () => {
  test('19 platforms, each with a verification status', () => {
    const all = listPlatforms();
    expect(all).toHaveLength(19);
    expect(all.filter((p) => p.verifiedAgainstSource).map((p) => p.id)).toContain('minui');
    expect(getPlatform('garlicos1').verifiedAgainstSource).toBe(false);
    expect(() => getPlatform('nope')).toThrow(UnknownPlatformError);
  });

  test('retroarch.cfg: quoted and bare values, "default" keeps the platform folder', () => {
    expect(
      parseRetroArchCfg('savefile_directory = "default"\nsort_savefiles_enable = "true"\nsavestate_auto_load = false\n# x = 1'),
    ).toEqual({ sortSavefilesByCore: true, savestateAutoLoad: false });
  });

  test('user configuration: folders, cores, compression', () => {
    const p = resolveProfile('knulli', { saveDir: '/userdata/mysaves', compressSaves: true, cores: { gba: 'gpSP' } });
    expect(scanRoots(p).saves).toEqual(['/userdata/mysaves']);
    expect(placeKey(p, 'gba/Zelda/battery')).toMatchObject({ path: '/userdata/mysaves/gba/Zelda.srm', compress: true });
    expect(placeKey(p, 'gba/Zelda/state/gpSP/1').path).toBe('/userdata/saves/gba/Zelda.state1');
  });

  test('placement stays under the root, also for a relative root', () => {
    expect(placeKey('onion', 'gba/Zelda/battery', { root: 'card' }).path).toBe(
      'card/mnt/SDCARD/Saves/CurrentProfile/saves/gpSP/Zelda.srm',
    );
  });
});

describe('auto-load states', () => {
  test('finds the auto states that would overwrite a synced battery save', () => {
    const fs = memoryFs([
      '/mnt/SDCARD/Saves/CurrentProfile/states/gpSP/Zelda.state.auto',
      '/mnt/SDCARD/Saves/CurrentProfile/states/mGBA/Zelda.state.auto',
      '/mnt/SDCARD/Saves/CurrentProfile/states/mGBA/Zelda.state1',
      '/mnt/SDCARD/Saves/CurrentProfile/states/gpSP/Other.state.auto',
      '/mnt/SDCARD/Roms/GBA/Zelda.gba',
    ]);
    expect(autoLoadStatesFor(resolveProfile('onion'), 'gba/zelda/battery', fs)).toEqual([
      '/mnt/SDCARD/Saves/CurrentProfile/states/gpSP/Zelda.state.auto',
      '/mnt/SDCARD/Saves/CurrentProfile/states/mGBA/Zelda.state.auto',
    ]);
  });

  test('MinUI slot 9 is the auto-resume state', () => {
    const fs = memoryFs(['/mnt/SDCARD/.userdata/shared/GBA-gpsp/Zelda.gba.st9', '/mnt/SDCARD/.userdata/shared/GBA-gpsp/Zelda.gba.st1']);
    expect(autoLoadStatesFor(resolveProfile('minui', { vars: { sd: '/mnt/SDCARD' } }), 'gba/Zelda/battery', fs)).toEqual([
      '/mnt/SDCARD/.userdata/shared/GBA-gpsp/Zelda.gba.st9',
    ]);
  });

  test('nothing on platforms that do not auto-load', () => {
    const fs = memoryFs(['/userdata/saves/gba/Zelda.state.auto']);
    expect(autoLoadStatesFor(resolveProfile('knulli'), 'gba/Zelda/battery', fs)).toEqual([]);
    expect(identifyPath('knulli', '/userdata/saves/gba/Zelda.state.auto')).toMatchObject({ autoLoad: false });
  });
});
