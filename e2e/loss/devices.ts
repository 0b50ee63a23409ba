/**
 * The devices of a loss schedule, each a temp folder standing for a card ("/" of the device) plus
 * its client's home, reaching the server through its own {@link Link}:
 * - `minui`: the desktop client `retrosync` on a MinUI card (a folder per system),
 * - `onion`: the desktop client `retrosync` on an Onion card (a folder per core, other names),
 * - `shell`: the shell client under busybox sh (PATH = busybox applets + curl) on a MinUI card,
 * - `flat` (the `flat` feature): the desktop client on a RetroArch-for-Linux home whose saves
 *   folder is flat, with GBA ROMs only in its ROM folder: `Tetris.srm` there is the GBA game, and
 *   the NES Tetris the other devices sync must never be read, uploaded or written at that path.
 * Every pass is a real process started for that pass, killable with SIGKILL (its whole process
 * group: the shell's curl children die with it, as on a power cut).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyboxBin, SHELL_DIR, shEnv } from '../../clients/shell/test/busybox-env.js';
import type { Link } from './proxy.js';
import { nodeArgs, REPO } from './runtime.js';

export type DeviceName = 'minui' | 'onion' | 'shell' | 'flat';
export const DEVICE_NAMES: readonly DeviceName[] = ['minui', 'onion', 'shell'];

/** A save: `<system>/<game>` (its key is `<system>/<game>/battery`). */
export type SaveId = `${'gba' | 'nes'}/${string}`;

/** Where each layout keeps battery saves: folder (under the card) and file suffix, per system. */
const LAYOUTS: Record<DeviceName, Partial<Record<'gba' | 'nes', { dir: string; suffix: string }>>> = {
  minui: { gba: { dir: 'mnt/SDCARD/Saves/GBA', suffix: '.gba.sav' }, nes: { dir: 'mnt/SDCARD/Saves/FC', suffix: '.nes.sav' } },
  shell: { gba: { dir: 'mnt/SDCARD/Saves/GBA', suffix: '.gba.sav' }, nes: { dir: 'mnt/SDCARD/Saves/FC', suffix: '.nes.sav' } },
  onion: { gba: { dir: 'mnt/SDCARD/Saves/CurrentProfile/saves/gpSP', suffix: '.srm' }, nes: { dir: 'mnt/SDCARD/Saves/CurrentProfile/saves/FCEUmm', suffix: '.srm' } },
  // One flat folder: every .srm there is a GBA game (its ROM is in ROMs/gba).
  flat: { gba: { dir: 'home/user/.config/retroarch/saves', suffix: '.srm' } },
};
const FLAT_HOME = '/home/user';
const FLAT_ROMS = 'home/user/ROMs';

export interface PassResult {
  status: number | null;
  killed: boolean;
  timedOut: boolean;
  ms: number;
  stdout: string;
  stderr: string;
  /**
   * The pass left everything it could in sync: exit 0, or (the flat device) exit 1 only because
   * saves it cannot hold were not applied — by design: `sync` never says "in sync" then.
   */
  settled: boolean;
}

export class Device {
  readonly base: string;
  readonly root: string;
  readonly home: string;
  /** The device clock's distance from the simulated "true" time (a reset sets it far negative). */
  skewMs = 0;
  bootId: string;
  private boots = 0;
  /** The last pass's start and end on this device's clock (the FAT rewrite needs them). */
  lastPass: { start: number; end: number } | undefined;
  /** The player deleted a save since the last pass (a second one could look like a mass vanishing). */
  deletedSinceLastPass = false;

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
    for (const l of Object.values(LAYOUTS[name])) mkdirSync(join(this.root, l.dir), { recursive: true });
    if (name === 'onion') {
      mkdirSync(join(this.root, 'mnt/SDCARD/.tmp_update/onionVersion'), { recursive: true });
      writeFileSync(join(this.root, 'mnt/SDCARD/.tmp_update/onionVersion/version.txt'), '4.3.1-1');
    } else if (name === 'flat') {
      mkdirSync(join(this.root, FLAT_ROMS, 'gba'), { recursive: true });
      // RetroArch before 1.16 (or with the sort keys off): one folder for every system's saves.
      writeFileSync(join(this.root, 'home/user/.config/retroarch/retroarch.cfg'), 'sort_savefiles_enable = "false"\nsort_savefiles_by_content_enable = "false"\n');
    } else {
      mkdirSync(join(this.root, 'mnt/SDCARD/.system/miyoomini'), { recursive: true });
      writeFileSync(join(this.root, 'mnt/SDCARD/.system/version.txt'), 'MinUI-20250101-0\n');
    }
  }

  /**
   * ROMs, as players have them: the flat device's ROM folder holds only the GBA games (so its
   * `Tetris.srm` is the GBA one); the Onion card holds all (its FCEUmm folder serves nes and fds,
   * and only the ROM tells which).
   */
  addRoms(saves: readonly SaveId[]): void {
    for (const save of saves) {
      const [system, game] = save.split('/') as [string, string];
      const file = `${game}.${system}`;
      if (this.name === 'flat' && system === 'gba') writeRom(join(this.root, FLAT_ROMS, 'gba', file));
      if (this.name === 'onion') writeRom(join(this.root, 'mnt/SDCARD/Roms', system === 'nes' ? 'FC' : 'GBA', file));
    }
  }

  get kind(): 'desktop' | 'shell' {
    return this.name === 'shell' ? 'shell' : 'desktop';
  }

  /** Where this device keeps a save, or null when it cannot hold it (the flat device: NES). */
  pathOf(save: SaveId): string | null {
    const [system, game] = save.split('/') as ['gba' | 'nes', string];
    const l = LAYOUTS[this.name][system];
    return l ? join(this.root, l.dir, `${game}${l.suffix}`) : null;
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
    const env: Record<string, string> = { ...(process.env as Record<string, string>), RETROSYNC_HOME: this.home, XDG_CONFIG_HOME: join(this.base, 'xdg'), ...test };
    if (this.name === 'flat') {
      // RetroArch's own folders, as the device (under --root) sees them.
      env.HOME = FLAT_HOME;
      delete env.XDG_CONFIG_HOME;
    }
    return env;
  }

  private argv(args: string[]): [string, string[]] {
    if (this.kind === 'shell') return [join(busyboxBin(), 'sh'), args];
    return [process.execPath, [...nodeArgs('cli', 'main'), ...args]];
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
        resolve({ status, killed, timedOut, ms: Date.now() - started, stdout, stderr, settled: status === 0 && !killed && !timedOut });
      });
    });
  }

  async pair(code: string): Promise<void> {
    const r =
      this.kind === 'shell'
        ? await this.run([join(SHELL_DIR, 'setup.sh'), '--server', this.link.url, '--code', code, '--name', this.name, '--root', this.root])
        : await this.run(['pair', code, '--server', this.link.url, '--name', this.name, '--root', this.root, '--json', ...(this.name === 'flat' ? ['--platform', 'retroarch_linux', '--rom-root', join(this.root, FLAT_ROMS)] : [])]);
    if (r.status !== 0) throw new Error(`pairing ${this.name} failed (${r.status}): ${r.stdout}${r.stderr}`);
  }

  /** One sync pass (`retrosync sync` / `daemon.sh --once`). */
  async pass(opts: { killAfterMs?: number; timeoutMs?: number } = {}): Promise<PassResult> {
    const start = this.now();
    const r = await this.run(this.kind === 'shell' ? [join(SHELL_DIR, 'daemon.sh'), '--once'] : ['sync', '--json'], opts);
    if (r.status === 1 && !r.killed && !r.timedOut && this.kind === 'desktop') r.settled = this.onlyUnholdable(r.stdout);
    this.lastPass = { start, end: this.now() };
    this.deletedSinceLastPass = false;
    return r;
  }

  private onlyUnholdable(stdout: string): boolean {
    try {
      const r = JSON.parse(stdout) as { failed?: unknown[]; unapplied?: { key: string }[]; held?: unknown; quotaPaused?: boolean };
      const unapplied = r.unapplied ?? [];
      return (r.failed ?? []).length === 0 && !r.held && !r.quotaPaused && unapplied.length > 0 && unapplied.every((u) => this.pathOf(u.key.split('/').slice(0, 2).join('/') as SaveId) === null);
    } catch {
      return false;
    }
  }

  /** What `status` says is pending (desktop: `retrosync status --json`; shell: a last pass and its status file). */
  async pending(): Promise<string[]> {
    if (this.kind === 'shell') {
      // A pass must find nothing to do, and the status file it writes must list nothing pending.
      const r = await this.pass({ timeoutMs: 60_000 });
      if (r.status !== 0) return [`daemon.sh --once exit ${r.status}: ${lastLines(this.log(), 6)}`];
      const file = join(this.home, 'status');
      if (!existsSync(file)) return [];
      const rows = readFileSync(file, 'utf8').split('\n').map((l) => l.split('\t'));
      const out = rows.filter((f) => f[0] === 'save' && f[2] === 'pending').map((f) => `${f[1]} ${f[2]} ${f[4] ?? ''}`);
      const state = rows.find((f) => f[0] === 'state')?.[1];
      if (state && state !== 'idle' && state !== 'stopped') out.push(`state ${state}`);
      return out;
    }
    const r = await this.run(['status', '--json']);
    if (r.status !== 0) return [`status exit ${r.status}: ${r.stderr.trim()}`];
    const s = JSON.parse(r.stdout) as { pending: { newFiles: string[]; changed: string[]; missing: string[]; unclear: { path: string; reason: string }[] }; lastError: string | null; paused: unknown };
    const out = [...s.pending.newFiles.map((f) => `new ${f}`), ...s.pending.changed.map((f) => `changed ${f}`), ...s.pending.missing.map((f) => `missing ${f}`)];
    if (s.paused) out.push(`paused ${JSON.stringify(s.paused)}`);
    return out;
  }

  /** Save files on the card, in the folders this device's layout keeps saves in (temp files excluded). */
  saveFiles(): { save: SaveId; path: string; bytes: Buffer }[] {
    const out: { save: SaveId; path: string; bytes: Buffer }[] = [];
    for (const [system, l] of Object.entries(LAYOUTS[this.name])) {
      const dir = join(this.root, l.dir);
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir)) {
        if (!f.endsWith(l.suffix) || f.startsWith('.')) continue;
        const path = join(dir, f);
        out.push({ save: `${system as 'gba' | 'nes'}/${f.slice(0, -l.suffix.length)}`, path, bytes: readFileSync(path) });
      }
    }
    return out;
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

function writeRom(path: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, 'rom');
}

export function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}
