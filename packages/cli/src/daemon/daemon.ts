/**
 * The foreground daemon: a file watcher (chokidar; polling where native watching fails) with a
 * 2 s debounce per file, a periodic full rescan, remote changes over SSE (long poll fallback),
 * and a heartbeat every 60 s. All sync work goes through one {@link PassRunner}.
 */
import { watch, type FSWatcher } from 'chokidar';
import { basename } from 'node:path';
import { ignoreReason } from '@retrosync/core';
import { syncPass, type PassResult } from '../engine/engine.js';
import type { EngineDeps } from '../engine/deps.js';
import { TEMP_PREFIX } from '../local-fs/files.js';
import type { Logger } from '../state/log.js';
import { explain } from '../session/errors.js';
import { Debouncer } from './debounce.js';
import { warnInUse } from '../engine/upload.js';
import { engineClock } from '../engine/deps.js';
import { RemoteListener } from './remote-listener.js';
import { passRequest, PassRunner, requestKind } from './runner.js';

export interface DaemonOptions {
  deps: EngineDeps;
  server: string;
  apiKey: string | (() => string);
  log: Logger;
  /** Rotates the device key (the dashboard asked for it); the remote uses the new key at once. */
  rotateKey?: () => Promise<void>;
  debounceMs?: number;
  rescanMs?: number;
  heartbeatMs?: number;
  /** Use stat polling instead of native events (network shares, some SD card mounts). */
  poll?: boolean;
  /** Runs before every pass (the daemon command re-reads the local sync filter from config.json). */
  beforePass?: () => Promise<void>;
  /** Machine-readable progress (`--json`): noticed / pass / ready events. */
  emit?: (event: Record<string, unknown>) => void;
}

export class Daemon {
  private watcher: FSWatcher | null = null;
  private readonly debouncer: Debouncer;
  private readonly runner: PassRunner;
  private readonly listener: RemoteListener;
  private timers: NodeJS.Timeout[] = [];
  private polling: boolean;
  private stopping = false;

  constructor(private readonly o: DaemonOptions) {
    this.polling = o.poll ?? false;
    const emit = o.emit ?? (() => undefined);
    this.runner = new PassRunner({
      run: async (opts) => {
        await o.beforePass?.();
        return syncPass(o.deps, opts);
      },
      onError: (err, ms) => o.log.warn(`sync failed: ${explain(err, o.server).message} Retrying in ${Math.round(ms / 1000)} s.`),
      onResult: (r: PassResult, req) => {
        // The watcher saw these saves change and they went up: this device is playing them.
        if (req.paths.length > 0 && r.uploaded.length > 0) void this.claim(r.uploaded);
        if (r.uploaded.length || r.downloaded.length || r.deleted.length || r.failed.length || r.unapplied.length)
          o.log.info(`pass (${requestKind(req)}): ${r.uploaded.length} up, ${r.downloaded.length} down, ${r.deleted.length} deleted, ${r.conflicts.length} conflicts, ${r.failed.length} failed, ${r.unapplied.length} not applied here`);
        emit({ event: 'pass', kind: requestKind(req), uploaded: r.uploaded, downloaded: r.downloaded, deleted: r.deleted, conflicts: r.conflicts, failed: r.failed.length, unapplied: r.unapplied.length, held: r.held, t: Date.now() });
      },
    });
    this.debouncer = new Debouncer(o.debounceMs ?? 2000, (paths) => {
      const t = Date.now();
      for (const p of paths) emit({ event: 'noticed', path: p, t });
      this.runner.request(passRequest({ paths }));
    });
    this.listener = new RemoteListener({
      server: o.server,
      apiKey: o.apiKey,
      remote: o.deps.remote,
      log: o.log,
      cursor: () => o.deps.state.data.cursor,
      onChange: (hint) => {
        if (hint) emit({ event: 'pushed', key: hint.key, version: hint.version, t: Date.now() });
        this.runner.request(passRequest({ remote: true, hints: hint ? [hint] : [] }));
      },
      onEvent: (name, data) => {
        const e = data as { deviceId?: string; state?: string };
        if (name === 'key' && e.deviceId === o.deps.remote.deviceId && e.state === 'requested') void this.rotate();
      },
    });
  }

  private rotating: Promise<void> | null = null;

  /** Rotates the key once at a time (the dashboard asked, by event or in a heartbeat reply). */
  private rotate(): Promise<void> {
    if (!this.o.rotateKey || this.rotating) return this.rotating ?? Promise.resolve();
    this.rotating = this.o
      .rotateKey()
      .then(() => {
        this.o.log.info('API key rotated as asked in the dashboard; the old key no longer works');
        this.o.emit?.({ event: 'key-rotated', t: Date.now() });
      })
      .catch((err) => this.o.log.warn(`key rotation failed (tried again at the next check-in): ${explain(err, this.o.server).message}`))
      .finally(() => (this.rotating = null));
    return this.rotating;
  }

  /** Claims the play lease on saves this device just wrote; warns when another device holds one. */
  private async claim(keys: string[]): Promise<void> {
    const { deps } = this.o;
    if (!deps.remote.claimLeases) return;
    try {
      const leases = await deps.remote.claimLeases(keys.slice(0, 32), 'write');
      const at = new Date(engineClock(deps).now()).toISOString();
      const contended = leases.filter((l) => !l.held);
      for (const l of contended) warnInUse(deps, l.key, l, at, 'claim');
      if (contended.length > 0) await deps.state.save();
      this.o.emit?.({ event: 'leases', leases, t: Date.now() });
    } catch (err) {
      this.o.log.debug(`lease claim: ${(err as Error).message}`);
    }
  }

  async start(): Promise<void> {
    const { deps, log } = this.o;
    this.runner.request(passRequest({ full: true }));
    await this.runner.idle();
    if (this.stopping) return;
    await this.startWatcher();
    if (this.stopping) {
      await this.watcher?.close();
      return;
    }
    this.listener.start();
    const heartbeat = async () => {
      try {
        const beat = await deps.remote.heartbeat();
        if (beat.keyRotation === 'requested') await this.rotate();
      } catch (err) {
        log.debug(`heartbeat: ${(err as Error).message}`);
      }
    };
    void heartbeat();
    this.timers.push(setInterval(() => void heartbeat(), this.o.heartbeatMs ?? 60_000));
    this.timers.push(setInterval(() => this.runner.request(passRequest({ full: true })), this.o.rescanMs ?? 300_000));
    log.info(`daemon watching ${deps.layout.scanDirs().join(', ') || '(no save folders yet)'}${this.polling ? ' (polling)' : ''}`);
    this.o.emit?.({ event: 'ready', dirs: deps.layout.scanDirs(), t: Date.now() });
  }

  /** Resolves once the watcher has read the folders (changes after that are seen). */
  private startWatcher(): Promise<void> {
    const dirs = this.o.deps.layout.scanDirs();
    if (dirs.length === 0) return Promise.resolve();
    const watcher = watch(dirs, {
      ignoreInitial: true,
      depth: 4,
      usePolling: this.polling,
      interval: 1000,
      ignored: (p: string) => basename(p).startsWith(TEMP_PREFIX) || (basename(p).includes('.') && ignoreReason(basename(p)) !== null),
    });
    const touch = (p: string) => this.debouncer.touch(p);
    watcher.on('add', touch).on('change', touch).on('unlink', touch);
    watcher.on('error', (err) => {
      if (this.polling) {
        this.o.log.warn(`file watcher: ${(err as Error).message}`);
        return;
      }
      this.o.log.warn(`native file watching failed (${(err as Error).message}); falling back to polling every second`);
      this.polling = true;
      void watcher.close();
      void this.startWatcher();
    });
    this.watcher = watcher;
    return new Promise((resolve) => watcher.once('ready', () => resolve()));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    this.debouncer.stop();
    await this.listener.stop();
    await this.watcher?.close();
    await this.runner.stop();
    await this.rotating;
    // This device stops playing as far as the server knows (the leases would also idle out).
    await this.o.deps.remote.releaseLeases?.().catch(() => undefined);
    await this.o.deps.state.save(true);
  }
}
