/**
 * The per-user change feed: all live heads, or what changed after a cursor, optionally held
 * open (long poll) until something changes. The cursor is the feed position (`head_seq`) of the
 * newest change the reader has seen; positions commit in order (feed-lock.ts), so `> cursor`
 * never skips a change.
 */
import { normalizeName } from '@retrosync/core';
import type { SyncFile } from '@retrosync/api';
import type { EventHub } from '../events/event-hub.js';
import type { SyncDb } from './schema.js';
import { selectHeads } from './save-queries.js';
import { toSyncFile } from './wire.js';

export interface FeedQuery {
  since?: number;
  /** Seed filters: `emulator` is the system id, `game` a case-insensitive substring of the game name. */
  emulator?: string;
  game?: string;
}

export interface FeedPage {
  files: SyncFile[];
  count: number;
  cursor: number;
}

export const MAX_WAIT_MS = 60_000;

export class ChangeFeed {
  constructor(
    private readonly db: SyncDb,
    private readonly events: EventHub,
  ) {}

  async read(userId: string, query: FeedQuery): Promise<FeedPage> {
    const pairs = await selectHeads(this.db, userId, query.since);
    let cursor = query.since ?? 0;
    for (const p of pairs) cursor = Math.max(cursor, p.save.head_seq);
    const game = query.game ? normalizeName(query.game) : undefined;
    const files = pairs
      .filter((p) => query.since !== undefined || p.head.deleted === 0)
      .filter((p) => !query.emulator || p.save.system === query.emulator.toLowerCase())
      .filter((p) => !game || p.save.game_norm.includes(game))
      .map((p) => toSyncFile(p.save, p.head));
    return { files, count: files.length, cursor };
  }

  /**
   * Like {@link read}, but with a `since` cursor and nothing (matching) new, waits up to
   * `waitMs` for a change. Subscribes before reading, so a change committed between the read
   * and the wait still wakes it. Resolves early (with what it has) when `signal` aborts.
   */
  async waitFor(userId: string, query: FeedQuery, waitMs: number, signal?: AbortSignal): Promise<FeedPage> {
    if (query.since === undefined || waitMs <= 0) return this.read(userId, query);
    const deadline = Date.now() + Math.min(waitMs, MAX_WAIT_MS);
    let wake: (() => void) | null = null;
    let dirty = false;
    const unsubscribe = this.events.subscribe(userId, (e) => {
      if (e.type !== 'save' && e.type !== 'resync') return;
      dirty = true;
      wake?.();
    });
    const onAbort = () => wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      let q = query;
      for (;;) {
        dirty = false;
        const page = await this.read(userId, q);
        if (page.count > 0 || signal?.aborted) return page;
        q = { ...q, since: page.cursor };
        const left = deadline - Date.now();
        if (left <= 0) return page;
        if (!dirty) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, left);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = null;
        }
        if (Date.now() >= deadline && !dirty) return this.read(userId, q);
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      unsubscribe();
    }
  }
}
