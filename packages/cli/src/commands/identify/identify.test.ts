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

  test('usage errors exit 64', async () => {
    const io = fakeIo();
    expect(await run(['identify', '--platform', 'onion'], io)).toBe(64);
    expect(await run(['identify', '--platform', 'nope', '/x.srm'], io)).toBe(64);
    expect(await run(['identify', '--bogus'], io)).toBe(64);
    expect(io.stderr.join('\n')).toMatch(/unknown platform "nope"/);
  });
});
