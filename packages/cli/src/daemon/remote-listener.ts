/**
 * Learns of remote changes: Server-Sent Events from `/api/sync/events` (a `save` from another
 * device → a remote pass), reconnecting with backoff and catching up on each connect; when the
 * server offers no event stream, a long poll on `/api/sync/files?since=&wait=` instead.
 */
import { readEventStream } from '../net/events.js';
import { Backoff } from '../net/backoff.js';
import type { Remote } from '../net/remote.js';
import type { Logger } from '../state/log.js';

export interface ListenerOptions {
  server: string;
  apiKey: string;
  remote: Remote;
  log: Logger;
  /** The feed cursor this device has processed (for the long poll). */
  cursor: () => number | null;
  onChange: () => void;
  /** Long-poll wait, seconds. */
  waitSeconds?: number;
}

export class RemoteListener {
  private readonly abort = new AbortController();
  private readonly backoff = new Backoff();
  mode: 'sse' | 'long-poll' | 'connecting' = 'connecting';
  private loop: Promise<void> | null = null;

  constructor(private readonly o: ListenerOptions) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop?.catch(() => undefined);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.abort.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  }

  private async run(): Promise<void> {
    let sseFailures = 0;
    while (!this.abort.signal.aborted) {
      if (sseFailures < 3) {
        try {
          await readEventStream({
            server: this.o.server,
            apiKey: this.o.apiKey,
            signal: this.abort.signal,
            onOpen: () => {
              this.mode = 'sse';
              sseFailures = 0;
              this.backoff.reset();
              this.o.log.debug('listening for changes (server-sent events)');
            },
            onEvent: (name, data) => {
              if (name === 'hello' || name === 'resync') this.o.onChange();
              else if (name === 'save' && (data as { deviceId?: string | null }).deviceId !== this.o.remote.deviceId) this.o.onChange();
            },
          });
          if (this.abort.signal.aborted) return;
        } catch (err) {
          if (this.abort.signal.aborted) return;
          sseFailures++;
          this.o.log.debug(`event stream: ${(err as Error).message}`);
        }
        await this.sleep(this.backoff.next());
        continue;
      }
      // No event stream from this server: long poll instead.
      this.mode = 'long-poll';
      try {
        const page = await this.o.remote.listFiles({ since: this.o.cursor(), wait: this.o.waitSeconds ?? 30, signal: this.abort.signal });
        this.backoff.reset();
        if (page.files.length > 0) {
          this.o.onChange();
          await this.sleep(250); // let the pass move the cursor past these changes
        }
      } catch (err) {
        if (this.abort.signal.aborted) return;
        this.o.log.debug(`long poll: ${(err as Error).message}`);
        await this.sleep(this.backoff.next());
        if (sseFailures >= 3) sseFailures = 2; // try the event stream again now and then
      }
    }
  }
}
