/**
 * Write-behind for heartbeats. A heartbeat only moves a device's check-in time, version and clock
 * offset, so instead of one write transaction per request the changes are merged per device in
 * memory and flushed together every `flushMs` (default 1 s) in one transaction — which keeps SQLite
 * (one writer) and PostgreSQL (row churn) calm when many devices check in at once. Reads in this
 * process overlay the pending values (`pending`), so a device shows online at once; other replicas
 * see it after the flush. A crash loses at most `flushMs` of check-in times, nothing else.
 * `flushMs: 0` writes through (each heartbeat awaits its own UPDATE).
 */
import type { Kysely } from 'kysely';
import type { Database, DeviceRow } from '../db/schema.js';

export type HeartbeatUpdate = Partial<Pick<DeviceRow, 'last_sync_at' | 'last_heartbeat_at' | 'clock_offset_ms' | 'client_version' | 'platform'>>;

export class HeartbeatWriter {
  private pendingByDevice = new Map<string, { userId: string; update: HeartbeatUpdate }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly flushMs = 1000,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  async record(deviceId: string, userId: string, update: HeartbeatUpdate): Promise<void> {
    if (this.flushMs <= 0) {
      await this.db.updateTable('devices').set(update).where('id', '=', deviceId).where('user_id', '=', userId).execute();
      return;
    }
    const prev = this.pendingByDevice.get(deviceId);
    this.pendingByDevice.set(deviceId, { userId, update: { ...prev?.update, ...update } });
    this.timer ??= setTimeout(() => void this.flush(), this.flushMs).unref();
  }

  /** Values not yet written for this device (empty when none). */
  pending(deviceId: string): HeartbeatUpdate {
    return this.pendingByDevice.get(deviceId)?.update ?? {};
  }

  forget(deviceId: string): void {
    this.pendingByDevice.delete(deviceId);
  }

  /** Writes everything pending in one transaction. Safe to call at any time (e.g. on close). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pendingByDevice;
    this.pendingByDevice = new Map();
    this.flushing = this.flushing.then(async () => {
      if (batch.size === 0) return;
      try {
        await this.db.transaction().execute(async (trx) => {
          for (const [id, { userId, update }] of batch) {
            await trx.updateTable('devices').set(update).where('id', '=', id).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
          }
        });
      } catch (err) {
        this.onError(err);
      }
    });
    return this.flushing;
  }
}
