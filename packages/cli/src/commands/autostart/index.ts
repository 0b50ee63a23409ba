/**
 * `retrosync autostart install|uninstall`: starts the daemon at login — a systemd user unit on
 * Linux / Steam Deck, a LaunchAgent on macOS, a Startup entry on Windows. Writes (or removes)
 * the file and prints the one command that activates it.
 */
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, UsageError, type Command } from '../../cli/command.js';
import { homePaths } from '../../config/home.js';
import { launchAgent, LAUNCH_AGENT_LABEL, systemdUnit, windowsStartup, type Launch } from './units.js';

type Os = 'linux' | 'darwin' | 'win32';

function target(os: Os, env: Readonly<Record<string, string | undefined>>, home: string): { file: string; activate: string; deactivate: string } {
  if (os === 'darwin') {
    const file = join(home, 'Library', 'LaunchAgents', `${LAUNCH_AGENT_LABEL}.plist`);
    return { file, activate: `launchctl load -w "${file}"`, deactivate: `launchctl unload -w "${file}"` };
  }
  if (os === 'win32') {
    const appData = env.APPDATA ?? join(home, 'AppData', 'Roaming');
    const file = join(appData, 'Microsoft', 'Windows', 'Start Menu', 'Programs', 'Startup', 'retrosync.cmd');
    return { file, activate: 'it starts at your next sign-in (or double-click the file now)', deactivate: 'stop the running "RetroSync" window if one is open' };
  }
  const config = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(home, '.config');
  const file = join(config, 'systemd', 'user', 'retrosync.service');
  return { file, activate: 'systemctl --user daemon-reload && systemctl --user enable --now retrosync.service', deactivate: 'systemctl --user disable --now retrosync.service' };
}

export const command: Command = {
  name: 'autostart',
  summary: 'start the daemon at login (install | uninstall)',
  usage: 'usage: retrosync autostart install|uninstall [--os linux|darwin|win32]\n\nWrites a systemd user unit (Linux, Steam Deck), a LaunchAgent (macOS) or a Startup entry (Windows).',
  options: { os: { type: 'string' } },
  async run(values, pos, io) {
    const action = pos[0];
    if (action !== 'install' && action !== 'uninstall') throw new UsageError('say install or uninstall');
    const os = (values.os ?? (process.platform === 'darwin' || process.platform === 'win32' ? process.platform : 'linux')) as Os;
    if (!['linux', 'darwin', 'win32'].includes(os)) throw new UsageError('--os is linux, darwin or win32');
    const t = target(os, io.env, io.home);
    if (action === 'uninstall') {
      await fsp.rm(t.file, { force: true });
      io.out(`Removed ${t.file}. To stop it now: ${t.deactivate}`);
      return EXIT.ok;
    }
    const paths = homePaths(io.env as NodeJS.ProcessEnv);
    const launch: Launch = {
      node: process.execPath,
      script: fileURLToPath(new URL('../../../bin/retrosync.js', import.meta.url)),
      env: io.env.RETROSYNC_HOME ? { RETROSYNC_HOME: paths.home } : {},
    };
    const text = os === 'darwin' ? launchAgent(launch, paths.log) : os === 'win32' ? windowsStartup(launch) : systemdUnit(launch);
    await fsp.mkdir(dirname(t.file), { recursive: true });
    await fsp.writeFile(t.file, text, { mode: 0o644 });
    io.out(`Wrote ${t.file}.`);
    io.out(`Activate it: ${t.activate}`);
    return EXIT.ok;
  },
};
