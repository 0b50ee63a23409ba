/**
 * Presence: turns device check-ins into `device` events ({deviceId, online}) for the dashboard's
 * live view. A device is online from its first heartbeat until `windowMs` passes without one (the
 * same window `DeviceService.toWire` uses for the listing, so the event and the list agree).
 *
 * Each process tracks the devices that checked in with it; a periodic sweep publishes `offline`
 * for those whose window lapsed — after re-reading the database, so with several replicas a
 * device whose heartbeats reach another replica is not reported offline. Events only say what
 * changed; a client re-reads `GET /api/devices` for the truth, so a duplicate after a restart
 * or a replica hand-over costs one extra read, never a wrong state.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import type { EventHub } from '../events/event-hub.js';
import type { DeviceService } from './devices.js';

interface Seen {
  userId: string;
  lastSeen: number;
}

export interface PresenceOptions {
  db: Kysely<Database>;
  events: EventHub;
  clock: Clock;
  /** The online rule and its window. */
  devices: Pick<DeviceService, 'isOnline' | 'onlineWindowMs'>;
  /** How often lapsed devices are looked for; default a quarter of the window, at most 15 s. */
  sweepMs?: number;
  onError?: (err: unknown) => void;
}

export class Presence {
  private readonly seen = new Map<string, Seen>();
  private readonly timer: NodeJS.Timeout;
  private sweeping: Promise<void> = Promise.resolve();

  constructor(private readonly options: PresenceOptions) {
    const sweepMs = options.sweepMs ?? Math.min(15_000, Math.max(1_000, options.devices.onlineWindowMs / 4));
    this.timer = setInterval(() => void this.sweep(), sweepMs).unref();
  }

  /**
   * A check-in: publishes `online` when the device was not known to be online — neither here nor,
   * by `previousCheckIn` (its last check-in as the database had it when this replica read the
   * row), on another replica. Without that, each replica announced every device once: a fleet
   * of 10,000 behind three replicas sent 30,000 notifications at start (bench:fleet).
   */
  async checkedIn(userId: string, deviceId: string, previousCheckIn: number | null = null): Promise<void> {
    const known = this.seen.get(deviceId);
    const now = this.options.clock.now();
    this.seen.set(deviceId, { userId, lastSeen: now });
    if (known) return;
    if (previousCheckIn !== null && now - previousCheckIn <= this.options.devices.onlineWindowMs) return;
    await this.publish(userId, deviceId, true);
  }

  /** The device was revoked: it is offline now. */
  async removed(userId: string, deviceId: string): Promise<void> {
    this.seen.delete(deviceId);
    await this.publish(userId, deviceId, false);
  }

  /** Publishes `offline` for tracked devices whose window lapsed here and in the database. */
  sweep(): Promise<void> {
    this.sweeping = this.sweeping.then(() => this.sweepOnce()).catch((err) => this.options.onError?.(err));
    return this.sweeping;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async sweepOnce(): Promise<void> {
    const now = this.options.clock.now();
    const lapsed = [...this.seen].filter(([, s]) => now - s.lastSeen > this.options.devices.onlineWindowMs).map(([id]) => id);
    if (lapsed.length === 0) return;
    const rows = await this.options.db
      .selectFrom('devices')
      .select(['id', 'last_heartbeat_at', 'revoked_at'])
      .where('id', 'in', lapsed)
      .execute();
    const latest = new Map(rows.map((r) => [r.id, r]));
    for (const id of lapsed) {
      const entry = this.seen.get(id);
      if (!entry) continue;
      const row = latest.get(id);
      if (row && this.options.devices.isOnline(row)) {
        entry.lastSeen = row.last_heartbeat_at ?? now; // another replica heard from it
        continue;
      }
      this.seen.delete(id);
      await this.publish(entry.userId, id, false);
    }
  }

  private async publish(userId: string, deviceId: string, online: boolean): Promise<void> {
    try {
      await this.options.events.publish(userId, { type: 'device', data: { deviceId, online } });
    } catch (err) {
      this.options.onError?.(err);
    }
  }
}
