/** Time source injected into services so tests move time instead of sleeping. Epoch ms. */
export interface Clock {
  now(): number;
  /**
   * How far this clock runs ahead of the operating system's (ms; absent = 0). File-system times
   * (blob and temp-file ages) are on the OS clock: add this before comparing them with `now()`.
   */
  readonly skewMs?: number;
}

/**
 * The system clock, shifted by `RETROSYNC_TEST_CLOCK_OFFSET_MS` (ms, may be negative) when that is
 * set: the test-only knob every RetroSync process honours, so the loss harness can run a real
 * server days ahead (accelerated retention). Read once, when the clock is made.
 */
export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): Clock {
  const raw = env.RETROSYNC_TEST_CLOCK_OFFSET_MS?.trim();
  if (!raw) return { now: () => Date.now() };
  const offset = Number(raw);
  if (!Number.isSafeInteger(offset)) throw new Error(`RETROSYNC_TEST_CLOCK_OFFSET_MS must be a whole number of milliseconds, got ${JSON.stringify(raw)}`);
  return { now: () => Date.now() + offset, skewMs: offset };
}

export const systemClock: Clock = clockFromEnv();

/** A clock tests can set and advance. */
export class ManualClock implements Clock {
  constructor(private t = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(ms: number): void {
    this.t = ms;
  }
}
