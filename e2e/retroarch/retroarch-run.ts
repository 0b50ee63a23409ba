/**
 * Runs the real RetroArch of a cached Debian chroot (scripts/retroarch-chroot.sh) under Xvfb and
 * `dbus-run-session`, with Cloud Sync pointed at a server. The chroot's /proc and /dev are
 * mounted in private mount and PID namespaces (`unshare --mount --pid`), so nothing stays
 * mounted or running when it ends. The RetroArch home lives inside the chroot (`<chroot>/tmp/<name>`); callers read and
 * write its files from outside through `hostPath`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CHROOT_CACHE = process.env.RETROARCH_CACHE ?? '/work/cache/retroarch';
/** The Debian suites and the RetroArch each ships; RETROARCH_SUITES=trixie narrows the run. */
export const SUITES = [
  { suite: 'trixie', version: '1.20.0' },
  { suite: 'sid', version: '1.22.2' },
].filter((s) => !process.env.RETROARCH_SUITES || process.env.RETROARCH_SUITES.split(',').includes(s.suite));

/** Why the real-binary tests cannot run here, or null when they can. */
export function chrootMissing(suite: string): string | null {
  const root = join(CHROOT_CACHE, suite);
  if (process.getuid?.() !== 0) return 'needs root (chroot, unshare)';
  if (!existsSync(join(root, '.retrosync-ready'))) return `no RetroArch chroot at ${root}: build it with "sudo scripts/retroarch-chroot.sh ${suite}"`;
  for (const tool of ['/usr/bin/unshare', '/usr/sbin/chroot']) if (!existsSync(tool)) return `${tool} is missing`;
  return null;
}

export interface RetroArchHome {
  suite: string;
  /** Path of the home inside the chroot. */
  inside: string;
  /** The same folder seen from the host. */
  host: string;
  hostPath(rel: string): string;
}

export function makeHome(suite: string, name: string): RetroArchHome {
  const inside = `/tmp/${name}`;
  const host = join(CHROOT_CACHE, suite, inside.slice(1));
  rmSync(host, { recursive: true, force: true });
  for (const d of ['saves', 'states', 'roms/gb', 'system', 'config']) mkdirSync(join(host, d), { recursive: true });
  return { suite, inside, host, hostPath: (rel) => join(host, rel) };
}

export interface RunOptions {
  /** The server's /dav/ URL as RetroArch should see it. */
  davUrl: string;
  username: string;
  password: string;
  /** ROM path relative to the home; loaded with the Gambatte core when given. */
  content?: string;
  /** Frames to run content before quitting (RetroArch's --max-frames). */
  frames?: number;
  /** Seconds to wait for a run without content (it syncs at start, then is stopped). */
  idleSeconds?: number;
  destructive?: boolean;
}

export interface RunResult {
  code: number | null;
  log: string;
}

function config(home: RetroArchHome, o: RunOptions): string {
  const lines: Record<string, string> = {
    libretro_directory: '/usr/lib/x86_64-linux-gnu/libretro',
    libretro_info_path: '/usr/share/libretro/info',
    savefile_directory: `${home.inside}/saves`,
    savestate_directory: `${home.inside}/states`,
    system_directory: `${home.inside}/system`,
    rgui_browser_directory: `${home.inside}/roms`,
    sort_savefiles_enable: 'false',
    sort_savestates_enable: 'false',
    sort_savefiles_by_content_enable: 'true',
    sort_savestates_by_content_enable: 'true',
    savefile_compression: 'false',
    save_file_compression: 'false',
    savestate_auto_save: 'false',
    savestate_auto_load: 'false',
    cloud_sync_enable: 'true',
    cloud_sync_driver: 'webdav',
    cloud_sync_destructive: o.destructive ? 'true' : 'false',
    cloud_sync_sync_saves: 'true',
    cloud_sync_sync_configs: 'false',
    cloud_sync_sync_thumbs: 'false',
    cloud_sync_sync_system: 'false',
    webdav_url: o.davUrl,
    webdav_username: o.username,
    webdav_password: o.password,
    video_driver: 'gl',
    audio_driver: 'null',
    menu_driver: 'rgui',
    pause_nonactive: 'false',
    config_save_on_exit: 'false',
    network_cmd_enable: 'false',
    log_verbosity: 'true',
    frontend_log_level: '0',
  };
  return Object.entries(lines).map(([k, v]) => `${k} = "${v}"`).join('\n') + '\n';
}

export async function runRetroArch(home: RetroArchHome, o: RunOptions): Promise<RunResult> {
  const root = join(CHROOT_CACHE, home.suite);
  writeFileSync(home.hostPath('retroarch.cfg'), config(home, o));
  const args = ['--verbose', '--config', `${home.inside}/retroarch.cfg`];
  if (o.content) args.push('--max-frames', String(o.frames ?? 120), '-L', '/usr/lib/x86_64-linux-gnu/libretro/gambatte_libretro.so', `${home.inside}/${o.content}`);
  const ra = ['retroarch', ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  // Inside the chroot: a virtual X server, a session bus, RetroArch. Without content it is
  // stopped after `idleSeconds` (it has synced at start by then); with content --max-frames ends it.
  const inner = [
    'export HOME=' + home.inside,
    'export XDG_RUNTIME_DIR=/tmp/xdg-$$; mkdir -p -m 700 $XDG_RUNTIME_DIR',
    'Xvfb :77 -screen 0 640x480x24 -nolisten tcp >/dev/null 2>&1 & xvfb=$!',
    'sleep 1',
    o.content
      ? `DISPLAY=:77 dbus-run-session -- ${ra} 2>&1; code=$?`
      : `DISPLAY=:77 dbus-run-session -- sh -c '${ra.replace(/'/g, `'\\''`)} 2>&1 & ra=$!; sleep ${o.idleSeconds ?? 8}; kill -TERM $ra; wait $ra'; code=$?`,
    'kill $xvfb 2>/dev/null; wait $xvfb 2>/dev/null',
    'exit $code',
  ].join('\n');
  const script = `set -e
mount --make-rprivate /
mount -t proc proc '${root}/proc'
mount --rbind /dev '${root}/dev'
exec chroot '${root}' /bin/sh -c '${inner.replace(/'/g, `'\\''`)}'`;
  return new Promise((resolve) => {
    // A private PID namespace too: when its first process ends, everything left in it (a
    // session bus, the X server) is killed, so no process outlives the run.
    const child = spawn('unshare', ['--mount', '--pid', '--fork', '--kill-child', '/bin/sh', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    if (process.env.RA_DEBUG) child.stdout.pipe(process.stderr);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, log });
    });
  });
}
