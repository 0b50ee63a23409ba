import { describe, expect, it } from 'vitest';
import type { PassOptions, PassResult } from '../engine/engine.js';
import { Backoff } from '../net/backoff.js';
import { passRequest, PassRunner } from './runner.js';

const ok: PassResult = { uploaded: [], downloaded: [], conflicts: [], failed: [], hashed: 0, scanned: 0, retry: false, quotaPaused: false };

describe('PassRunner', () => {
  it('merges requests that arrive during a pass into one next pass', async () => {
    const seen: PassOptions[] = [];
    let release!: () => void;
    const first = new Promise<void>((r) => (release = r));
    const runner = new PassRunner({
      run: async (o) => {
        seen.push(o);
        if (seen.length === 1) await first;
        return ok;
      },
      onError: () => undefined,
    });
    runner.request(passRequest({ paths: ['/a'] }));
    runner.request(passRequest({ paths: ['/b'] }));
    runner.request(passRequest({ remote: true }));
    runner.request(passRequest({ paths: ['/c'] }));
    release();
    await runner.idle();
    expect(seen).toEqual([
      { hints: [], paths: ['/a'], readFeed: false },
      { hints: [], paths: ['/b', '/c'], readFeed: true },
    ]);
  });

  it('backs off 1, 2, 4 … 60 s after failures and resets after a success', () => {
    const b = new Backoff();
    expect(Array.from({ length: 8 }, () => b.next())).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
    b.reset();
    expect(b.next()).toBe(1000);
  });

  it('reports a failed pass with the retry delay and retries with a full pass', async () => {
    const errors: number[] = [];
    const seen: PassOptions[] = [];
    const runner = new PassRunner({
      run: async (o) => {
        seen.push(o);
        if (seen.length === 1) throw new TypeError('fetch failed');
        return ok;
      },
      onError: (_e, ms) => errors.push(ms),
      backoff: new Backoff(5, 60),
    });
    runner.request(passRequest({ remote: true }));
    await runner.idle();
    await new Promise((r) => setTimeout(r, 30));
    await runner.idle();
    expect(errors).toEqual([5]);
    expect(seen[1]).toEqual({ hints: [] });
    await runner.stop();
  });
});
