import { describe, expect, test } from 'vitest';
import { run } from '../../cli/dispatch.js';
import { fakeIo } from '../../cli/test-support/io.js';

const ONION = '/mnt/SDCARD/Saves/CurrentProfile/saves';

describe('retrosync identify', () => {
  test('prints <key> TAB <path>, "-" for non-saves, and says why a path is ambiguous', async () => {
    const io = fakeIo();
    const code = await run(
      ['identify', '--platform', 'onion', `${ONION}/gpSP/Pokemon Emerald.srm`, `${ONION}/mGBA/Tetris.srm`, `${ONION}/gpSP/._x.srm`],
      io,
    );
    expect(code).toBe(0);
    expect(io.stdout).toEqual([
      `gba/Pokemon Emerald/battery\t${ONION}/gpSP/Pokemon Emerald.srm`,
      `-\t${ONION}/mGBA/Tetris.srm`,
      `-\t${ONION}/gpSP/._x.srm`,
    ]);
    expect(io.stderr).toEqual([expect.stringMatching(/Tetris\.srm: ambiguous \(gb, gba, gbc\)/)]);
  });

  test('--root: host paths under the root are device paths; ROMs there decide the system', async () => {
    const io = fakeIo(['/sd/mnt/SDCARD/Roms/GB/Tetris.gb', '/sd/mnt/SDCARD/.tmp_update/onionVersion/version.txt']);
    const code = await run(['identify', '--root', '/sd', `/sd${ONION}/mGBA/Tetris.srm`, `${ONION}/mGBA/Tetris.srm`], io);
    expect(code).toBe(0);
    expect(io.stdout).toEqual([`gb/Tetris/battery\t/sd${ONION}/mGBA/Tetris.srm`, `gb/Tetris/battery\t${ONION}/mGBA/Tetris.srm`]);
  });

  test('--json gives the whole result', async () => {
    const io = fakeIo();
    await run(['identify', '-p', 'minui', '--json', '/mnt/SDCARD/Saves/GBA/Zelda.gba.sav'], io);
    expect(JSON.parse(io.stdout.join('\n'))).toEqual([
      expect.objectContaining({ status: 'save', key: 'gba/Zelda/battery', evidence: 'name' }),
    ]);
  });

  test('--rom-root: a ROM folder of the user tells the system of a save in a flat RetroArch folder', async () => {
    const CFG = '/home/user/.config/retroarch';
    const files = {
      [`${CFG}/retroarch.cfg`]: 'sort_savefiles_enable = "false"\n',
      [`${CFG}/saves/Pokemon Emerald.srm`]: 'x',
      '/home/user/Games/Handhelds/Pokemon Emerald.gba': '',
    };
    const without = fakeIo(files);
    expect(await run(['identify', `${CFG}/saves/Pokemon Emerald.srm`], without)).toBe(0);
    expect(without.stdout).toEqual([`-\t${CFG}/saves/Pokemon Emerald.srm`]);
    expect(without.stderr.join('\n')).toMatch(/ambiguous.*no ROM named "Pokemon Emerald" found/);

    const io = fakeIo(files);
    expect(await run(['identify', '--rom-root', '/home/user/Games', `${CFG}/saves/Pokemon Emerald.srm`], io)).toBe(0);
    expect(io.stdout).toEqual([`gba/Pokemon Emerald/battery\t${CFG}/saves/Pokemon Emerald.srm`]);

    // A relative --rom-root is read from the current folder (/ in the fake io).
    const rel = fakeIo(files);
    expect(await run(['identify', '--rom-root', 'home/user/Games', '--json', `${CFG}/saves/Pokemon Emerald.srm`], rel)).toBe(0);
    expect(JSON.parse(rel.stdout.join('\n'))).toEqual([expect.objectContaining({ key: 'gba/Pokemon Emerald/battery', evidence: 'rom' })]);
  });

  test('a flat RetroArch folder on this PC is identified through RetroArch\'s own playlist, with nothing to configure', async () => {
    const CFG = '/home/user/.config/retroarch';
    const playlist = JSON.stringify({
      version: '1.5',
      default_core_path: '',
      default_core_name: '',
      items: [
        {
          path: '/home/user/Downloads/Golden Sun (USA, Europe).gba',
          label: 'Golden Sun (USA, Europe)',
          core_path: '/home/user/.config/retroarch/cores/mgba_libretro.so',
          core_name: 'Nintendo - Game Boy Advance (mGBA)',
          crc32: 'DETECT',
          db_name: 'Nintendo - Game Boy Advance.lpl',
        },
      ],
    });
    const io = fakeIo({
      [`${CFG}/retroarch.cfg`]: 'sort_savefiles_enable = "false"\n',
      [`${CFG}/playlists/Nintendo - Game Boy Advance.lpl`]: playlist,
      [`${CFG}/saves/Golden Sun (USA, Europe).srm`]: 'x',
    });
    expect(await run(['identify', `${CFG}/saves/Golden Sun (USA, Europe).srm`], io)).toBe(0);
    expect(io.stdout).toEqual([`gba/Golden Sun (USA, Europe)/battery\t${CFG}/saves/Golden Sun (USA, Europe).srm`]);
    const detect = fakeIo({ [`${CFG}/retroarch.cfg`]: '', [`${CFG}/playlists/`]: '' });
    await run(['detect', '--json'], detect);
    expect(JSON.parse(detect.stdout.join('\n'))).toMatchObject({ platform: 'retroarch_linux', playlists: expect.arrayContaining([`${CFG}/playlists`]) });
  });

  test('--rom-root with --root: below the root it is a device folder; outside it, or missing, is a usage error', async () => {
    const files = ['/sd/mnt/SDCARD/.tmp_update/onionVersion/version.txt', '/sd/mnt/SDCARD/My Games/Tetris.gb'];
    const io = fakeIo(files);
    expect(await run(['identify', '--root', '/sd', '--rom-root', '/sd/mnt/SDCARD/My Games', `${ONION}/mGBA/Tetris.srm`], io)).toBe(0);
    expect(io.stdout).toEqual([`gb/Tetris/battery\t${ONION}/mGBA/Tetris.srm`]);
    const outside = fakeIo([...files, '/elsewhere/roms/x.gb']);
    expect(await run(['identify', '--root', '/sd', '--rom-root', '/elsewhere/roms', `${ONION}/mGBA/Tetris.srm`], outside)).toBe(64);
    expect(outside.stderr.join('\n')).toMatch(/outside --root/);
    const missing = fakeIo(files);
    expect(await run(['identify', '--root', '/sd', '--rom-root', '/sd/nope', `${ONION}/mGBA/Tetris.srm`], missing)).toBe(64);
    expect(missing.stderr.join('\n')).toMatch(/is not a folder/);
  });

  test('usage errors exit 64', async () => {
    const io = fakeIo();
    expect(await run(['identify', '--platform', 'onion'], io)).toBe(64);
    expect(await run(['identify', '--platform', 'nope', '/x.srm'], io)).toBe(64);
    expect(await run(['identify', '--bogus'], io)).toBe(64);
    expect(io.stderr.join('\n')).toMatch(/unknown platform "nope"/);
  });
});
