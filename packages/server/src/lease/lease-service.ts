/**
 * Play leases: "in use on RG35XX+ since 14:02". A device claims a save when its daemon sees the
 * save change (`write`) or a launcher hook reports the game starting (`launch`); another device
 * that changes the same save while the lease is live is warned (nothing is refused — the
 * conflict rule still decides). Stored in the database, so every replica sees the same leases;
 * changes reach dashboards and devices as `lease` events on the event hub.
 *
 * A lease is live while, on the server's clock (never a device's):
 *   - its idle window since the holder's latest claim has not passed (LEASE_WRITE_IDLE_SECONDS,
 *     600 s, for `write`; LEASE_LAUNCH_IDLE_SECONDS, 6 h, for `launch`, which the launcher hook
 *     ends itself when the game exits), and
 *   - the holder is online: it checked in (or claimed) within the online window, 2 × the
 *     heartbeat interval (120 s by default), and it has not been removed.
 * A live lease of another device is never taken over; an expired one is (optimistically: the
 * update names the row it read, and re-reads when another replica got there first).
 */
import type { Kysely } from 'kysely';
import { ApiError, type PlayLease } from '@retrosync/api';
import { InvalidSaveKeyError, canonicalSaveKey, normalizeSaveKey } from '@retrosync/core';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { toIso, type Database, type DeviceRow } from '../db/schema.js';
import type { EventHub } from '../events/event-hub.js';
import type { DeviceService } from '../services/devices.js';
import type { PlayLeasesTable } from './schema.js';

export type LeaseReason = PlayLeasesTable['reason'];
export type LeaseView = PlayLease & { held: boolean };

interface LeaseJoined extends PlayLeasesTable {
  device_name: string;
  last_heartbeat_at: number | null;
  revoked_at: number | null;
}

/** Normalised form of a key a client sent, or 400 `invalid_key`. */
export function leaseKey(key: string): { display: string; norm: string } {
  try {
    return { display: canonicalSaveKey(key), norm: normalizeSaveKey(key) };
  } catch (err) {
    if (err instanceof InvalidSaveKeyError) throw new ApiError('invalid_key', `The save key is not valid: ${err.reason}.`, { key: err.key, reason: err.reason });
    throw err;
  }
}

export class LeaseService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly config: Pick<Config, 'leases'>,
    private readonly devices: DeviceService,
    private readonly events: EventHub,
  ) {}

  private idleMs(reason: LeaseReason): number {
    return (reason === 'launch' ? this.config.leases.launchIdleSeconds : this.config.leases.writeIdleSeconds) * 1000;
  }

  /** When a lease ends if nothing else happens; null when it already has (or its device is gone). */
  expiresAt(row: LeaseJoined): number | null {
    if (row.revoked_at !== null) return null;
    const beat = Math.max(row.last_heartbeat_at ?? -Infinity, this.devices.heartbeats.pending(row.device_id).last_heartbeat_at ?? -Infinity, row.renewed_at);
    const end = Math.min(row.renewed_at + this.idleMs(row.reason), beat + this.devices.onlineWindowMs);
    return end > this.clock.now() ? end : null;
  }

  private toView(row: LeaseJoined, expiresAt: number, callerDeviceId: string | null): LeaseView {
    return {
      key: row.key,
      deviceId: row.device_id,
      deviceName: row.device_name,
      reason: row.reason,
      since: toIso(row.since),
      renewedAt: toIso(row.renewed_at),
      expiresAt: toIso(expiresAt),
      held: row.device_id === callerDeviceId,
    };
  }

  private joined(userId: string) {
    return this.db
      .selectFrom('play_leases as l')
      .innerJoin('devices as d', 'd.id', 'l.device_id')
      .select(['l.user_id', 'l.key_norm', 'l.key', 'l.device_id', 'l.reason', 'l.since', 'l.renewed_at', 'd.name as device_name', 'd.last_heartbeat_at', 'd.revoked_at'])
      .where('l.user_id', '=', userId);
  }

  private async read(userId: string, norm: string): Promise<LeaseJoined | undefined> {
    const row = await this.joined(userId).where('l.key_norm', '=', norm).executeTakeFirst();
    return row ? { ...row, since: Number(row.since), renewed_at: Number(row.renewed_at) } : undefined;
  }

  /** Claims or renews the lease on each key for `device`; a live lease of another device stays its holder's. */
  async claim(device: DeviceRow, keys: readonly string[], reason: LeaseReason): Promise<LeaseView[]> {
    const parsed = keys.map(leaseKey);
    const out: LeaseView[] = [];
    const seen = new Set<string>();
    for (const k of parsed) {
      if (seen.has(k.norm)) continue;
      seen.add(k.norm);
      out.push(await this.claimOne(device, k, reason));
    }
    return out;
  }

  private async claimOne(device: DeviceRow, k: { display: string; norm: string }, reason: LeaseReason): Promise<LeaseView> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = this.clock.now();
      const row = await this.read(device.user_id, k.norm);
      if (row && row.device_id !== device.id && this.expiresAt(row) !== null) {
        await this.events.publish(device.user_id, { type: 'lease', data: { key: row.key, deviceId: row.device_id, state: 'contended', byDeviceId: device.id } }).catch(() => {});
        return this.toView(row, this.expiresAt(row)!, device.id);
      }
      let won: boolean;
      let since = now;
      let kept: LeaseReason = reason;
      if (!row) {
        const r = await this.db
          .insertInto('play_leases')
          .values({ user_id: device.user_id, key_norm: k.norm, key: k.display, device_id: device.id, reason, since: now, renewed_at: now })
          .onConflict((oc) => oc.columns(['user_id', 'key_norm']).doNothing())
          .executeTakeFirst();
        won = Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
      } else {
        const mine = row.device_id === device.id && this.expiresAt(row) !== null;
        // A write during a launched game keeps the launch lease (and its longer idle window).
        if (mine) {
          since = row.since;
          if (row.reason === 'launch') kept = 'launch';
        }
        const r = await this.db
          .updateTable('play_leases')
          .set({ device_id: device.id, key: k.display, reason: kept, since, renewed_at: now })
          .where('user_id', '=', device.user_id)
          .where('key_norm', '=', k.norm)
          .where('device_id', '=', row.device_id)
          .where('renewed_at', '=', row.renewed_at)
          .executeTakeFirst();
        won = Number(r.numUpdatedRows) === 1;
      }
      if (!won) continue; // another replica changed the row between our read and write: read again
      const view: LeaseJoined = {
        user_id: device.user_id,
        key_norm: k.norm,
        key: k.display,
        device_id: device.id,
        reason: kept,
        since,
        renewed_at: now,
        device_name: device.name,
        last_heartbeat_at: device.last_heartbeat_at,
        revoked_at: null,
      };
      if (since === now) await this.events.publish(device.user_id, { type: 'lease', data: { key: k.display, deviceId: device.id, state: 'taken' } }).catch(() => {});
      return this.toView(view, this.expiresAt(view) ?? now, device.id);
    }
    throw new ApiError('conflict', 'The lease kept changing while it was claimed; try again.');
  }

  /** Releases the device's own leases on `keys` (all of them when none are named). */
  async release(device: DeviceRow, keys?: readonly string[]): Promise<number> {
    let q = this.db.deleteFrom('play_leases').where('user_id', '=', device.user_id).where('device_id', '=', device.id);
    if (keys && keys.length > 0) q = q.where('key_norm', 'in', keys.map((key) => leaseKey(key).norm));
    const r = await q.returning(['key']).execute();
    for (const { key } of r) await this.events.publish(device.user_id, { type: 'lease', data: { key, deviceId: device.id, state: 'released' } }).catch(() => {});
    return r.length;
  }

  /** Every live lease of the user (expired rows are skipped, and swept). */
  async list(userId: string, callerDeviceId: string | null = null): Promise<LeaseView[]> {
    const rows = await this.joined(userId).orderBy('l.since', 'desc').orderBy('l.key_norm').execute();
    const live: LeaseView[] = [];
    const dead: string[] = [];
    for (const raw of rows) {
      const row = { ...raw, since: Number(raw.since), renewed_at: Number(raw.renewed_at) };
      const end = this.expiresAt(row);
      if (end === null) dead.push(row.key_norm);
      else live.push(this.toView(row, end, callerDeviceId));
    }
    if (dead.length > 0) await this.sweep(userId, dead);
    return live;
  }

  /** The live lease of another device on `key`, if any: what an upload from `deviceId` is warned about. */
  async heldByOther(userId: string, key: string, deviceId: string): Promise<LeaseView | null> {
    const row = await this.read(userId, normalizeSaveKey(key));
    if (!row || row.device_id === deviceId) return null;
    const end = this.expiresAt(row);
    if (end === null) return null;
    await this.events.publish(userId, { type: 'lease', data: { key: row.key, deviceId: row.device_id, state: 'contended', byDeviceId: deviceId } }).catch(() => {});
    return this.toView(row, end, deviceId);
  }

  /**
   * Removes rows whose idle window is over (a row renewed since it was read is kept: the bound is
   * on renewed_at). A lease that is only dark because its device is offline stays: it shows again
   * if the device comes back (a handheld woken from sleep mid-game) before its idle window ends.
   */
  private async sweep(userId: string, norms: string[]): Promise<void> {
    const now = this.clock.now();
    for (const reason of ['write', 'launch'] as const) {
      await this.db
        .deleteFrom('play_leases')
        .where('user_id', '=', userId)
        .where('key_norm', 'in', norms)
        .where('reason', '=', reason)
        .where('renewed_at', '<=', now - this.idleMs(reason))
        .execute()
        .catch(() => {});
    }
  }
}
