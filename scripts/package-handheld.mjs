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
 *   <fw>-portmaster   the LÖVE app (clients/love) as a PortMaster port for muOS, Knulli, ROCKNIX, ArkOS and
 *                     spruce: ports/RetroSync.sh (sources PortMaster's control.txt and its love_11.5 runtime,
 *                     like PortMaster's own LÖVE ports) + ports/retrosync/ (the app, the shell engine in
 *                     retrosync/, port.json); GAMEDIR=/$directory/ports/retrosync, $directory set by PortMaster
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const client = join(repo, 'clients/shell');
const loveApp = join(repo, 'clients/love');
const LOVE_FILES = ['main.lua', 'conf.lua', 'lib', 'README.md'];
const out = join(repo, 'out/handheld');
const CLIENT_FILES = ['setup.sh', 'daemon.sh', 'launch.sh', 'launcher.sh', 'play-hook.sh', 'identity.sh', 'lib', 'tables', 'README.md'];
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
const ONION_SHOW_CODE = [
  'CODE_FILE="$DIR/retrosync/data/PAIRING-CODE.txt"',
  'PANEL=/mnt/SDCARD/.tmp_update/bin/infoPanel',
  'if [ -x "$PANEL" ] && [ -f "$CODE_FILE" ] && [ ! -f "$DIR/retrosync/data/config" ]; then',
  '  "$PANEL" -t "RetroSync" -m "$(head -n 2 "$CODE_FILE")"',
  'fi',
  '',
].join('\n');
const firmwares = {
  onion: {
    where:
      'Copy the App folder to the root of the SD card (it becomes /mnt/SDCARD/App/RetroSync); put your server URL in App/RetroSync/retrosync/server.txt; open Apps → RetroSync. ' +
      'Onion has no LÖVE, so this is the shell launcher: it asks the server for a 6-digit code, writes it to App/RetroSync/retrosync/data/PAIRING-CODE.txt and shows it in Onion\'s message panel (infoPanel); enter it on the dashboard\'s Devices page. Opening the app again turns syncing off/on.',
    build(dir) {
      const app = join(dir, 'App/RetroSync');
      copyClient(join(app, 'retrosync'));
      writeFileSync(join(app, 'config.json'), `${JSON.stringify({ label: 'RetroSync', icon: '', iconsel: '', launch: 'launch.sh', description: 'Sync saves with your RetroSync server' }, null, 1)}\n`);
      // Onion has no LÖVE: the code is shown with Onion's own message panel (infoPanel) when it is there.
      script(join(app, 'launch.sh'), `DIR=$(cd "$(dirname "$0")" && pwd)\n${RUN}${ONION_SHOW_CODE}`);
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

// PortMaster: one launcher for every firmware (control.txt sets $directory and the controls).
const PORT_SCRIPT = `#!/bin/bash
# RetroSync — sync your saves with your RetroSync server (PortMaster port; LÖVE 11.5 runtime).
XDG_DATA_HOME=\${XDG_DATA_HOME:-$HOME/.local/share}
if [ -d "/opt/system/Tools/PortMaster/" ]; then
  controlfolder="/opt/system/Tools/PortMaster"
elif [ -d "/opt/tools/PortMaster/" ]; then
  controlfolder="/opt/tools/PortMaster"
elif [ -d "$XDG_DATA_HOME/PortMaster/" ]; then
  controlfolder="$XDG_DATA_HOME/PortMaster"
else
  controlfolder="/roms/ports/PortMaster"
fi
source $controlfolder/control.txt
source $controlfolder/runtimes/"love_11.5"/love.txt
[ -f "\${controlfolder}/mod_\${CFW_NAME}.txt" ] && source "\${controlfolder}/mod_\${CFW_NAME}.txt"
get_controls

GAMEDIR="/$directory/ports/retrosync"
cd "$GAMEDIR" || exit 1
> "$GAMEDIR/log.txt" && exec > >(tee "$GAMEDIR/log.txt") 2>&1
export XDG_DATA_HOME="$GAMEDIR/conf"
export RETROSYNC_HOME="$GAMEDIR/retrosync/data"
export SDL_GAMECONTROLLERCONFIG="$sdl_controllerconfig"
mkdir -p "$XDG_DATA_HOME" "$RETROSYNC_HOME"

# The app reads the d-pad and buttons itself; gptokeyb only provides PortMaster's exit hotkey.
$GPTOKEYB "$LOVE_GPTK" &
pm_platform_helper "$LOVE_BINARY"
$LOVE_RUN "$GAMEDIR"

pm_finish
`;

const PORTMASTER = {
  muos: { script: '/mnt/mmc/ROMS/Ports/', data: '/mnt/mmc/ports/', menu: 'Explore Content → Ports' },
  knulli: { script: '/userdata/roms/ports/', data: '/userdata/roms/ports/', menu: 'Ports (update the game list first)' },
  rocknix: { script: '/storage/roms/ports/', data: '/storage/roms/ports/', menu: 'Ports' },
  arkos: { script: '/roms/ports/ (roms2/ports/ with two cards)', data: 'the same folder', menu: 'Ports' },
  spruce: { script: '/mnt/SDCARD/Roms/PORTS/', data: '/mnt/SDCARD/Roms/PORTS/', menu: 'Game Switcher → Ports' },
};

function buildPort(dir) {
  const game = join(dir, 'ports/retrosync');
  mkdirSync(game, { recursive: true });
  for (const f of LOVE_FILES) cpSync(join(loveApp, f), join(game, f), { recursive: true });
  copyClient(join(game, 'retrosync'));
  writeFileSync(join(game, 'port.json'), `${JSON.stringify({ version: 2, name: 'retrosync.zip', items: ['RetroSync.sh', 'retrosync'], items_opt: [], attr: { title: 'RetroSync', porter: ['RetroSync'], desc: 'Sync your game saves with your own RetroSync server: find it, pair with a code, see what is synced.', inst: 'Ready to run.', genres: ['tools'], runtime: ['love_11.5.squashfs'], reqs: [] } }, null, 2)}\n`);
  // PortMaster launchers are bash (process substitution, source).
  writeFileSync(join(dir, 'ports/RetroSync.sh'), PORT_SCRIPT);
  chmodSync(join(dir, 'ports/RetroSync.sh'), 0o755);
}

for (const [fw, where] of Object.entries(PORTMASTER)) {
  firmwares[`${fw}-portmaster`] = {
    where:
      `Needs PortMaster (it provides LÖVE). Copy ports/RetroSync.sh to ${where.script} and ports/retrosync/ to ${where.data}; open ${where.menu} → RetroSync. ` +
      'The app finds your server on the network (or type its address), shows a 6-digit code and a QR code: enter the code on the dashboard’s Devices page or scan the QR with your phone. ' +
      'Then it shows what is synced; "Background: On" keeps syncing after you leave the app. Use either this port or the plain shell package on one device, not both.',
    build: buildPort,
  };
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
