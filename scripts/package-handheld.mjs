#!/usr/bin/env node
/**
 * npm run package:handheld — ready-to-copy folders (and .tar.gz of each) for every firmware the
 * shell client supports, under out/handheld/<firmware>/, each with the launcher that firmware
 * runs and a README line saying where on the SD card it goes.
 *
 * Launcher formats (checked against each firmware's public source where noted):
 *   onion   App/<Name>/config.json {label, icon, launch, description} + launch.sh   (OnionUI/Onion static/packages/App/*)
 *   spruce  App/<Name>/config.json, same fields                                    (spruceUI/spruceOS App/*)
 *   minui   Tools/<platform>/<Name>.pak/launch.sh                                   (shauninman/MinUI skeleton/EXTRAS/Tools)
 *   nextui  Tools/tg5040/<Name>.pak/launch.sh                                       (same pak format; NextUI is a MinUI fork)
 *   muos    MUOS/application/<Name>/mux_launch.sh with # HELP / # ICON headers       (MustardOS/internal init/MUOS/application)
 *   knulli, batocera  roms/ports/<Name>.sh (EmulationStation "ports" system) + boot hook in /userdata/system/custom.sh
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const client = join(repo, 'clients/shell');
const out = join(repo, 'out/handheld');
const CLIENT_FILES = ['setup.sh', 'daemon.sh', 'launch.sh', 'launcher.sh', 'identity.sh', 'lib', 'tables', 'README.md'];
const MINUI_PLATFORMS = ['miyoomini', 'my282', 'my355', 'rg35xx', 'rg35xxplus', 'rgb30', 'tg5040', 'trimuismart', 'magicmini', 'zero28'];

function copyClient(dest) {
  mkdirSync(dest, { recursive: true });
  for (const f of CLIENT_FILES) cpSync(join(client, f), join(dest, f), { recursive: true });
  writeFileSync(join(dest, 'server.txt.example'), 'http://192.168.1.10:3000\n');
}

function script(path, body) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `#!/bin/sh\n${body}`);
  chmodSync(path, 0o755);
}

const RUN = 'sh "$DIR/retrosync/launcher.sh"\n';
const firmwares = {
  onion: {
    where: 'Copy the App folder to the root of the SD card (it becomes /mnt/SDCARD/App/RetroSync); open Apps → RetroSync.',
    build(dir) {
      const app = join(dir, 'App/RetroSync');
      copyClient(join(app, 'retrosync'));
      writeFileSync(join(app, 'config.json'), `${JSON.stringify({ label: 'RetroSync', icon: '', iconsel: '', launch: 'launch.sh', description: 'Sync saves with your RetroSync server' }, null, 1)}\n`);
      script(join(app, 'launch.sh'), `DIR=$(cd "$(dirname "$0")" && pwd)\n${RUN}`);
    },
  },
  spruce: {
    where: 'Copy the App folder to the root of the SD card (/mnt/SDCARD/App/RetroSync); open Apps → RetroSync.',
    build(dir) {
      const app = join(dir, 'App/RetroSync');
      copyClient(join(app, 'retrosync'));
      writeFileSync(join(app, 'config.json'), `${JSON.stringify({ label: 'RetroSync', icon: '', launch: 'launch.sh', description: 'Sync saves with your RetroSync server' }, null, 2)}\n`);
      script(join(app, 'launch.sh'), `DIR=$(cd "$(dirname "$0")" && pwd)\n${RUN}`);
    },
  },
  minui: {
    where: `Copy the Tools folder to the root of the SD card; keep only your device's folder (${MINUI_PLATFORMS.join(', ')}); open Tools → RetroSync.`,
    build(dir) {
      for (const p of MINUI_PLATFORMS) {
        const pak = join(dir, 'Tools', p, 'RetroSync.pak');
        copyClient(join(pak, 'retrosync'));
        script(join(pak, 'launch.sh'), `DIR=$(cd "$(dirname "$0")" && pwd)\n${RUN}`);
      }
    },
  },
  nextui: {
    where: 'Copy the Tools folder to the root of the SD card (/mnt/SDCARD/Tools/tg5040/RetroSync.pak); open Tools → RetroSync.',
    build(dir) {
      const pak = join(dir, 'Tools/tg5040/RetroSync.pak');
      copyClient(join(pak, 'retrosync'));
      script(join(pak, 'launch.sh'), `DIR=$(cd "$(dirname "$0")" && pwd)\n${RUN}`);
    },
  },
  muos: {
    where: 'Copy MUOS/application/RetroSync to /mnt/mmc/MUOS/application/ (SD1; /mnt/sdcard/MUOS/application/ on SD2); open Applications → RetroSync.',
    build(dir) {
      const app = join(dir, 'MUOS/application/RetroSync');
      copyClient(join(app, 'retrosync'));
      script(join(app, 'mux_launch.sh'), `# HELP: Sync saves with your RetroSync server\n# ICON: retrosync\nDIR=$(cd "$(dirname "$0")" && pwd)\n${RUN}`);
    },
  },
  knulli: {
    where: 'Copy the roms and system folders to /userdata/ (the SHARE partition): the launcher becomes /userdata/roms/ports/RetroSync.sh, the client /userdata/system/retrosync (kept out of the game lists); update the game list, then Ports → RetroSync.',
    build: buildPorts,
  },
  batocera: {
    where: 'Copy the roms and system folders to /userdata/: the launcher becomes /userdata/roms/ports/RetroSync.sh, the client /userdata/system/retrosync; update the game list, then Ports → RetroSync.',
    build: buildPorts,
  },
};

/** EmulationStation lists every .sh under roms/ports as a game, so only the launcher goes there. */
function buildPorts(dir) {
  copyClient(join(dir, 'system/retrosync'));
  script(join(dir, 'roms/ports/RetroSync.sh'), 'sh /userdata/system/retrosync/launcher.sh\n');
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const lines = ['# RetroSync handheld packages', '', 'Put your server URL in retrosync/server.txt (see server.txt.example) before copying, or run setup.sh over SSH.', ''];
for (const [name, fw] of Object.entries(firmwares)) {
  const dir = join(out, name);
  fw.build(dir);
  writeFileSync(join(dir, 'README.txt'), `RetroSync for ${name}\n\n${fw.where}\n`);
  execFileSync('tar', ['-czf', join(out, `retrosync-${name}.tar.gz`), '-C', dir, '.']);
  lines.push(`- **${name}**: ${fw.where}`);
}
writeFileSync(join(out, 'README.md'), `${lines.join('\n')}\n`);
console.log(`packages in ${out}:\n${lines.slice(4).join('\n')}`);
