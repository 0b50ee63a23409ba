import { describe, expect, test } from 'vitest';
import { run } from '../../cli/dispatch.js';
import { fakeIo } from '../../cli/test-support/io.js';

describe('retrosync place', () => {
  test('prints the path for each key', async () => {
    const io = fakeIo();
    expect(await run(['place', '--platform', 'knulli', 'genesis/Sonic/battery', 'ps1/FF7/battery'], io)).toBe(0);
    expect(io.stdout).toEqual(['/userdata/saves/megadrive/Sonic.srm', '/userdata/saves/psx/FF7.srm']);
  });

  test('--root prints the path under the root, named after the ROM the device has', async () => {
    const io = fakeIo({ '/card/mnt/SDCARD/Roms/Game Boy Advance (GBA)/Zelda.zip': '' });
    expect(await run(['place', '-p', 'minui', '--root', '/card', 'gba/Zelda/battery'], io)).toBe(0);
    expect(io.stdout).toEqual(['/card/mnt/SDCARD/Saves/GBA/Zelda.zip.sav']);
  });

  test('refuses keys that would leave the folder, exit 1', async () => {
    const io = fakeIo();
    expect(await run(['place', '-p', 'onion', '--root', '/', 'gba/../../etc/battery'], io)).toBe(1);
    expect(io.stdout).toEqual([]);
    expect(io.stderr[0]).toMatch(/cannot place "gba\/..\/..\/etc\/battery"/);
  });

  test('--json reports compression', async () => {
    const io = fakeIo();
    await run(['place', '-p', 'garlicos2', '--json', 'gba/Zelda/battery'], io);
    expect(JSON.parse(io.stdout.join('\n'))).toEqual([
      expect.objectContaining({ path: '/media/RetroArch/saves/Game Boy Advance/Zelda.srm', compress: true }),
    ]);
  });
});
