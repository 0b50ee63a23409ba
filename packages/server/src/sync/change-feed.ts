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
import { selectHeads, type HeadPair } from './save-queries.js';
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

interface WaiterGroup {
  /** New once per event for the user: reads started at the same generation can be shared. */
  gen: number;
  waiters: Set<() => void>;
  unsubscribe: () => void;
}

export class ChangeFeed {
  private readonly groups = new Map<string, WaiterGroup>();
  private readonly sharedReads = new Map<string, Promise<HeadPair[]>>();
  /** Generations are unique across groups, so a new group never joins a read of a dissolved one. */
  private nextGen = 1;

  constructor(
    private readonly db: SyncDb,
    private readonly events: EventHub,
  ) {}

  async read(userId: string, query: FeedQuery, pairs?: HeadPair[]): Promise<FeedPage> {
    pairs ??= await selectHeads(this.db, userId, query.since);
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
   * One query for every waiter of a user that reads the same cursor in the same event
   * generation (a change wakes thousands of long polls at once; they share one read). A waiter
   * only joins a read that started after it subscribed or at its generation, so a read that began
   * before a commit is never reused for the wake-up that commit caused.
   */
  private sharedHeads(userId: string, since: number, gen: number): Promise<HeadPair[]> {
    const key = `${userId}\u0000${since}\u0000${gen}`;
    let p = this.sharedReads.get(key);
    if (!p) {
      p = selectHeads(this.db, userId, since).finally(() => this.sharedReads.delete(key));
      this.sharedReads.set(key, p);
    }
    return p;
  }

  private join(userId: string, wake: () => void): { group: WaiterGroup; leave: () => void } {
    let group = this.groups.get(userId);
    if (!group) {
      const g: WaiterGroup = { gen: this.nextGen++, waiters: new Set(), unsubscribe: () => {} };
      g.unsubscribe = this.events.subscribe(userId, (e) => {
        if (e.type !== 'save' && e.type !== 'resync') return;
        g.gen = this.nextGen++;
        for (const w of [...g.waiters]) w();
      });
      this.groups.set(userId, g);
      group = g;
    }
    const g = group;
    g.waiters.add(wake);
    return {
      group: g,
      leave: () => {
        g.waiters.delete(wake);
        if (g.waiters.size === 0 && this.groups.get(userId) === g) {
          g.unsubscribe();
          this.groups.delete(userId);
        }
      },
    };
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
    const { group, leave } = this.join(userId, () => {
      dirty = true;
      wake?.();
    });
    const onAbort = () => wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      let q = query;
      for (;;) {
        dirty = false;
        const page = await this.read(userId, q, await this.sharedHeads(userId, q.since!, group.gen));
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
      leave();
    }
  }
}
