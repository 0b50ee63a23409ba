/**
 * The three devices of a loss schedule, each a temp folder standing for a card ("/" of the
 * device) plus its client's home, reaching the server through its own {@link Link}:
 * - `minui`: the desktop client `retrosync` on a MinUI card,
 * - `onion`: the desktop client `retrosync` on an Onion card (other folders, names, extensions),
 * - `shell`: the shell client under busybox sh (PATH = busybox applets + curl) on a MinUI card.
 * Every pass is a real process started for that pass, killable with SIGKILL (its whole process
 * group: the shell's curl children die with it, as on a power cut).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyboxBin, SHELL_DIR, shEnv } from '../../clients/shell/test/busybox-env.js';
import type { Link } from './proxy.js';
import { REPO } from './server-proc.js';

export type DeviceName = 'minui' | 'onion' | 'shell';
export const DEVICE_NAMES: readonly DeviceName[] = ['minui', 'onion', 'shell'];

const CLI_MAIN = join(REPO, 'packages/cli/src/main.ts');
const MINUI_SAVES = 'mnt/SDCARD/Saves/GBA';
const ONION_SAVES = 'mnt/SDCARD/Saves/CurrentProfile/saves/gpSP';

export interface PassResult {
  status: number | null;
  killed: boolean;
  timedOut: boolean;
  ms: number;
  stdout: string;
  stderr: string;
}

export class Device {
  readonly base: string;
  readonly root: string;
  readonly home: string;
  /** The device clock's distance from the simulated "true" time (a reset sets it far negative). */
  skewMs = 0;
  bootId: string;
  private boots = 0;

  constructor(
    readonly name: DeviceName,
    readonly link: Link,
    /** The simulated true time's distance from real time (accelerated retention moves it). */
    private readonly globalOffset: () => number,
  ) {
    this.base = mkdtempSync(join(tmpdir(), `rs-loss-${name}-`));
    this.root = join(this.base, 'card');
    this.home = join(this.base, 'home');
    this.bootId = `${name}-boot-0`;
    if (name === 'onion') {
      mkdirSync(join(this.root, ONION_SAVES), { recursive: true });
      mkdirSync(join(this.root, 'mnt/SDCARD/.tmp_update/onionVersion'), { recursive: true });
      writeFileSync(join(this.root, 'mnt/SDCARD/.tmp_update/onionVersion/version.txt'), '4.3.1-1');
    } else {
      mkdirSync(join(this.root, MINUI_SAVES), { recursive: true });
      mkdirSync(join(this.root, 'mnt/SDCARD/.system/miyoomini'), { recursive: true });
      writeFileSync(join(this.root, 'mnt/SDCARD/.system/version.txt'), 'MinUI-20250101-0\n');
    }
  }

  get kind(): 'desktop' | 'shell' {
    return this.name === 'shell' ? 'shell' : 'desktop';
  }

  /** The folder this device keeps GBA saves in. */
  get saveDir(): string {
    return join(this.root, this.name === 'onion' ? ONION_SAVES : MINUI_SAVES);
  }

  /** Where this device keeps the battery save of a GBA game. */
  pathOf(game: string): string {
    return join(this.saveDir, this.name === 'onion' ? `${game}.srm` : `${game}.gba.sav`);
  }

  /** The device's clock now (epoch ms). */
  now(): number {
    return Date.now() + this.globalOffset() + this.skewMs;
  }

  /** A reboot: a new boot id (the clock keeps its skew). */
  reboot(): void {
    this.bootId = `${this.name}-boot-${++this.boots}`;
  }

  env(): Record<string, string> {
    const test = { RETROSYNC_TEST_CLOCK_OFFSET_MS: String(this.globalOffset() + this.skewMs), RETROSYNC_TEST_BOOT_ID: this.bootId };
    if (this.kind === 'shell') return shEnv({ RETROSYNC_HOME: this.home, RS_DEBOUNCE: '0', ...test });
    return { ...(process.env as Record<string, string>), RETROSYNC_HOME: this.home, XDG_CONFIG_HOME: join(this.base, 'xdg'), ...test };
  }

  private argv(args: string[]): [string, string[]] {
    if (this.kind === 'shell') return [join(busyboxBin(), 'sh'), args];
    return [process.execPath, ['--conditions=source', '--import', 'tsx', CLI_MAIN, ...args]];
  }

  /** Runs the client with `args`; SIGKILLs its process group after `killAfterMs` or `timeoutMs`. */
  run(args: string[], opts: { killAfterMs?: number; timeoutMs?: number } = {}): Promise<PassResult> {
    const [cmd, argv] = this.argv(args);
    const started = Date.now();
    return new Promise((resolve) => {
      const child = spawn(cmd, argv, { cwd: REPO, env: this.env(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let stdout = '';
      let stderr = '';
      let killed = false;
      let timedOut = false;
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const kill = () => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      };
      const timers: NodeJS.Timeout[] = [];
      if (opts.killAfterMs !== undefined) timers.push(setTimeout(() => ((killed = true), kill()), opts.killAfterMs));
      timers.push(setTimeout(() => ((timedOut = true), kill()), opts.timeoutMs ?? 60_000));
      child.on('close', (status) => {
        for (const t of timers) clearTimeout(t);
        kill(); // leftovers of the group (a curl the shell left behind)
        resolve({ status, killed, timedOut, ms: Date.now() - started, stdout, stderr });
      });
    });
  }

  async pair(code: string): Promise<void> {
    const r =
      this.kind === 'shell'
        ? await this.run([join(SHELL_DIR, 'setup.sh'), '--server', this.link.url, '--code', code, '--name', this.name, '--root', this.root])
        : await this.run(['pair', code, '--server', this.link.url, '--name', this.name, '--root', this.root, '--json']);
    if (r.status !== 0) throw new Error(`pairing ${this.name} failed (${r.status}): ${r.stdout}${r.stderr}`);
  }

  /** One sync pass (`retrosync sync` / `daemon.sh --once`). */
  pass(opts: { killAfterMs?: number; timeoutMs?: number } = {}): Promise<PassResult> {
    return this.run(this.kind === 'shell' ? [join(SHELL_DIR, 'daemon.sh'), '--once'] : ['sync', '--json'], opts);
  }

  /** What `status` says is pending (desktop: `retrosync status --json`; shell: a pass must find nothing to do). */
  async pending(): Promise<string[]> {
    if (this.kind === 'shell') {
      const r = await this.pass({ timeoutMs: 60_000 });
      return r.status === 0 ? [] : [`daemon.sh --once exit ${r.status}: ${lastLines(this.log(), 6)}`];
    }
    const r = await this.run(['status', '--json']);
    if (r.status !== 0) return [`status exit ${r.status}: ${r.stderr.trim()}`];
    const s = JSON.parse(r.stdout) as { pending: { newFiles: string[]; changed: string[]; missing: string[]; unclear: { path: string; reason: string }[] }; lastError: string | null; paused: unknown };
    const out = [...s.pending.newFiles.map((f) => `new ${f}`), ...s.pending.changed.map((f) => `changed ${f}`), ...s.pending.missing.map((f) => `missing ${f}`)];
    if (s.paused) out.push(`paused ${JSON.stringify(s.paused)}`);
    return out;
  }

  /** Save files on the card: GBA battery saves this device's layout keeps (temp files excluded). */
  saveFiles(): { game: string; path: string; bytes: Buffer; mtimeMs: number }[] {
    if (!existsSync(this.saveDir)) return [];
    const suffix = this.name === 'onion' ? '.srm' : '.gba.sav';
    return readdirSync(this.saveDir)
      .filter((f) => f.endsWith(suffix) && !f.startsWith('.'))
      .map((f) => {
        const path = join(this.saveDir, f);
        return { game: f.slice(0, -suffix.length), path, bytes: readFileSync(path), mtimeMs: statSync(path).mtimeMs };
      });
  }

  /** Every file under the client's backups folder (what a player can still recover by hand). */
  backupFiles(): Buffer[] {
    const out: Buffer[] = [];
    const walk = (dir: string) => {
      if (!existsSync(dir)) return;
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile() && e.name !== 'origin.json') out.push(readFileSync(p));
      }
    };
    walk(join(this.home, 'backups'));
    return out;
  }

  log(): string {
    const p = join(this.home, 'retrosync.log');
    return existsSync(p) ? readFileSync(p, 'utf8') : '';
  }
}

export function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}
