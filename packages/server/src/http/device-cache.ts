/**
 * Short-lived cache of device rows by API-key hash, so device requests (heartbeats, uploads)
 * skip one query. Entries live `ttlMs` (default 5 s). Revocation, rename and account deletion
 * in this process invalidate at once; another replica sees a revocation within `ttlMs`
 * (documented in README → Security). Heartbeats patch the cached row so it stays current.
 */
import type { DeviceRow } from '../db/schema.js';
import type { Clock } from '../clock.js';

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
    if (this.byHash.size >= this.maxEntries) {
      this.byHash.clear();
      this.hashById.clear();
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
