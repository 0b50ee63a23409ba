/**
 * Runs the shell client the way a handheld does: `sh` is busybox ash, and PATH holds nothing but
 * busybox applet links and curl (no bash, no GNU coreutils, no jq/python).
 */
import { execFileSync, spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHELL_DIR = fileURLToPath(new URL('..', import.meta.url));
export const REPO = join(SHELL_DIR, '..', '..');
const BUSYBOX = process.env.BUSYBOX ?? '/usr/bin/busybox';
const CURL = process.env.CURL ?? '/usr/bin/curl';

let binDir: string | undefined;

/** A folder of busybox applet symlinks plus curl: the only PATH the scripts get. */
export function busyboxBin(): string {
  if (binDir) return binDir;
  const dir = mkdtempSync(join(tmpdir(), 'rs-bb-'));
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const a of applets) symlinkSync(BUSYBOX, join(dir, a));
  symlinkSync(CURL, join(dir, 'curl'));
  binDir = dir;
  return dir;
}

export function shEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: busyboxBin(), HOME: tmpdir(), TMPDIR: tmpdir(), LC_ALL: 'C', ...extra };
}

/** Runs `sh <script> args…` (busybox ash) synchronously. */
export function runSh(script: string, args: string[], opts: { env?: Record<string, string>; input?: string; timeout?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(join(busyboxBin(), 'sh'), [join(SHELL_DIR, script), ...args], {
    env: shEnv(opts.env),
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: opts.timeout ?? 60_000,
  });
}

/** Runs `sh <script> args…` without blocking the event loop (the server runs in this process). */
export function runShAsync(script: string, args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(join(busyboxBin(), 'sh'), [join(SHELL_DIR, script), ...args], { env: shEnv(opts.env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** Creates files under root (device paths; a path ending in "/" is a folder). */
export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [p, content] of Object.entries(files)) {
    const full = join(root, p.replace(/^[A-Za-z]:/, ''));
    if (p.endsWith('/')) {
      mkdirSync(full, { recursive: true });
    } else {
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
  }
}

export function tempRoot(prefix = 'rs-root-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
