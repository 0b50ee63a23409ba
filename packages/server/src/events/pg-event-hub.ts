/**
 * EventHub over PostgreSQL LISTEN/NOTIFY. `publishWith` runs `pg_notify` inside the writing
 * transaction, so the notification is delivered (to every replica, this one included) exactly
 * when the change commits. One dedicated connection per process LISTENs and fans out locally;
 * if it drops, it reconnects with backoff and tells every local subscriber to `resync`.
 */
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { LocalFanout, type EventHub, type SyncEvent, type SyncEventListener } from './event-hub.js';

export const NOTIFY_CHANNEL = 'retrosync_events';

interface Envelope {
  u: string;
  e: SyncEvent;
}

export class PgEventHub implements EventHub {
  private readonly fanout = new LocalFanout();
  private client: pg.Client | null = null;
  private closed = false;
  private retryMs = 100;

  private constructor(
    private readonly url: string,
    private readonly db: Kysely<any>,
  ) {}

  /** Connects the LISTEN connection; resolves once notifications flow. */
  static async start(url: string, db: Kysely<any>): Promise<PgEventHub> {
    const hub = new PgEventHub(url, db);
    await hub.connect();
    return hub;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (msg) => {
      if (msg.channel !== NOTIFY_CHANNEL || !msg.payload) return;
      try {
        const { u, e } = JSON.parse(msg.payload) as Envelope;
        this.fanout.emit(u, e);
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
        // Notifications sent while we were away are lost: every waiter re-reads the feed.
        this.fanout.emitAll({ type: 'resync', data: {} });
      } catch {
        this.retryMs = Math.min(this.retryMs * 2, 5_000);
        setTimeout(() => void attempt(), this.retryMs).unref();
      }
    };
    setTimeout(() => void attempt(), this.retryMs).unref();
  }

  async publishWith(trx: Kysely<any>, userId: string, event: SyncEvent): Promise<() => void> {
    const payload = JSON.stringify({ u: userId, e: event } satisfies Envelope);
    await sql`select pg_notify(${NOTIFY_CHANNEL}, ${payload})`.execute(trx);
    return () => {};
  }

  async publish(userId: string, event: SyncEvent): Promise<void> {
    const payload = JSON.stringify({ u: userId, e: event } satisfies Envelope);
    await sql`select pg_notify(${NOTIFY_CHANNEL}, ${payload})`.execute(this.db);
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
