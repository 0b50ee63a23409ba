/**
 * Runs schedules against one server process (a batch) and checks the invariant after each:
 * 1. every content a device held when a pass could see it exists as a server version (its bytes
 *    downloadable) or in a device's backups — unless retention could lawfully drop it (last seen
 *    more than RETENTION_DAYS of simulated time ago);
 * 2. after a quiet convergence round, every device holds the head of every save (no file for a
 *    deleted head);
 * 3. `status` reports nothing pending (the shell client: a pass exits 0).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Player } from './api.js';
import { Device, lastLines, type DeviceName, type PassResult, type SaveId } from './devices.js';
import { Ledger, sha256 } from './ledger.js';
import { startLink, type Link } from './proxy.js';
import { Rng } from './rng.js';
import { describeStep, devicesFor, generate, SAVES, type Feature, type Step } from './schedule.js';
import { ServerProc } from './server-proc.js';

export interface BatchOptions {
  features: readonly Feature[];
  length: number;
  retentionDays: number;
  retentionVersions: number;
  /** Self-test only: destroy the server's blobs and every backup before the check (it must then report losses). */
  sabotage?: boolean;
}

export interface ScheduleResult {
  seed: number;
  features: readonly Feature[];
  steps: Step[];
  notes: string[];
  versions: number;
  conflicts: number;
  contents: number;
  expired: number;
  lost: string[];
  problems: string[];
  /** How often each condition really happened (a skipped step does not count). */
  tally: Record<string, number>;
  ms: number;
}

const DAY = 86_400_000;
const PASS_TIMEOUT_MS = 45_000;
const STALL_KILL_MS = 2_000;

/** Deterministic bytes for an edit: a readable tag, then PRNG fill. */
function contentFor(seed: number, step: number, size: number, tag: string): Buffer {
  const b = Buffer.alloc(size);
  const rng = new Rng(seed * 7919 + step);
  for (let i = 0; i < size; i++) b[i] = rng.int(0, 255);
  Buffer.from(tag).copy(b, 0, 0, Math.min(tag.length, size));
  if (size > 0 && b.every((x) => x === 0)) b[0] = 1;
  return b;
}

export class Batch {
  private constructor(
    readonly server: ServerProc,
    private readonly options: BatchOptions,
  ) {}

  static async open(options: BatchOptions): Promise<Batch> {
    const server = new ServerProc({ retentionDays: options.retentionDays, retentionVersions: options.retentionVersions });
    await server.start();
    return new Batch(server, options);
  }

  async close(): Promise<void> {
    await this.server.stop();
    rmSync(this.server.dataDir, { recursive: true, force: true });
  }

  /** Simulated true time. */
  private now(): number {
    return Date.now() + this.server.offsetMs;
  }

  async run(seed: number): Promise<ScheduleResult> {
    const started = Date.now();
    this.tally = {};
    const steps = generate(seed, this.options.features, this.options.length);
    const notes: string[] = [];
    const ledger = new Ledger();
    const links: Link[] = [];
    const devices = new Map<DeviceName, Device>();
    const server = this.server;
    try {
      for (const name of devicesFor(this.options.features)) {
        const link = await startLink(server.port);
        links.push(link);
        const d = new Device(name, link, () => server.offsetMs);
        d.addRoms(SAVES);
        devices.set(name, d);
      }
      server.onPort = (port) => {
        for (const l of links) {
          l.target = port;
          l.cutAll();
        }
      };
      const player = await Player.register(() => server.url, `loss-${seed}-${Date.now()}@example.com`);
      for (const d of devices.values()) await d.pair(await player.pairingCode()); // one live code at a time

      // What a pass owes: everything on the card when a pass that succeeded started, and anything
      // a pass removed from the card (whatever its exit). Content still on the card after a failed
      // or killed pass is owed by the next pass; if the player overwrites it first, that was theirs.
      const pass = async (d: Device, step: number, opts: Parameters<Device['pass']>[0]) => {
        const before = d.saveFiles();
        const r = await d.pass(opts);
        const after = new Set(d.saveFiles().map((f) => sha256(f.bytes)));
        const ok = r.settled;
        for (const f of before) if (ok || !after.has(sha256(f.bytes))) ledger.see(f.bytes, { dev: d.name, save: f.save, step, now: this.now() });
        return r;
      };
      const dev = (n: DeviceName) => devices.get(n)!;
      const keyOf = async (save: SaveId) => (await player.saves()).find((s) => sameSave(s.key, save))?.key;

      for (const [i, step] of steps.entries()) {
        const note = await this.exec(seed, i, step, { dev, pass, player, keyOf });
        notes.push(`${String(i).padStart(3)} ${describeStep(step)}${note ? `  → ${note}` : ''}`);
      }

      // The quiet convergence round: good links, passes until a whole round changes nothing.
      for (const l of links) l.mode = { kind: 'ok' };
      const problems: string[] = [];
      let quiet = false;
      for (let round = 0; round < 5 && !quiet; round++) {
        const before = JSON.stringify([...devices.values()].map((d) => d.saveFiles().map((f) => [f.save, sha256(f.bytes)])));
        const heads = JSON.stringify(await player.saves());
        let allOk = true;
        for (const d of devices.values()) {
          const r = await pass(d, steps.length, { timeoutMs: PASS_TIMEOUT_MS });
          notes.push(`    converge round ${round} ${d.name}: exit ${r.status}${r.status !== 0 && r.settled ? ' (only saves it cannot hold unapplied)' : ''}${r.timedOut ? ' (timed out)' : ''} ${r.ms} ms`);
          if (!r.settled) allOk = false;
        }
        const after = JSON.stringify([...devices.values()].map((d) => d.saveFiles().map((f) => [f.save, sha256(f.bytes)])));
        quiet = allOk && before === after && heads === JSON.stringify(await player.saves());
      }
      if (!quiet) problems.push('no quiet round within 5 convergence rounds (a pass kept failing or kept changing something)');
      for (const d of devices.values()) for (const f of d.saveFiles()) ledger.see(f.bytes, { dev: d.name, save: f.save, step: steps.length, now: this.now() });

      if (this.options.sabotage) {
        rmSync(join(server.dataDir, 'blobs'), { recursive: true, force: true });
        for (const d of devices.values()) rmSync(join(d.home, 'backups'), { recursive: true, force: true });
        for (const d of devices.values()) for (const f of d.saveFiles()) writeFileSync(f.path, 'sabotaged');
      }
      // 1. Every content is kept.
      const serverShas = new Set<string>();
      let versions = 0;
      let conflicts = 0;
      const saves = await player.saves();
      for (const s of saves) {
        for (const v of await player.versions(s.key)) {
          versions++;
          if (v.conflict) conflicts++;
          if (!v.sha256 || v.deleted || serverShas.has(v.sha256)) continue;
          const bytes = await player.versionBytes(s.key, v.version);
          if (bytes && sha256(bytes) === v.sha256) serverShas.add(v.sha256);
          else problems.push(`${s.key} v${v.version}: listed, but its bytes ${bytes ? 'do not match its SHA-256' : 'cannot be downloaded'}`);
        }
      }
      const backupShas = new Set<string>();
      for (const d of devices.values()) for (const b of d.backupFiles()) backupShas.add(sha256(b));
      const lost: string[] = [];
      let expired = 0;
      for (const e of ledger.entries.values()) {
        if (serverShas.has(e.sha256) || backupShas.has(e.sha256)) continue;
        if (e.lastSeen < this.now() - this.options.retentionDays * DAY) {
          expired++;
          continue;
        }
        lost.push(`content ${e.sha256.slice(0, 12)} (${e.size} B${e.blank ? ', blank' : ''}) first held by ${e.dev} "${e.save}" at step ${e.step}: on no server version and in no backup`);
      }
      // A head holds bytes written for that save (a flat folder must not mix games).
      for (const s of saves) {
        const origin = s.sha256 ? ledger.entries.get(s.sha256) : undefined;
        if (origin && !origin.blank && !sameSave(s.key, origin.save as SaveId)) problems.push(`MIXED: the head of ${s.key} (v${s.version}) is content first held by ${origin.dev} as "${origin.save}" at step ${origin.step}`);
      }

      // 2. Every device holds the head.
      for (const d of devices.values()) {
        const files = new Map(d.saveFiles().map((f) => [f.save.toLowerCase(), f]));
        for (const f of files.values()) {
          const origin = ledger.entries.get(sha256(f.bytes));
          if (origin && !origin.blank && !sameSave(`${origin.save}/battery`, f.save)) problems.push(`MIXED: ${d.name}'s "${f.save}" file holds content first held by ${origin.dev} as "${origin.save}" at step ${origin.step}`);
        }
        for (const save of SAVES) {
          if (d.pathOf(save) === null) continue;
          const s = saves.find((x) => sameSave(x.key, save));
          const f = files.get(save.toLowerCase());
          if (!s) {
            if (f) problems.push(`${d.name} holds "${save}" but the server has no such save`);
          } else if (s.deleted || !s.sha256) {
            if (f) problems.push(`${d.name} still holds "${save}" whose head (v${s.version}) is a deletion`);
          } else if (!f) problems.push(`${d.name} lacks "${save}" (head v${s.version})`);
          else if (sha256(f.bytes) !== s.sha256) problems.push(`${d.name} "${save}" is ${sha256(f.bytes).slice(0, 12)}, not the head v${s.version} ${s.sha256.slice(0, 12)}`);
        }
        // 3. Nothing pending.
        for (const p of await d.pending()) problems.push(`${d.name} status: pending ${p}`);
      }
      return { seed, features: this.options.features, steps, notes, versions, conflicts, contents: ledger.entries.size, expired, lost, problems, tally: this.tally, ms: Date.now() - started };
    } catch (err) {
      // A schedule that cannot even run (a client that refuses an option, a server that will not
      // start) is a failure with its seed and schedule, not a crash of the whole soak.
      const problems = [`the schedule could not run: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`];
      return { seed, features: this.options.features, steps, notes, versions: 0, conflicts: 0, contents: ledger.entries.size, expired: 0, lost: [], problems, tally: this.tally, ms: Date.now() - started };
    } finally {
      server.onPort = () => {};
      for (const l of links) await l.close();
      for (const d of devices.values()) if (!process.env.LOSS_KEEP) rmSync(d.base, { recursive: true, force: true });
      if (this.serverDown) await server.start();
    }
  }

  private serverDown = false;
  private tally: Record<string, number> = {};
  private count(what: string): void {
    this.tally[what] = (this.tally[what] ?? 0) + 1;
  }

  private async exec(
    seed: number,
    i: number,
    step: Step,
    ctx: { dev: (n: DeviceName) => Device; pass: (d: Device, step: number, opts: Parameters<Device['pass']>[0]) => Promise<PassResult>; player: Player; keyOf: (s: SaveId) => Promise<string | undefined> },
  ): Promise<string> {
    const server = this.server;
    switch (step.op) {
      case 'edit': {
        const d = ctx.dev(step.dev);
        const p = d.pathOf(step.save);
        if (!p) return 'this device cannot hold it, skipped';
        // A same-step edit lands in the 2 s step the next pass is likely to read it in.
        const mtime = step.sameStep ? fatStep(d.now() + 1000) : step.fat ? fatStep(d.now()) : d.now();
        write(p, contentFor(seed, i, step.size, `${seed}:${i}:${step.dev}:${step.save}`), mtime);
        return '';
      }
      case 'rewrite': {
        const d = ctx.dev(step.dev);
        const p = d.pathOf(step.save);
        if (!p || !existsSync(p)) return 'no file, skipped';
        const st = statSync(p);
        const bytes = contentFor(seed, i, st.size, `${seed}:${i}:rewrite:${step.save}`);
        // Same step only if the last pass read the file within 2 s of its time: else, on FAT, a
        // write now gets a later time, and the client may trust (size, mtime).
        const last = d.lastPass;
        if (last && last.start - st.mtimeMs > -2000 && last.end - st.mtimeMs < 2000) {
          write(p, bytes, st.mtimeMs);
          this.count('same-step rewrites');
          return 'same size, same mtime (the last pass read it in this 2 s step)';
        }
        write(p, bytes, Math.max(fatStep(d.now()), st.mtimeMs + 2000));
        return `the last pass read it ${last ? `${((last.end - st.mtimeMs) / 1000).toFixed(1)} s` : 'never'} after its time: written in a later step`;
      }
      case 'blank': {
        const d = ctx.dev(step.dev);
        const p = d.pathOf(step.save);
        if (!p) return 'this device cannot hold it, skipped';
        const size = step.blank === 'empty' ? 0 : Math.max(1, step.size);
        this.count('blank saves');
        write(p, Buffer.alloc(size, step.blank === 'ff' ? 0xff : 0), d.now());
        return '';
      }
      case 'delete': {
        const d = ctx.dev(step.dev);
        // The player deletes this save, or (when the card does not hold it) the first one it holds.
        const p = [step.save, ...SAVES].map((x) => d.pathOf(x)).find((x): x is string => x !== null && existsSync(x));
        if (!p) return 'no file, skipped';
        // One save at a time, from a folder that keeps at least half of its saves: more at once is
        // a mass vanishing that clients rightly refuse to read as deletions (the protocol's guard).
        const inFolder = readdirSync(dirname(p)).filter((f) => !f.startsWith('.')).length;
        if (d.deletedSinceLastPass || inFolder < 2) return 'would look like a mass vanishing (held by design), skipped';
        unlinkSync(p);
        d.deletedSinceLastPass = true;
        this.count('deletions');
        return p.endsWith(d.pathOf(step.save) ?? '\0') ? '' : `deleted ${p.slice(d.root.length)} instead`;
      }
      case 'sync': {
        const d = ctx.dev(step.dev);
        const stalled = d.link.mode.kind === 'stall';
        const killAfterMs = stalled ? Math.min(step.killAfterMs ?? STALL_KILL_MS, STALL_KILL_MS) : step.killAfterMs;
        const serverKill = step.serverKillAfterMs !== undefined ? setTimeout(() => void server.kill9().then(() => (this.serverDown = true)), step.serverKillAfterMs) : undefined;
        if (killAfterMs !== undefined) this.count(stalled ? 'stalled passes killed' : 'client kill -9');
        if (step.serverKillAfterMs !== undefined) this.count('server kill -9 mid-pass');
        if (d.link.mode.kind !== 'ok') this.count(`passes over a ${d.link.mode.kind} link`);
        const r = await ctx.pass(d, i, { ...(killAfterMs !== undefined ? { killAfterMs } : {}), timeoutMs: PASS_TIMEOUT_MS });
        if (serverKill) {
          clearTimeout(serverKill);
          await server.kill9();
          await server.start();
          this.serverDown = false;
        }
        return `exit ${r.status}${r.killed ? ' (killed)' : ''}${r.timedOut ? ' (TIMED OUT)' : ''} ${r.ms} ms${r.status !== 0 && !r.killed ? ` ${lastLines(r.stderr || r.stdout, 1).slice(0, 160)}` : ''}`;
      }
      case 'clock': {
        const d = ctx.dev(step.dev);
        const c = step.change;
        if (c.kind === 'reset') d.skewMs = c.to - (Date.now() + server.offsetMs);
        else if (c.kind === 'jump') d.skewMs += c.hours * 3600_000;
        else if (c.kind === 'fix') d.skewMs = 0;
        if (c.kind !== 'jump') d.reboot();
        this.count(`clock ${c.kind === 'fix' ? 'fixes' : `${c.kind}s`}`);
        return `device clock ${new Date(d.now()).toISOString()}`;
      }
      case 'link':
        ctx.dev(step.dev).link.mode = step.mode;
        return '';
      case 'restore': {
        const key = await ctx.keyOf(step.save);
        if (!key) return 'no such save yet, skipped';
        const candidates = (await ctx.player.versions(key)).filter((v) => !v.head && v.sha256 && !v.deleted);
        if (candidates.length === 0) return 'no older version, skipped';
        const v = candidates[step.pick % candidates.length]!;
        this.count('restores');
        return `v${v.version}: ${await ctx.player.restore(key, v.version)}`;
      }
      case 'retention':
        this.count('retention runs');
        return `maintenance ${await server.advance(step.days)}`;
      case 'killServer':
        this.count('server kill -9');
        await server.kill9();
        await server.start();
        return '';
    }
  }
}

/** A FAT file time: 2-second steps. */
const fatStep = (ms: number) => Math.floor(ms / 2000) * 2000;

/** Does a server key (`<system>/<game>/<kind>`, canonical form) name this save? */
function sameSave(key: string, save: SaveId): boolean {
  const [system, game] = key.split('/');
  return `${system}/${game}`.toLowerCase() === save.toLowerCase();
}

function write(path: string, bytes: Buffer, mtimeMs: number): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  const t = new Date(Math.max(0, mtimeMs));
  utimesSync(path, t, t);
}

/** The failure report: seed, how to replay, the schedule with what each step did, what broke. */
export function report(r: ScheduleResult): string {
  return [
    `schedule seed ${r.seed} (features: ${r.features.join(', ')}) — replay: LOSS_SEED=${r.seed} LOSS_FEATURES=${r.features.join(',')} npm run soak:loss`,
    ...r.notes,
    ...r.lost.map((l) => `LOST: ${l}`),
    ...r.problems.map((p) => `NOT CONVERGED: ${p}`),
  ].join('\n');
}
