/**
 * The per-user change feed: all live heads, or what changed after a cursor, optionally held
 * open (long poll) until something changes. The cursor is the feed position (`head_seq`) of the
 * newest change the reader has seen; positions commit in order (feed-lock.ts), so `> cursor`
 * never skips a change.
 */
import { normalizeName } from '@retrosync/core';
import type { SyncFile } from '@retrosync/api';
import type { EventHub, SyncEvent } from '../events/event-hub.js';
import type { SyncDb } from './schema.js';
import { stateAllows, type DeviceFilterState } from './device-filters.js';
import { selectHeads, type HeadPair } from './save-queries.js';
import { toSyncFile } from './wire.js';

export interface FeedQuery {
  since?: number;
  /** Seed filters: `emulator` is the system id, `game` a case-insensitive substring of the game name. */
  emulator?: string;
  game?: string;
  /**
   * Selective sync: the reading device's filter (re-read after its `filter` event). Excluded saves
   * are left out; a cursor older than the filter's revision reads the whole feed again.
   */
  deviceFilter?: () => Promise<DeviceFilterState>;
}

export interface FeedPage {
  files: SyncFile[];
  count: number;
  cursor: number;
  /** The device filter this page was read under (device readers only). */
  filter?: { revision: number; filter: DeviceFilterState['filter'] };
}

/**
 * The feed position to read after: a cursor older than the device filter's revision was handed
 * out under another filter (saves it now includes were skipped), so the whole feed is read again
 * — deleted heads included, as for any `since` read.
 */
function effectiveSince(since: number | undefined, filter: DeviceFilterState | undefined): number | undefined {
  return since !== undefined && filter !== undefined && since < filter.revision ? 0 : since;
}

export const MAX_WAIT_MS = 60_000;

interface WaiterGroup {
  /** New once per event for the user: reads started at the same generation can be shared. */
  gen: number;
  waiters: Set<(event: SyncEvent) => void>;
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

  async read(userId: string, query: FeedQuery, pairs?: HeadPair[], filter?: DeviceFilterState): Promise<FeedPage> {
    if (filter === undefined && query.deviceFilter) filter = await query.deviceFilter();
    pairs ??= await selectHeads(this.db, userId, effectiveSince(query.since, filter));
    let cursor = Math.max(query.since ?? 0, filter?.revision ?? 0);
    for (const p of pairs) cursor = Math.max(cursor, p.save.head_seq);
    const game = query.game ? normalizeName(query.game) : undefined;
    const files = pairs
      .filter((p) => query.since !== undefined || p.head.deleted === 0)
      .filter((p) => !query.emulator || p.save.system === query.emulator.toLowerCase())
      .filter((p) => !game || p.save.game_norm.includes(game))
      .filter((p) => !filter || stateAllows(filter, p.save.key))
      .map((p) => toSyncFile(p.save, p.head));
    const page: FeedPage = { files, count: files.length, cursor };
    // Only a device whose filter was ever set gets it (older clients see the v1 shape).
    if (filter && filter.revision > 0) page.filter = { revision: filter.revision, filter: filter.filter };
    return page;
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

  private join(userId: string, wake: (event: SyncEvent) => void): { group: WaiterGroup; leave: () => void } {
    let group = this.groups.get(userId);
    if (!group) {
      const g: WaiterGroup = { gen: this.nextGen++, waiters: new Set(), unsubscribe: () => {} };
      g.unsubscribe = this.events.subscribe(userId, (e) => {
        if (e.type !== 'save' && e.type !== 'resync' && e.type !== 'filter') return;
        g.gen = this.nextGen++;
        for (const w of [...g.waiters]) w(e);
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
    // The device's filter: read once, and again only after a `filter` event (a change on any replica).
    let filter = query.deviceFilter ? await query.deviceFilter() : undefined;
    let filterStale = false;
    const { group, leave } = this.join(userId, (e) => {
      if (e.type === 'filter' || e.type === 'resync') filterStale = true;
      dirty = true;
      wake?.();
    });
    const onAbort = () => wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      let q = query;
      for (;;) {
        dirty = false;
        if (filterStale && query.deviceFilter) {
          filterStale = false;
          filter = await query.deviceFilter();
        }
        const since = effectiveSince(q.since, filter)!;
        const page = await this.read(userId, q, await this.sharedHeads(userId, since, group.gen), filter);
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
        if (Date.now() >= deadline && !dirty) return this.read(userId, q, undefined, filterStale ? undefined : filter);
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      leave();
    }
  }
}
