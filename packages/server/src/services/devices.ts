/**
 * Devices of a user: listing with online state, rename, revoke, heartbeat (clock offset), and
 * creation at pairing time with the tier's device limit. Every query is scoped by user id; a
 * device id of another user answers 403 `forbidden`, an unknown one 404.
 */
import type { Kysely, Transaction } from 'kysely';
import { ApiError, type Device, type DeviceType, type SubscriptionTier } from '@retrosync/api';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { newId, toIso, type Database, type DeviceRow } from '../db/schema.js';
import type { DeviceKeyCache } from '../http/device-cache.js';
import { HeartbeatWriter, type HeartbeatUpdate } from './heartbeat-writer.js';

export interface HeartbeatInput {
  clientVersion?: string | undefined;
  platform?: string | undefined;
  /** Device clock in epoch ms from X-Client-Time, if sent. */
  clientTime?: number | undefined;
}

/** Parses X-Client-Time: ISO 8601, or epoch milliseconds (or seconds, if ≤ 11 digits). */
export function parseClientTime(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const v = header.trim();
  if (/^[0-9]{1,11}(\.[0-9]+)?$/.test(v)) return Math.round(Number(v) * 1000);
  if (/^[0-9]{12,16}$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}T/.test(v)) {
    throw new ApiError('validation_failed', 'X-Client-Time must be ISO 8601 or epoch milliseconds.', {
      fields: [{ in: 'headers', field: 'x-client-time', message: 'ISO 8601 or epoch milliseconds' }],
    });
  }
  return t;
}

export class DeviceService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly config: Pick<Config, 'heartbeatIntervalSeconds' | 'deviceLimits'>,
    private readonly cache?: DeviceKeyCache,
    readonly heartbeats: HeartbeatWriter = new HeartbeatWriter(db, 0),
  ) {}

  get onlineWindowMs(): number {
    return 2 * this.config.heartbeatIntervalSeconds * 1000;
  }

  /**
   * The online rule: not revoked, and checked in within the window — by the latest of the stored
   * check-in (possibly written by another replica) and this process's not yet written one.
   */
  isOnline(row: Pick<DeviceRow, 'id' | 'revoked_at' | 'last_heartbeat_at'>): boolean {
    const beat = Math.max(row.last_heartbeat_at ?? -Infinity, this.heartbeats.pending(row.id).last_heartbeat_at ?? -Infinity);
    return row.revoked_at === null && this.clock.now() - beat <= this.onlineWindowMs;
  }

  toWire(row: DeviceRow): Device {
    const d = { ...row, ...this.heartbeats.pending(row.id) };
    return {
      id: d.id,
      name: d.name,
      deviceType: d.device_type as DeviceType,
      lastSyncAt: toIso(d.last_sync_at),
      lastHeartbeatAt: toIso(d.last_heartbeat_at),
      isActive: d.revoked_at === null,
      online: this.isOnline(d),
      clientVersion: d.client_version,
      clockOffsetMs: d.clock_offset_ms,
      createdAt: toIso(d.created_at),
    };
  }

  async list(userId: string, includeRevoked = false): Promise<Device[]> {
    let q = this.db.selectFrom('devices').selectAll().where('user_id', '=', userId).where('api_key_hash', 'is not', null);
    if (!includeRevoked) q = q.where('revoked_at', 'is', null);
    const rows = await q.orderBy('created_at', 'asc').orderBy('id').execute();
    return rows.map((r) => this.toWire(r));
  }

  /** The caller's device, or 404 (unknown) / 403 (another user's). Revoked devices count as unknown. */
  async owned(userId: string, deviceId: string): Promise<DeviceRow> {
    const row = await this.db.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirst();
    if (!row || row.revoked_at !== null) throw new ApiError('not_found', 'No such device.');
    if (row.user_id !== userId) throw new ApiError('forbidden', 'This device belongs to another account.');
    return row;
  }

  async rename(userId: string, deviceId: string, name: string): Promise<Device> {
    await this.owned(userId, deviceId);
    await this.db.updateTable('devices').set({ name }).where('id', '=', deviceId).where('user_id', '=', userId).execute();
    // Other replicas may hold the row: they forget it and read the new name at the next request.
    await this.cache?.forgetDeviceEverywhere(deviceId);
    return this.toWire(await this.owned(userId, deviceId));
  }

  /** Revokes the key at once; the row stays so history keeps its device name. Returns the device as it was. */
  async revoke(userId: string, deviceId: string): Promise<DeviceRow> {
    const row = await this.owned(userId, deviceId);
    await this.db.updateTable('devices').set({ revoked_at: this.clock.now() }).where('id', '=', deviceId).where('user_id', '=', userId).execute();
    await this.cache?.forgetDeviceEverywhere(deviceId);
    this.heartbeats.forget(deviceId);
    return row;
  }

  /**
   * Records a check-in (write-behind, see heartbeat-writer.ts). Only the fields sent are written,
   * so a stale cached row never overwrites newer values.
   */
  async heartbeat(device: DeviceRow, input: HeartbeatInput): Promise<DeviceRow> {
    const now = this.clock.now();
    const update: HeartbeatUpdate = { last_sync_at: now, last_heartbeat_at: now };
    if (input.clientTime !== undefined) update.clock_offset_ms = input.clientTime - now;
    if (input.clientVersion !== undefined) update.client_version = input.clientVersion;
    if (input.platform !== undefined) update.platform = input.platform;
    await this.heartbeats.record(device.id, device.user_id, update);
    this.cache?.patch(device.id, update);
    return { ...device, ...update };
  }

  /**
   * Creates a device for `userId` inside the caller's transaction, enforcing the tier's device
   * limit (active devices only). `apiKeyHash` null = not yet usable (device-shown flow).
   */
  async createInTx(
    trx: Transaction<Database>,
    userId: string,
    input: { name: string; deviceType: string; apiKeyHash: string | null },
  ): Promise<DeviceRow> {
    const user = await trx.selectFrom('users').select(['subscription_tier']).where('id', '=', userId).executeTakeFirst();
    if (!user) throw new ApiError('invalid_code', 'The account behind this code no longer exists.');
    const limit = this.config.deviceLimits[user.subscription_tier as SubscriptionTier];
    if (limit !== null) {
      const { n } = await trx
        .selectFrom('devices')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .executeTakeFirstOrThrow();
      if (Number(n) >= limit) {
        throw new ApiError('device_limit_reached', `Your plan allows ${limit} devices; remove one in the dashboard first.`, { limit });
      }
    }
    const row: DeviceRow = {
      id: newId(),
      user_id: userId,
      name: input.name,
      device_type: input.deviceType,
      api_key_hash: input.apiKeyHash,
      created_at: this.clock.now(),
      last_sync_at: null,
      last_heartbeat_at: null,
      client_version: null,
      platform: null,
      clock_offset_ms: null,
      revoked_at: null,
    };
    await trx.insertInto('devices').values(row).execute();
    return row;
  }
}
