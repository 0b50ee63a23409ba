/**
 * Fixed-window failure counters with an injected clock (in memory, per process).
 * Windows are aligned to multiples of `windowMs` since the epoch, so any interval of one window
 * length overlaps at most two windows — the "2G" in the pairing arithmetic (http/limits.ts).
 */
import { ApiError, type ErrorCode } from '@retrosync/api';
import type { Clock } from '../clock.js';

export class WindowCounter {
  private readonly counts = new Map<string, { window: number; count: number }>();
  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  private window(): number {
    return Math.floor(this.clock.now() / this.windowMs);
  }

  count(key: string): number {
    const e = this.counts.get(key);
    return e && e.window === this.window() ? e.count : 0;
  }

  /** Seconds until the current window ends (≥ 1). */
  retryAfterSeconds(): number {
    const end = (this.window() + 1) * this.windowMs;
    return Math.max(1, Math.ceil((end - this.clock.now()) / 1000));
  }

  isExhausted(key: string): boolean {
    return this.count(key) >= this.limit;
  }

  hit(key: string): void {
    const w = this.window();
    const e = this.counts.get(key);
    if (e && e.window === w) e.count += 1;
    else this.counts.set(key, { window: w, count: 1 });
    if (this.counts.size > 10_000) this.prune(w);
  }

  private prune(w: number): void {
    for (const [k, e] of this.counts) if (e.window !== w) this.counts.delete(k);
  }
}

/** A per-address and a global counter checked together. */
export class FailureBudget {
  readonly perIp: WindowCounter;
  readonly global: WindowCounter;
  constructor(
    perIpLimit: number,
    globalLimit: number,
    windowMs: number,
    clock: Clock,
    private readonly message: string,
    private readonly code: ErrorCode = 'rate_limited',
  ) {
    this.perIp = new WindowCounter(perIpLimit, windowMs, clock);
    this.global = new WindowCounter(globalLimit, windowMs, clock);
  }

  /** Throws 429 with Retry-After when either budget is used up. Call before the attempt. */
  assertAllowed(ip: string): void {
    const exhausted = this.perIp.isExhausted(ip) ? this.perIp : this.global.isExhausted('*') ? this.global : undefined;
    if (exhausted) {
      const retry = exhausted.retryAfterSeconds();
      throw new ApiError(this.code, `${this.message} Try again in ${Math.ceil(retry / 60)} minute(s).`, { retryAfterSeconds: retry }, { 'retry-after': String(retry) });
    }
  }

  /** Counts one failed attempt. */
  fail(ip: string): void {
    this.perIp.hit(ip);
    this.global.hit('*');
  }
}
