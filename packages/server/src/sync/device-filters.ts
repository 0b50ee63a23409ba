/**
 * Selective sync on the server: each device's filter (core's SyncFilter, stored as JSON in
 * `device_filters`). The change feed, the event stream and a device's uploads, deletions and
 * downloads consult it; the rule itself is core's `filterAllows`.
 *
 * Changing a filter takes a position in the user's change feed (`revision`, under the feed lock)
 * and publishes a `filter` event with the transaction: a long poll of that device wakes, its event
 * stream says `resync`, and its next feed read with an older cursor returns everything the new
 * filter includes (change-feed.ts). Nothing is deleted or rewritten: excluding a save only hides it
 * from that device.
 */
import { ApiError, type DeviceFilterView } from '@retrosync/api';
import {
  checkSyncFilter,
  compileFilter,
  describeFilter,
  filterAllows,
  InvalidFilterError,
  isSyncEverything,
  SYNC_EVERYTHING,
  knownSystems,
  type CompiledFilter,
  type SyncFilter,
} from '@retrosync/core';
import type { Clock } from '../clock.js';
import type { EventHub } from '../events/event-hub.js';
import { lockUserFeed, nextFeedSeq } from './feed-lock.js';
import type { SyncDb } from './schema.js';

export interface DeviceFilterState {
  filter: SyncFilter;
  /** null when the filter lets everything through (no per-key work). */
  compiled: CompiledFilter | null;
  revision: number;
  updatedAt: number | null;
  updatedBy: 'user' | 'device' | null;
}

const EVERYTHING_STATE: DeviceFilterState = { filter: SYNC_EVERYTHING, compiled: null, revision: 0, updatedAt: null, updatedBy: null };

/** Whether the device with this filter state syncs `key`. */
export function stateAllows(state: DeviceFilterState, key: string): boolean {
  return state.compiled === null || filterAllows(state.compiled, key);
}

function parseStored(json: string): SyncFilter {
  try {
    return checkSyncFilter(JSON.parse(json) as SyncFilter);
  } catch {
    // A row this version cannot read: sync everything rather than hide saves by accident.
    return SYNC_EVERYTHING;
  }
}

export class DeviceFilters {
  constructor(
    private readonly db: SyncDb,
    private readonly events: EventHub,
    private readonly clock: Clock,
  ) {}

  /** The device's filter (everything when it has none). Scoped by user. */
  async load(userId: string, deviceId: string): Promise<DeviceFilterState> {
    const row = await this.db.selectFrom('device_filters').selectAll().where('device_id', '=', deviceId).where('user_id', '=', userId).executeTakeFirst();
    if (!row) return EVERYTHING_STATE;
    const filter = parseStored(row.filter);
    return {
      filter,
      compiled: isSyncEverything(filter) ? null : compileFilter(filter),
      revision: Number(row.revision),
      updatedAt: Number(row.updated_at),
      updatedBy: row.updated_by === 'device' ? 'device' : 'user',
    };
  }

  /** Refuses (409 `save_excluded`) a device's transfer of a save its filter excludes. */
  async assertAllowed(userId: string, deviceId: string, key: string): Promise<void> {
    const state = await this.load(userId, deviceId);
    if (!stateAllows(state, key)) {
      throw new ApiError('save_excluded', `This device's sync filter (${describeFilter(state.filter)}) excludes ${key}; change it in the dashboard or with retrosync filter to sync it.`, { key });
    }
  }

  /**
   * Stores a new filter for a device the caller owns (the caller checks ownership). `field` is
   * the body path of the filter, for error details (`filter.` in the dashboard's body).
   */
  async set(userId: string, deviceId: string, input: SyncFilter, by: 'user' | 'device', fieldPrefix = ''): Promise<DeviceFilterState> {
    let filter: SyncFilter;
    try {
      filter = checkSyncFilter(input);
    } catch (err) {
      if (err instanceof InvalidFilterError) {
        const field = `${fieldPrefix}${err.field}`;
        throw new ApiError('validation_failed', `The filter is not valid: ${field}: ${err.reason}.`, { fields: [{ in: 'body', field, message: err.reason }] });
      }
      throw err;
    }
    const now = this.clock.now();
    let publish: () => void = () => {};
    let revision = 0;
    await this.db.transaction().execute(async (trx) => {
      await lockUserFeed(trx, userId);
      revision = await nextFeedSeq(trx, userId);
      const row = { filter: JSON.stringify(filter), revision, updated_at: now, updated_by: by };
      await trx
        .insertInto('device_filters')
        .values({ device_id: deviceId, user_id: userId, ...row })
        .onConflict((oc) => oc.column('device_id').doUpdateSet(row))
        .execute();
      publish = await this.events.publishWith(trx, userId, { type: 'filter', data: { deviceId, revision } });
    });
    publish();
    return { filter, compiled: isSyncEverything(filter) ? null : compileFilter(filter), revision, updatedAt: now, updatedBy: by };
  }

  /** The wire form, with the systems a person can pick from (known ones + those of the user's saves). */
  async view(userId: string, deviceId: string, state: DeviceFilterState): Promise<DeviceFilterView> {
    const rows = await this.db.selectFrom('saves').select('system').distinct().where('user_id', '=', userId).execute();
    const known = new Set<string>([...knownSystems(), ...rows.map((r) => r.system), ...state.filter.systems]);
    return {
      deviceId,
      filter: state.filter,
      revision: state.revision,
      updatedAt: state.updatedAt === null ? null : new Date(state.updatedAt).toISOString(),
      updatedBy: state.updatedBy,
      summary: describeFilter(state.filter),
      knownSystems: [...known].sort(),
      savedSystems: [...new Set(rows.map((r) => r.system))].sort(),
    };
  }
}
