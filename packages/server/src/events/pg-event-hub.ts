/**
 * EventHub over PostgreSQL LISTEN/NOTIFY. `publishWith` runs `pg_notify` inside the writing
 * transaction, so the notification is delivered (to every replica, this one included) exactly
 * when the change commits. One dedicated connection per process LISTENs and fans out locally;
 * if it drops, it reconnects with backoff and tells every local subscriber to `resync`.
 */
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { ControlFanout, LocalFanout, type ControlListener, type ControlNotice, type EventHub, type SyncEvent, type SyncEventListener } from './event-hub.js';

export const NOTIFY_CHANNEL = 'retrosync_events';

/** A user's event (`u`, `e`) or a control notice (`c`), with the sender's clock (`t`, epoch ms) for the lag metric. */
type Envelope = { u: string; e: SyncEvent; t?: number } | { c: ControlNotice; t?: number };

export interface PgEventHubOptions {
  /** Called with the time from publish (any replica) to arrival here, in ms. */
  onLag?: (ms: number) => void;
}

export class PgEventHub implements EventHub {
  private readonly fanout = new LocalFanout();
  private readonly control = new ControlFanout();
  private client: pg.Client | null = null;
  private closed = false;
  private retryMs = 100;

  private constructor(
    private readonly url: string,
    private readonly db: Kysely<any>,
    private readonly options: PgEventHubOptions,
  ) {}

  /** Connects the LISTEN connection; resolves once notifications flow. */
  static async start(url: string, db: Kysely<any>, options: PgEventHubOptions = {}): Promise<PgEventHub> {
    const hub = new PgEventHub(url, db, options);
    await hub.connect();
    return hub;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (msg) => {
      if (msg.channel !== NOTIFY_CHANNEL || !msg.payload) return;
      try {
        const env = JSON.parse(msg.payload) as Envelope;
        if (typeof env.t === 'number') this.options.onLag?.(Math.max(0, Date.now() - env.t));
        if ('c' in env) this.control.emit(env.c);
        else this.fanout.emit(env.u, env.e);
      } catch {
        // Not ours.
      }
    });
    client.on('error', () => this.reconnect(client));
    client.on('end', () => this.reconnect(client));
    await client.connect();
    await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    this.client = client;
    this.retryMs = 100;
  }

  private reconnect(dead: pg.Client): void {
    if (this.closed || this.client !== dead) return;
    this.client = null;
    void dead.end().catch(() => {});
    const attempt = async (): Promise<void> => {
      if (this.closed) return;
      try {
        await this.connect();
        // Notifications sent while we were away are lost: every waiter re-reads the feed, and
        // key caches forget everything (a revocation may have been among them).
        this.control.emit({ type: 'forget-all' });
        this.fanout.emitAll({ type: 'resync', data: {} });
      } catch {
        this.retryMs = Math.min(this.retryMs * 2, 5_000);
        setTimeout(() => void attempt(), this.retryMs).unref();
      }
    };
    setTimeout(() => void attempt(), this.retryMs).unref();
  }

  async publishWith(trx: Kysely<any>, userId: string, event: SyncEvent): Promise<() => void> {
    const payload = JSON.stringify({ u: userId, e: event, t: Date.now() } satisfies Envelope);
    await sql`select pg_notify(${NOTIFY_CHANNEL}, ${payload})`.execute(trx);
    return () => {};
  }

  async publish(userId: string, event: SyncEvent): Promise<void> {
    await this.notify(JSON.stringify({ u: userId, e: event, t: Date.now() } satisfies Envelope));
  }

  async publishControl(notice: ControlNotice): Promise<void> {
    // This replica acts at once; the others when the notification arrives (and this one again: harmless).
    this.control.emit(notice);
    await this.notify(JSON.stringify({ c: notice, t: Date.now() } satisfies Envelope));
  }

  /**
   * Notifications published outside a transaction in the same turn of the event loop go out
   * together, up to 100 in one statement (in order): a burst — a fleet coming online after a
   * restart — then takes a few pool connections instead of one per event (bench:fleet).
   */
  private pending: { payload: string; done: (err?: unknown) => void }[] = [];

  private notify(payload: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => this.flushNotifications());
      this.pending.push({ payload, done: (err) => (err === undefined ? resolve() : reject(err)) });
    });
  }

  private flushNotifications(): void {
    const batch = this.pending;
    this.pending = [];
    for (let i = 0; i < batch.length; i += 100) {
      const part = batch.slice(i, i + 100);
      const calls = sql.join(part.map((n) => sql`pg_notify(${NOTIFY_CHANNEL}, ${n.payload})`));
      sql`select ${calls}`.execute(this.db).then(
        () => part.forEach((n) => n.done()),
        (err: unknown) => part.forEach((n) => n.done(err ?? new Error('pg_notify failed'))),
      );
    }
  }

  onControl(listener: ControlListener): () => void {
    return this.control.on(listener);
  }

  subscribe(userId: string, listener: SyncEventListener): () => void {
    return this.fanout.subscribe(userId, listener);
  }

  subscriberCount(): number {
    return this.fanout.size();
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }
}
