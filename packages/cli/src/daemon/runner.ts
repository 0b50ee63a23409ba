/**
 * Runs sync passes one at a time. Requests that arrive while a pass runs are merged (paths
 * joined; a full rescan absorbs everything) and run next. A pass that fails or reports transient
 * errors is retried as a full pass after an exponential backoff (1, 2, 4 … 60 s).
 */
import type { PassOptions, PassResult } from '../engine/engine.js';
import { Backoff } from '../net/backoff.js';
import type { RemoteHead } from '../net/remote.js';

/** What is waiting to be synced; requests merge into one. */
export interface PassRequest {
  full: boolean;
  paths: string[];
  remote: boolean;
  hints: RemoteHead[];
}

export function passRequest(part: Partial<PassRequest>): PassRequest {
  return { full: false, paths: [], remote: false, hints: [], ...part };
}

export function requestKind(r: PassRequest): 'full' | 'paths' | 'remote' {
  return r.full ? 'full' : r.paths.length > 0 ? 'paths' : 'remote';
}

export interface RunnerOptions {
  run(options: PassOptions): Promise<PassResult>;
  onError(err: unknown, retryInMs: number): void;
  onResult?(result: PassResult, request: PassRequest): void;
  backoff?: Backoff;
}

export class PassRunner {
  private queued: PassRequest | null = null;
  private running: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly backoff: Backoff;

  constructor(private readonly options: RunnerOptions) {
    this.backoff = options.backoff ?? new Backoff();
  }

  request(req: PassRequest): void {
    if (this.stopped) return;
    this.queued = merge(this.queued, req);
    if (!this.running) this.running = this.drain();
  }

  /** Resolves when no pass is running or queued. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.queued = null;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.idle();
  }

  private async drain(): Promise<void> {
    while (this.queued && !this.stopped) {
      const req = this.queued;
      this.queued = null;
      const opts: PassOptions = { hints: req.hints };
      if (!req.full && req.paths.length > 0) Object.assign(opts, { paths: req.paths, readFeed: req.remote });
      else if (!req.full) opts.remoteOnly = true;
      try {
        const result = await this.options.run(opts);
        this.options.onResult?.(result, req);
        if (result.retry) this.scheduleRetry(new Error(result.failed.find((f) => f.transient)?.error ?? 'transient error'));
        else this.backoff.reset();
      } catch (err) {
        this.scheduleRetry(err);
      }
    }
    this.running = null;
  }

  private scheduleRetry(err: unknown): void {
    if (this.stopped) return;
    const ms = this.backoff.next();
    this.options.onError(err, ms);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.request(passRequest({ full: true }));
    }, ms);
  }
}

function merge(a: PassRequest | null, b: PassRequest): PassRequest {
  if (!a) return b;
  return {
    full: a.full || b.full,
    paths: [...new Set([...a.paths, ...b.paths])],
    remote: a.remote || b.remote,
    hints: [...a.hints, ...b.hints],
  };
}
