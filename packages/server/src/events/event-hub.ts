/**
 * Per-user change notifications: what wakes long polls and feeds Server-Sent Events. Two
 * implementations of one port:
 *   - `LocalEventHub` (in-process; the embedded SQLite server),
 *   - `PgEventHub` (pg-event-hub.ts: PostgreSQL LISTEN/NOTIFY, so every replica learns of a change
 *     committed by any replica — no extra broker).
 * Events that describe a database change are published *with the transaction*
 * (`publishWith`): they are delivered only once it commits, never for a rolled-back write.
 */
import type { Kysely } from 'kysely';

export interface SaveChangedEvent {
  key: string;
  version: number;
  sha256: string;
  size: number;
  deleted: boolean;
  deviceId: string | null;
  cursor: number;
}

export interface ConflictSide {
  version: number;
  deviceId: string | null;
  correctedMtime: number;
}

export interface ConflictEvent {
  key: string;
  winner: ConflictSide;
  loser: ConflictSide;
}

export type SyncEvent =
  | { type: 'save'; data: SaveChangedEvent }
  | { type: 'conflict'; data: ConflictEvent }
  | { type: 'device'; data: { deviceId: string; online: boolean } }
  | { type: 'log'; data: Record<string, unknown> }
  /** A play lease was taken or released, or another device changed a save while it was in use (lease/lease-service.ts). */
  | { type: 'lease'; data: LeaseEvent }
  /** The dashboard asked a device to rotate its API key, or the device did (lease/key-rotation.ts). */
  | { type: 'key'; data: { deviceId: string; state: 'requested' | 'rotated' } }
  /** A device's selective-sync filter changed (sync/device-filters.ts): its feed reads start over. */
  | { type: 'filter'; data: { deviceId: string; revision: number } }
  /** Delivery may have been interrupted (e.g. the LISTEN connection dropped): re-read the feed. */
  | { type: 'resync'; data: Record<string, never> };

export interface LeaseEvent {
  key: string;
  /** The device holding (or that held) the lease. */
  deviceId: string;
  state: 'taken' | 'released' | 'contended';
  /** `contended`: the other device that claimed or changed the save. */
  byDeviceId?: string;
}

export type SyncEventListener = (event: SyncEvent) => void;

/**
 * Server-wide notices between replicas, not addressed to one user's subscribers: a device key
 * that stops working (revoked, rotated) or an account that is gone, so every replica's key cache
 * forgets it at once; `forget-all` when notices may have been missed (the LISTEN connection
 * dropped).
 */
export type ControlNotice =
  | { type: 'forget-device'; deviceId: string }
  | { type: 'forget-user'; userId: string }
  | { type: 'forget-all' }
  /** The user's sessions issued before `before` (epoch ms) were signed out: their event streams end. */
  | { type: 'sign-out'; userId: string; before: number }
  /** The dashboard asked this device to rotate its key: every replica's heartbeat replies say so (lease/key-rotation.ts). */
  | { type: 'rotation-requested'; deviceId: string };

export type ControlListener = (notice: ControlNotice) => void;

/** Fan-out of control notices inside one process. */
export class ControlFanout {
  private readonly listeners = new Set<ControlListener>();

  on(listener: ControlListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(notice: ControlNotice): void {
    for (const l of [...this.listeners]) {
      try {
        l(notice);
      } catch {
        // One broken listener must not stop the others.
      }
    }
  }
}

export interface EventHub {
  /** Stages `event` inside `trx`; call the returned function after the transaction commits. */
  publishWith(trx: Kysely<any>, userId: string, event: SyncEvent): Promise<() => void>;
  /** Publishes an event that is not tied to a transaction (device online/offline, log entries). */
  publish(userId: string, event: SyncEvent): Promise<void>;
  subscribe(userId: string, listener: SyncEventListener): () => void;
  /** Sends a control notice to every replica (this one included); resolves once it is sent. */
  publishControl(notice: ControlNotice): Promise<void>;
  onControl(listener: ControlListener): () => void;
  /** Subscribers currently held (long polls + event streams), for health and benches. */
  subscriberCount(): number;
  close(): Promise<void>;
}

/** Fan-out to this process's subscribers; the building block of both hubs. */
export class LocalFanout {
  private readonly byUser = new Map<string, Set<SyncEventListener>>();
  private count = 0;

  subscribe(userId: string, listener: SyncEventListener): () => void {
    let set = this.byUser.get(userId);
    if (!set) this.byUser.set(userId, (set = new Set()));
    set.add(listener);
    this.count++;
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      this.count--;
      set.delete(listener);
      if (set.size === 0 && this.byUser.get(userId) === set) this.byUser.delete(userId);
    };
  }

  emit(userId: string, event: SyncEvent): void {
    const set = this.byUser.get(userId);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(event);
      } catch {
        // One broken subscriber must not stop the others.
      }
    }
  }

  emitAll(event: SyncEvent): void {
    for (const userId of [...this.byUser.keys()]) this.emit(userId, event);
  }

  size(): number {
    return this.count;
  }
}

export class LocalEventHub implements EventHub {
  private readonly fanout = new LocalFanout();
  private readonly control = new ControlFanout();

  async publishControl(notice: ControlNotice): Promise<void> {
    this.control.emit(notice);
  }

  onControl(listener: ControlListener): () => void {
    return this.control.on(listener);
  }

  async publishWith(_trx: Kysely<any>, userId: string, event: SyncEvent): Promise<() => void> {
    return () => this.fanout.emit(userId, event);
  }

  async publish(userId: string, event: SyncEvent): Promise<void> {
    this.fanout.emit(userId, event);
  }

  subscribe(userId: string, listener: SyncEventListener): () => void {
    return this.fanout.subscribe(userId, listener);
  }

  subscriberCount(): number {
    return this.fanout.size();
  }

  async close(): Promise<void> {}
}
