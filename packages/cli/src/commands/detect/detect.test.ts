import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, test } from 'vitest';
import { run } from '../../cli/dispatch.js';
import { fakeIo } from '../../cli/test-support/io.js';

describe('retrosync detect', () => {
  test('prints platform, device type and roots', async () => {
    const io = fakeIo({
      '/dev-root/mnt/sdcard/.system/version.txt': 'MinUI-20250101-0\n',
      '/dev-root/mnt/sdcard/.system/rg35xxplus/': '',
    });
    expect(await run(['detect', '--root', '/dev-root'], io)).toBe(0);
    const text = io.stdout.join('\n');
    expect(text).toMatch(/^platform\s+minui /m);
    expect(text).toMatch(/^device type\s+rg35xx$/m);
    expect(text).toMatch(/^save roots\s+\/dev-root\/mnt\/sdcard\/Saves$/m);
  });

  test('--json', async () => {
    const io = fakeIo({ '/r/usr/share/knulli/knulli.version': '40', '/r/boot/boot/knulli.board': 'rg40xx-h' });
    await run(['detect', '--root', '/r', '--json'], io);
    expect(JSON.parse(io.stdout.join('\n'))).toMatchObject({
      platform: 'knulli',
      deviceType: 'rg35xx',
      saveRoots: ['/r/userdata/saves'],
      romRoots: ['/r/userdata/roms'],
    });
  });

  test('nothing found: exit 1 and a hint', async () => {
    const io = fakeIo({ '/empty/': '' });
    expect(await run(['detect', '--root', '/empty'], io)).toBe(1);
    expect(io.stderr[0]).toMatch(/no known platform found under \/empty; name it with --platform/);
  });
});

describe('the retrosync process on a real folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'retrosync-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const put = (p: string, text = '') => {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  };
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', 'packages/cli/src/main.ts', ...args], {
      encoding: 'utf8',
    });

  test('detect, identify and place against --root', () => {
    put('mnt/SDCARD/.tmp_update/onionVersion/version.txt', '4.3.1');
    put('mnt/SDCARD/RetroArch/.retroarch/retroarch.cfg', 'sort_savefiles_enable = "true"\n');
    put('mnt/SDCARD/Roms/GBC/Pokemon Crystal.gbc');
    put('mnt/SDCARD/Saves/CurrentProfile/saves/Gambatte/Pokemon Crystal.srm', 'x'.repeat(32768));

    const detect = cli('detect', '--root', dir);
    expect(detect.status).toBe(0);
    expect(detect.stdout).toMatch(/^platform\s+onion /m);
    expect(detect.stdout).toMatch(/^device type\s+miyoo_mini$/m);

    const save = join(dir, 'mnt/SDCARD/Saves/CurrentProfile/saves/Gambatte/Pokemon Crystal.srm');
    const identify = cli('identify', '--root', dir, save);
    expect(identify.status).toBe(0);
    expect(identify.stdout).toBe(`gbc/Pokemon Crystal/battery\t${save}\n`);

    const place = cli('place', '--root', dir, 'gbc/Pokemon Crystal/battery');
    expect(place.status).toBe(0);
    expect(place.stdout).toBe(`${save}\n`);
  });
});
