/**
 * Cache of device rows by API-key hash, so device requests (heartbeats, long polls, uploads)
 * skip one query. Every change to a device row other than a heartbeat (removal, rename, key
 * rotation, account deletion) is pushed to every replica through the event hub's control channel
 * ({@link DeviceKeyCache.attach}), so a revoked key stops working everywhere as soon as the notice
 * arrives (milliseconds); if the channel dropped, every cache forgets everything. Heartbeats patch
 * the cached row so it stays current. Entries therefore live long (`ttlMs`, default 5 minutes —
 * a safety net, not the means of invalidation): with a 60 s check-in any shorter life made nearly
 * every request a database read (bench:fleet, 10,000 devices). At most `maxEntries` are kept.
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
    private readonly ttlMs = 300_000,
    /** Past this, the oldest entry is forgotten (one replica serves every device of a fleet). */
    private readonly maxEntries = 50_000,
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

  /**
   * Moves on whenever anything is forgotten. A row read from the database before a removal or
   * rotation committed must not be cached after it: `set` takes the generation its read started
   * in and drops the row if the cache forgot anything since.
   */
  generation = 0;

  set(hash: string, row: DeviceRow, readInGeneration = this.generation): void {
    if (this.ttlMs <= 0 || readInGeneration !== this.generation) return;
    // A Map iterates in insertion order: re-inserting makes an entry the newest, and the first
    // key is the oldest.
    this.byHash.delete(hash);
    if (this.byHash.size >= this.maxEntries) {
      const oldest = this.byHash.keys().next();
      if (!oldest.done) {
        const e = this.byHash.get(oldest.value)!;
        this.byHash.delete(oldest.value);
        if (this.hashById.get(e.row.id) === oldest.value) this.hashById.delete(e.row.id);
      }
    }
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
    else if (notice.type === 'forget-all') this.clear();
    // 'sign-out' and 'rotation-requested' concern user sessions and rotation requests, not device keys.
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
    this.generation++;
    this.byHash.clear();
    this.hashById.clear();
  }

  forgetDevice(deviceId: string): void {
    this.generation++;
    const hash = this.hashById.get(deviceId);
    if (hash !== undefined) this.byHash.delete(hash);
    this.hashById.delete(deviceId);
  }

  forgetUser(userId: string): void {
    this.generation++;
    for (const [k, e] of this.byHash) {
      if (e.row.user_id === userId) {
        this.byHash.delete(k);
        this.hashById.delete(e.row.id);
      }
    }
  }
}
