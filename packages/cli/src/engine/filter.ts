/**
 * Selective sync on this device: a save syncs only when both this device's filter on the server
 * (set in the dashboard or with `retrosync filter`; the feed brings it) and the local filter in
 * config.json (`retrosync filter --local`) include it. The rule is core's `filtersAllow`.
 *
 * Excluding is never deleting: an excluded save is left out of the pass — not uploaded, not
 * downloaded, its file never read as a deletion — and its entry is marked `excluded`. Included
 * again, a save whose file is still here syncs as usual; one whose file is gone is fetched again
 * (its old entry is forgotten, so the missing file cannot be read as a deletion).
 */
import { checkSyncFilter, compileFilter, describeFilter, filtersAllow, isSyncEverything, type CompiledFilter, type SyncFilter } from '@retrosync/core';
import type { FeedPage } from '../net/remote.js';
import type { SyncState } from '../state/sync-state.js';

export class PassFilter {
  private readonly compiled: CompiledFilter[];

  constructor(
    readonly server: SyncFilter | null,
    readonly local: SyncFilter | null,
  ) {
    this.compiled = [server, local].filter((f): f is SyncFilter => f !== null && !isSyncEverything(f)).map(compileFilter);
  }

  get everything(): boolean {
    return this.compiled.length === 0;
  }

  allows(key: string): boolean {
    return this.compiled.length === 0 || filtersAllow(this.compiled, key);
  }

  /** Which filter excludes `key` ("the server's filter", "the local filter"), for messages. */
  excludedBy(key: string): string {
    const server = this.server && !filtersAllow([this.server], key);
    const local = this.local && !filtersAllow([this.local], key);
    return [server ? `this device's filter (${describeFilter(this.server!)})` : '', local ? `the local filter (${describeFilter(this.local!)})` : ''].filter(Boolean).join(' and ');
  }
}

function storedServer(state: SyncState): SyncFilter | null {
  const raw = state.data.filter.server;
  if (raw === null || raw === undefined) return null;
  try {
    return checkSyncFilter(raw as SyncFilter);
  } catch {
    return null;
  }
}

/** The filter as this device knows it before reading the feed (the server's from the last page). */
export function knownFilter(state: SyncState, local: SyncFilter | null | undefined): PassFilter {
  return new PassFilter(storedServer(state), local ?? null);
}

/**
 * A changed local filter: the feed is read from its start, so saves it now includes arrive
 * (the server's filter does this on the server side). Returns whether it changed.
 */
export function noteLocalFilter(state: SyncState, local: SyncFilter | null | undefined): boolean {
  const sig = local ? JSON.stringify(checkSyncFilter(local)) : null;
  if (state.data.filter.local === sig) return false;
  state.data.filter.local = sig;
  if (state.data.cursor !== null) state.data.cursor = 0;
  state.touch();
  return true;
}

/** Records the server's filter a feed page was read under (absent: never set, everything). */
export function notePageFilter(state: SyncState, page: FeedPage): void {
  const revision = page.filter?.revision ?? 0;
  if (revision === state.data.filter.revision && (revision !== 0 || state.data.filter.server === null)) return;
  state.data.filter.server = page.filter?.filter ?? null;
  state.data.filter.revision = revision;
  state.touch();
}
