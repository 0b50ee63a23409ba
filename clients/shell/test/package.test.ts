/** npm run package:handheld: every firmware folder has the launcher that firmware runs and the client. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { busyboxBin, REPO } from './busybox-env.js';

it('builds a ready-to-copy folder and archive per firmware', () => {
  execFileSync(process.execPath, [join(REPO, 'scripts/package-handheld.mjs')], { stdio: 'pipe' });
  const out = join(REPO, 'out/handheld');
  const launchers: Record<string, [string, string]> = {
    onion: ['App/RetroSync/launch.sh', 'App/RetroSync/retrosync'],
    spruce: ['App/RetroSync/launch.sh', 'App/RetroSync/retrosync'],
    minui: ['Tools/miyoomini/RetroSync.pak/launch.sh', 'Tools/miyoomini/RetroSync.pak/retrosync'],
    nextui: ['Tools/tg5040/RetroSync.pak/launch.sh', 'Tools/tg5040/RetroSync.pak/retrosync'],
    muos: ['MUOS/application/RetroSync/mux_launch.sh', 'MUOS/application/RetroSync/retrosync'],
    knulli: ['roms/ports/RetroSync.sh', 'system/retrosync'],
    batocera: ['roms/ports/RetroSync.sh', 'system/retrosync'],
  };
  for (const [fw, [launcher, client]] of Object.entries(launchers)) {
    const l = join(out, fw, launcher);
    expect(statSync(l).mode & 0o111, `${fw} launcher executable`).not.toBe(0);
    const syntax = spawnSync(join(busyboxBin(), 'sh'), ['-n', l], { encoding: 'utf8' });
    expect(syntax.status, `${fw}: ${syntax.stderr}`).toBe(0);
    for (const f of ['setup.sh', 'daemon.sh', 'launch.sh', 'launcher.sh', 'lib/identify.awk', 'tables/platforms.tsv']) {
      expect(existsSync(join(out, fw, client, f)), `${fw}: ${f}`).toBe(true);
    }
    expect(readFileSync(join(out, fw, 'README.txt'), 'utf8')).toMatch(/Copy/);
    expect(existsSync(join(out, `retrosync-${fw}.tar.gz`))).toBe(true);
  }
  // The LÖVE app as a PortMaster port: bash launcher on PortMaster's LÖVE runtime, the app, the engine beside it.
  for (const fw of ['muos', 'knulli', 'rocknix', 'arkos', 'spruce']) {
    const dir = join(out, `${fw}-portmaster/ports`);
    const launcher = readFileSync(join(dir, 'RetroSync.sh'), 'utf8');
    expect(statSync(join(dir, 'RetroSync.sh')).mode & 0o111).not.toBe(0);
    expect(launcher).toMatch(/^#!\/bin\/bash\n/);
    expect(launcher).toContain('runtimes/"love_11.5"/love.txt');
    expect(launcher).toContain('GAMEDIR="/$directory/ports/retrosync"');
    expect(launcher).toContain('$LOVE_RUN "$GAMEDIR"');
    expect(spawnSync('bash', ['-n', join(dir, 'RetroSync.sh')]).status).toBe(0);
    for (const f of ['main.lua', 'conf.lua', 'lib/app.lua', 'lib/discovery.lua', 'retrosync/daemon.sh', 'retrosync/lib/status.sh', 'port.json']) {
      expect(existsSync(join(dir, 'retrosync', f)), `${fw}-portmaster: ${f}`).toBe(true);
    }
    expect(readFileSync(join(out, `${fw}-portmaster/README.txt`), 'utf8')).toMatch(/PortMaster.*Copy ports\/RetroSync.sh/s);
    expect(existsSync(join(out, `retrosync-${fw}-portmaster.tar.gz`))).toBe(true);
  }
  expect(readFileSync(join(out, 'onion/README.txt'), 'utf8')).toMatch(/PAIRING-CODE\.txt.*infoPanel/s);
  const onion = JSON.parse(readFileSync(join(out, 'onion/App/RetroSync/config.json'), 'utf8'));
  expect(onion).toMatchObject({ label: 'RetroSync', launch: 'launch.sh' });
  expect(readFileSync(join(out, 'muos/MUOS/application/RetroSync/mux_launch.sh'), 'utf8')).toMatch(/^# HELP: .+$/m);
  expect(readFileSync(join(out, 'knulli/roms/ports/RetroSync.sh'), 'utf8')).toContain('/userdata/system/retrosync/launcher.sh');
});
