/**
 * Paired shell-client devices for the issue 11 tests: an Onion Miyoo Mini (per-core save folders)
 * or a flat RetroArch folder (ArkOS-style), each a temp folder standing for "/", driven through
 * `daemon.sh --once` under busybox sh. A device clock can be set wrong the way an RTC-less
 * handheld's is: a `date` wrapper ahead of busybox in PATH (what every script sees, including
 * code that predates the RETROSYNC_TEST_CLOCK_OFFSET_MS knob; loss-guard.test.ts checks the knob).
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { busyboxBin, runShAsync, tempRoot, writeTree } from './busybox-env.js';
import type { newUser } from './server.js';

export const ONION_SAVES = '/mnt/SDCARD/Saves/CurrentProfile/saves';
export const ONION = { '/mnt/SDCARD/.tmp_update/onionVersion/version.txt': '4.3.1-1' };

export type User = Awaited<ReturnType<typeof newUser>>;

/** A folder holding only a `date` that reads the real clock moved by `offsetSeconds`. */
export function skewedDateBin(offsetSeconds: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'rs-clock-'));
  const bb = process.env.BUSYBOX ?? '/usr/bin/busybox';
  const script = `#!${join(busyboxBin(), 'sh')}
t=$(( $(${bb} date +%s) + ${offsetSeconds} ))
case $1 in +*) exec ${bb} date -d "@$t" "$@" ;; *) exec ${bb} date "$@" ;; esac
`;
  writeFileSync(join(dir, 'date'), script);
  chmodSync(join(dir, 'date'), 0o755);
  return dir;
}

export interface Device {
  root: string;
  home: string;
  env: Record<string, string>;
  file(p: string): string;
  write(p: string, content: string | Buffer, mtime?: Date): void;
  read(p: string): string;
  once(extra?: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }>;
  log(): string;
  backups(): string[];
  /** Sets this device's clock `seconds` off the real one (0: right), from the next pass on. */
  clock(seconds: number): void;
  apiKey(): string;
}

export async function pairDevice(user: User, serverUrl: string, name: string, tree: Record<string, string> = ONION, extra: Record<string, string> = {}, setupArgs: string[] = []): Promise<Device> {
  const root = tempRoot('rs-loss-');
  writeTree(root, tree);
  const home = join(root, 'home');
  // RS_DEBOUNCE=0: the tests write a save and sync at once (daemon.test.ts checks the debounce).
  const env: Record<string, string> = { RETROSYNC_HOME: home, RS_DEBOUNCE: '0', ...extra };
  const r = await runShAsync('setup.sh', ['--server', serverUrl, '--code', await user.pairingCode(), '--name', name, '--root', root, ...setupArgs], { env });
  expect(r.status, r.stderr).toBe(0);
  let clockEnv: Record<string, string> = {};
  const d: Device = {
    root,
    home,
    env,
    file: (p) => join(root, p),
    write(p, content, mtime) {
      writeTree(root, { [p]: content });
      if (mtime) utimesSync(join(root, p), mtime, mtime);
    },
    read: (p) => readFileSync(join(root, p), 'utf8'),
    once: (more = {}) => runShAsync('daemon.sh', ['--once'], { env: { ...env, ...clockEnv, ...more } }),
    log: () => (existsSync(join(home, 'retrosync.log')) ? readFileSync(join(home, 'retrosync.log'), 'utf8') : ''),
    backups() {
      const dir = join(home, 'backups');
      if (!existsSync(dir)) return [];
      return readdirSync(dir).flatMap((s) => readdirSync(join(dir, s)).map((f) => readFileSync(join(dir, s, f), 'utf8')));
    },
    clock(seconds) {
      clockEnv = seconds === 0 ? {} : { PATH: `${skewedDateBin(seconds)}:${busyboxBin()}` };
    },
    apiKey: () => /^RS_API_KEY='([0-9a-f]{64})'$/m.exec(readFileSync(join(home, 'config'), 'utf8'))?.[1] ?? '',
  };
  return d;
}

export function mtimeOf(path: string): Date {
  return statSync(path).mtime;
}

/** Every version of a save on the server (newest first). */
export async function versionsOf(user: User, key: string) {
  try {
    return await user.versions(key);
  } catch {
    return [];
  }
}
