/**
 * Device API key rotation without re-pairing, in two steps so a crash never locks a device out:
 *   1. `begin` (the device, with its current key): a new key is made and its hash kept as
 *      *pending*; the current key still works. Asking again replaces an unused pending key.
 *   2. The first request made with the pending key `promote`s it: it becomes the device's only key
 *      in one transaction, and the old key is forgotten at once by every replica's key cache (the
 *      event hub's control channel, as for revocation) — from then on the old key is refused.
 * A device that crashes before it stored the new key keeps using the old one and asks again; one
 * that crashes after storing it (before confirming) confirms on its next request. A pending key
 * lapses after {@link PENDING_KEY_TTL_MS} (the client then falls back to its old key, which still
 * works, and rotates again).
 * The dashboard cannot see a device's key, so it *requests* a rotation: the device is told over its
 * event stream (`key` event) or in its next heartbeat reply, and runs the two steps itself.
 */
import type { Kysely } from 'kysely';
import type { KeyRotationState } from '@retrosync/api';
import type { Clock } from '../clock.js';
import { toIso, type Database, type DeviceRow } from '../db/schema.js';
import type { ControlNotice, EventHub } from '../events/event-hub.js';
import type { DeviceKeyCache } from '../http/device-cache.js';
import { newApiKey, sha256Hex } from '../security/tokens.js';
import type { DeviceService } from '../services/devices.js';

export const PENDING_KEY_TTL_MS = 7 * 24 * 3600 * 1000;

/** Called once a key changed (the audit log records it). */
export type KeyRotatedHook = (
  event: { userId: string; deviceId: string; deviceName: string; requested: boolean },
  /** The request that first used the new key (its address and user agent). */
  meta: { ip?: string | undefined; userAgent?: string | undefined },
) => Promise<void> | void;

export class KeyRotationService {
  private onRotated: KeyRotatedHook | null = null;
  /**
   * Devices the dashboard asked to rotate, kept in memory so a heartbeat costs no query: loaded at
   * start, told by every replica over the control channel (`rotation-requested`; `forget-device`
   * once the key changed or the device was removed), read again when notices may have been missed.
   */
  private readonly asked = new Set<string>();
  private publishControl: ((notice: ControlNotice) => Promise<void>) | null = null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly devices: DeviceService,
    private readonly events: EventHub,
    private readonly cache?: DeviceKeyCache,
  ) {}

  /** Loads the outstanding requests and joins the replicas' control channel. */
  async attach(hub: Pick<EventHub, 'onControl' | 'publishControl'>): Promise<() => void> {
    this.publishControl = (notice) => hub.publishControl(notice);
    const off = hub.onControl((notice) => {
      if (notice.type === 'rotation-requested') this.asked.add(notice.deviceId);
      else if (notice.type === 'forget-device') this.asked.delete(notice.deviceId);
      else if (notice.type === 'forget-all') void this.reload().catch(() => {});
    });
    await this.reload();
    return () => {
      off();
      this.publishControl = null;
    };
  }

  private async reload(): Promise<void> {
    const rows = await this.db.selectFrom('device_key_rotations').select('device_id').where('requested_at', 'is not', null).execute();
    this.asked.clear();
    for (const r of rows) this.asked.add(r.device_id);
  }

  /** Registers what runs after every rotation (audit log). */
  setOnRotated(hook: KeyRotatedHook | null): void {
    this.onRotated = hook;
  }

  private async row(deviceId: string) {
    return this.db.selectFrom('device_key_rotations').selectAll().where('device_id', '=', deviceId).executeTakeFirst();
  }

  private stateOf(deviceId: string, row: Awaited<ReturnType<KeyRotationService['row']>>): KeyRotationState {
    const pendingLive = row?.pending_at != null && Number(row.pending_at) + PENDING_KEY_TTL_MS > this.clock.now();
    return {
      deviceId,
      requestedAt: row?.requested_at != null ? toIso(Number(row.requested_at)) : null,
      pendingSince: pendingLive ? toIso(Number(row!.pending_at)) : null,
      rotatedAt: row?.rotated_at != null ? toIso(Number(row.rotated_at)) : null,
    };
  }

  /** The dashboard's view of a device's rotation (404/403 as for every device route). */
  async state(userId: string, deviceId: string): Promise<KeyRotationState> {
    await this.devices.owned(userId, deviceId);
    return this.stateOf(deviceId, await this.row(deviceId));
  }

  /** States of all of a user's devices, by device id (device listing). */
  async statesOf(userId: string): Promise<Map<string, KeyRotationState>> {
    const rows = await this.db.selectFrom('device_key_rotations').selectAll().where('user_id', '=', userId).execute();
    return new Map(rows.map((r) => [r.device_id, this.stateOf(r.device_id, r)]));
  }

  /** Whether the dashboard asked this device to rotate (heartbeat reply); no query once attached. */
  async requested(deviceId: string): Promise<boolean> {
    if (this.publishControl) return this.asked.has(deviceId);
    const r = await this.db.selectFrom('device_key_rotations').select('requested_at').where('device_id', '=', deviceId).executeTakeFirst();
    return r?.requested_at != null;
  }

  private async upsert(device: Pick<DeviceRow, 'id' | 'user_id'>, set: { pending_key_hash?: string | null; pending_at?: number | null; requested_at?: number | null }): Promise<void> {
    await this.db
      .insertInto('device_key_rotations')
      .values({ device_id: device.id, user_id: device.user_id, pending_key_hash: null, pending_at: null, requested_at: null, rotated_at: null, ...set })
      .onConflict((oc) => oc.column('device_id').doUpdateSet(set))
      .execute();
  }

  /** Dashboard: asks the device to rotate; it is told at once if its event stream is open. */
  async request(userId: string, deviceId: string): Promise<KeyRotationState> {
    const device = await this.devices.owned(userId, deviceId);
    const existing = await this.row(deviceId);
    await this.upsert(device, { requested_at: existing?.requested_at != null ? Number(existing.requested_at) : this.clock.now() });
    this.asked.add(deviceId);
    await this.publishControl?.({ type: 'rotation-requested', deviceId }).catch(() => {});
    await this.events.publish(userId, { type: 'key', data: { deviceId, state: 'requested' } }).catch(() => {});
    return this.stateOf(deviceId, await this.row(deviceId));
  }

  /** Step 1, by the device with its current key: a new key, pending until it is first used. */
  async begin(device: DeviceRow): Promise<{ deviceId: string; apiKey: string; pendingUntil: string }> {
    const apiKey = newApiKey();
    const now = this.clock.now();
    await this.upsert(device, { pending_key_hash: sha256Hex(apiKey), pending_at: now });
    return { deviceId: device.id, apiKey, pendingUntil: toIso(now + PENDING_KEY_TTL_MS) };
  }

  /**
   * Step 2, from the authenticator: `hash` matched no device key; if it is a device's live pending
   * key, it becomes that device's key now and the old one stops everywhere. Returns the device.
   */
  async promote(hash: string, meta: { ip?: string | undefined; userAgent?: string | undefined } = {}): Promise<DeviceRow | undefined> {
    const pending = await this.db.selectFrom('device_key_rotations').selectAll().where('pending_key_hash', '=', hash).executeTakeFirst();
    if (!pending || pending.pending_at == null || Number(pending.pending_at) + PENDING_KEY_TTL_MS <= this.clock.now()) return undefined;
    const now = this.clock.now();
    const promoted = await this.db.transaction().execute(async (trx) => {
      const cleared = await trx
        .updateTable('device_key_rotations')
        .set({ pending_key_hash: null, pending_at: null, requested_at: null, rotated_at: now })
        .where('device_id', '=', pending.device_id)
        .where('pending_key_hash', '=', hash)
        .executeTakeFirst();
      if (Number(cleared.numUpdatedRows) !== 1) return false; // another replica promoted it first
      await trx.updateTable('devices').set({ api_key_hash: hash }).where('id', '=', pending.device_id).where('revoked_at', 'is', null).execute();
      return true;
    });
    // The old key: forgotten here and on every replica before anyone is answered with the new one
    // (the same notice clears the device's outstanding request everywhere).
    this.asked.delete(pending.device_id);
    await this.cache?.forgetDeviceEverywhere(pending.device_id);
    const device = await this.db.selectFrom('devices').selectAll().where('api_key_hash', '=', hash).executeTakeFirst();
    if (promoted && device) {
      await this.events.publish(device.user_id, { type: 'key', data: { deviceId: device.id, state: 'rotated' } }).catch(() => {});
      await this.onRotated?.({ userId: device.user_id, deviceId: device.id, deviceName: device.name, requested: pending.requested_at != null }, meta);
    }
    return device;
  }

  /** Step 2's explicit form: the state after the device's first request with its new key. */
  async confirmed(device: DeviceRow): Promise<KeyRotationState> {
    return this.stateOf(device.id, await this.row(device.id));
  }
}
