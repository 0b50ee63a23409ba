import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../cli/dispatch.js';
import { fakeIo } from '../../cli/test-support/io.js';

function hasSystemdAnalyze(): boolean {
  return spawnSync('systemd-analyze', ['--version']).status === 0;
}

describe('retrosync autostart', () => {
  it('writes a valid systemd user unit under XDG_CONFIG_HOME and removes it again', async () => {
    const xdg = mkdtempSync(join(tmpdir(), 'rs-xdg-'));
    const home = join(xdg, 'retrosync home');
    const io = { ...fakeIo(), env: { XDG_CONFIG_HOME: xdg, RETROSYNC_HOME: home } };
    expect(await run(['autostart', 'install', '--os', 'linux'], io)).toBe(0);
    const file = join(xdg, 'systemd', 'user', 'retrosync.service');
    const unit = readFileSync(file, 'utf8');
    expect(unit).toMatch(/^\[Service\]$/m);
    expect(unit).toMatch(/^WantedBy=default\.target$/m);
    const exec = /^ExecStart=(.*)$/m.exec(unit)?.[1] ?? '';
    expect(exec.startsWith(process.execPath)).toBe(true);
    expect(exec).toMatch(/bin\/retrosync\.js daemon$/);
    expect(existsSync(exec.split(' ')[1] as string)).toBe(true);
    expect(unit).toContain(`Environment="RETROSYNC_HOME=${home}"`);
    if (hasSystemdAnalyze()) {
      // `verify` (system mode: the user manager needs a login session) checks syntax and that ExecStart's binary exists; it exits non-zero on errors.
      const out = execFileSync('systemd-analyze', ['verify', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_CONFIG_HOME: xdg } });
      expect(out).not.toMatch(/error|invalid/i);
    }
    expect(await run(['autostart', 'uninstall', '--os', 'linux'], io)).toBe(0);
    expect(existsSync(file)).toBe(false);
  });

  it('writes a LaunchAgent plist and a Windows Startup script', async () => {
    const home = mkdtempSync(join(tmpdir(), 'rs-home-'));
    const io = { ...fakeIo(), home, env: { APPDATA: join(home, 'AppData') } };
    expect(await run(['autostart', 'install', '--os', 'darwin'], io)).toBe(0);
    const plist = readFileSync(join(home, 'Library/LaunchAgents/dev.retrosync.daemon.plist'), 'utf8');
    expect(plist).toContain('<string>daemon</string>');
    expect(plist).toContain('<key>RunAtLoad</key><true/>');
    expect(await run(['autostart', 'install', '--os', 'win32'], io)).toBe(0);
    const cmd = readFileSync(join(home, 'AppData/Microsoft/Windows/Start Menu/Programs/Startup/retrosync.cmd'), 'utf8');
    expect(cmd).toMatch(/start "RetroSync" \/min ".*" ".*retrosync\.js" daemon/);
  });

  it('refuses an unknown action', async () => {
    const io = fakeIo();
    expect(await run(['autostart', 'enable'], io)).toBe(64);
    expect(io.stderr.join('\n')).toMatch(/install or uninstall/);
  });
});
