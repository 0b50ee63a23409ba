/**
 * Fixed-window counters for the rate limits (http/limits.ts). A counter is a key plus the window
 * `[floor(now / windowMs) · windowMs, + windowMs)` it falls in; windows are aligned to the epoch,
 * so any interval one window long overlaps at most two of them (the "2" in the arithmetic).
 *
 * `add` is atomic and returns the new value, so a limit is enforced by counting the attempt
 * FIRST and checking the returned value: no burst of concurrent requests can all see "below the
 * limit" (what happened when the check and the count were two steps around an await).
 *
 * - MemoryCounterStore: one process (SQLite deployments: one server process owns the file).
 * - SqlCounterStore: a table in the database (PostgreSQL), `INSERT … ON CONFLICT DO UPDATE
 *   … RETURNING`, so every replica counts into the same row and N replicas do not get N budgets.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface CounterStore {
  /** Adds `delta` to `key` in the window containing `now` and returns the new value. */
  add(key: string, windowMs: number, now: number, delta?: number): Promise<number>;
  /** The value of `key` in the window containing `now` (0 when absent). */
  get(key: string, windowMs: number, now: number): Promise<number>;
}

export const windowStart = (windowMs: number, now: number): number => Math.floor(now / windowMs) * windowMs;

export class MemoryCounterStore implements CounterStore {
  private readonly counts = new Map<string, { count: number; expiresAt: number }>();
  private adds = 0;

  async add(key: string, windowMs: number, now: number, delta = 1): Promise<number> {
    const start = windowStart(windowMs, now);
    const id = `${start}|${key}`;
    const e = this.counts.get(id);
    const count = (e?.count ?? 0) + delta;
    this.counts.set(id, { count, expiresAt: start + 2 * windowMs });
    if (++this.adds % 1000 === 0) this.prune(now);
    return count;
  }

  async get(key: string, windowMs: number, now: number): Promise<number> {
    return this.counts.get(`${windowStart(windowMs, now)}|${key}`)?.count ?? 0;
  }

  private prune(now: number): void {
    for (const [id, e] of this.counts) if (e.expiresAt <= now) this.counts.delete(id);
  }
}

export class SqlCounterStore implements CounterStore {
  private adds = 0;
  constructor(private readonly db: Kysely<Database>) {}

  async add(key: string, windowMs: number, now: number, delta = 1): Promise<number> {
    const start = windowStart(windowMs, now);
    const row = await this.db
      .insertInto('rate_counters')
      .values({ key, window_start: start, count: delta, expires_at: start + 2 * windowMs })
      .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet({ count: sql<number>`rate_counters.count + excluded.count` }))
      .returning('count')
      .executeTakeFirstOrThrow();
    if (++this.adds % 500 === 0) void this.db.deleteFrom('rate_counters').where('expires_at', '<=', now).execute().catch(() => {});
    return Number(row.count);
  }

  async get(key: string, windowMs: number, now: number): Promise<number> {
    const row = await this.db
      .selectFrom('rate_counters')
      .select('count')
      .where('key', '=', key)
      .where('window_start', '=', windowStart(windowMs, now))
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }
}
