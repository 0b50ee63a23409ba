/**
 * Short-lived cache of device rows by API-key hash, so device requests (heartbeats, uploads)
 * skip one query. Entries live `ttlMs` (default 5 s). Revocation and account deletion are pushed
 * to every replica through the event hub's control channel ({@link DeviceKeyCache.attach}), so a
 * revoked key stops working everywhere as soon as the notice arrives (milliseconds), not after
 * `ttlMs`; if the channel dropped, every cache forgets everything. Heartbeats patch the cached
 * row so it stays current.
 */
import type { DeviceRow } from '../db/schema.js';
import type { Clock } from '../clock.js';
import type { ControlNotice, EventHub } from '../events/event-hub.js';

export class DeviceKeyCache {
  private readonly byHash = new Map<string, { row: DeviceRow; until: number }>();
  /** deviceId → key hash, so patch/forget do not scan the cache. */
  private readonly hashById = new Map<string, string>();
  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = 5_000,
    private readonly maxEntries = 10_000,
  ) {}

  get(hash: string): DeviceRow | undefined {
    const e = this.byHash.get(hash);
    if (!e) return undefined;
    if (e.until <= this.clock.now()) {
      this.byHash.delete(hash);
      this.hashById.delete(e.row.id);
      return undefined;
    }
    return e.row;
  }

  set(hash: string, row: DeviceRow): void {
    if (this.ttlMs <= 0) return;
    if (this.byHash.size >= this.maxEntries) this.clear();
    this.byHash.set(hash, { row, until: this.clock.now() + this.ttlMs });
    this.hashById.set(row.id, hash);
  }

  /** Applies a change to the cached row of a device (heartbeat, rename). */
  patch(deviceId: string, change: Partial<DeviceRow>): void {
    const hash = this.hashById.get(deviceId);
    const e = hash === undefined ? undefined : this.byHash.get(hash);
    if (e) e.row = { ...e.row, ...change };
  }

  private publish: ((notice: ControlNotice) => Promise<void>) | null = null;

  /** Joins the replicas' control channel: a notice from any replica makes this cache forget. */
  attach(hub: Pick<EventHub, 'onControl' | 'publishControl'>): () => void {
    this.publish = (notice) => hub.publishControl(notice);
    const off = hub.onControl((notice) => this.apply(notice));
    return () => {
      off();
      this.publish = null;
    };
  }

  apply(notice: ControlNotice): void {
    if (notice.type === 'forget-device') this.forgetDevice(notice.deviceId);
    else if (notice.type === 'forget-user') this.forgetUser(notice.userId);
    else this.clear();
  }

  /**
   * Forgets a device's key here and on every replica (revocation, rotation). If the notice cannot
   * be sent (database down), the other replicas still drop the key within `ttlMs`.
   */
  async forgetDeviceEverywhere(deviceId: string): Promise<void> {
    this.forgetDevice(deviceId);
    await this.publish?.({ type: 'forget-device', deviceId }).catch(() => {});
  }

  /** Forgets every device of a user here and on every replica (account deleted). */
  async forgetUserEverywhere(userId: string): Promise<void> {
    this.forgetUser(userId);
    await this.publish?.({ type: 'forget-user', userId }).catch(() => {});
  }

  clear(): void {
    this.byHash.clear();
    this.hashById.clear();
  }

  forgetDevice(deviceId: string): void {
    const hash = this.hashById.get(deviceId);
    if (hash !== undefined) this.byHash.delete(hash);
    this.hashById.delete(deviceId);
  }

  forgetUser(userId: string): void {
    for (const [k, e] of this.byHash) {
      if (e.row.user_id === userId) {
        this.byHash.delete(k);
        this.hashById.delete(e.row.id);
      }
    }
  }
}
