/**
 * Transfers fail on stalls, never on total time: a 40 MB state crosses a 1 MB/s link, and a
 * connection that stops moving bytes is given up after `stallMs` of silence. Each transfer gets
 * a watchdog; every chunk that moves pokes it.
 */

/** No bytes moved for the stall window: worth retrying (the network is at fault, not the request). */
export class StallError extends Error {
  override readonly name = 'StallError';
  constructor(what: string, stallMs: number) {
    super(`${what} stalled: no data for ${Math.round(stallMs / 1000)} s; it will be retried`);
  }
}

/** `RETROSYNC_STALL_TIMEOUT_MS` (tests, slow links), else 30 s. */
export function stallMsFrom(env: NodeJS.ProcessEnv): number {
  const n = Number(env.RETROSYNC_STALL_TIMEOUT_MS ?? '');
  return Number.isFinite(n) && n > 0 ? n : 30_000;
}

export interface Watchdog {
  signal: AbortSignal;
  /** Bytes moved: the stall window starts again. */
  poke(): void;
  /** Throws StallError if the watchdog fired (call in a catch), else rethrows `err`. */
  rethrow(err: unknown): never;
  done(): void;
}

export function watchdog(what: string, stallMs: number, outer?: AbortSignal): Watchdog {
  const controller = new AbortController();
  let fired = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      fired = true;
      controller.abort(new StallError(what, stallMs));
    }, stallMs);
  };
  const onOuter = () => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuter, { once: true });
  arm();
  return {
    signal: controller.signal,
    poke: arm,
    rethrow(err) {
      if (fired) throw new StallError(what, stallMs);
      throw err;
    },
    done() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}
