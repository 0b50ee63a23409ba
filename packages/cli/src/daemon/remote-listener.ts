/**
 * Learns of remote changes: Server-Sent Events from `/api/sync/events` (a `save` from another
 * device → a remote pass), reconnecting with backoff and catching up on each connect; when the
 * server offers no event stream, a long poll on `/api/sync/files?since=&wait=` instead.
 */
import { readEventStream } from '../net/events.js';
import { Backoff } from '../net/backoff.js';
import type { Remote, RemoteHead } from '../net/remote.js';
import type { Logger } from '../state/log.js';

export interface ListenerOptions {
  server: string;
  /** Read at each connect (a rotated key is used from the next connection on). */
  apiKey: string | (() => string);
  remote: Remote;
  log: Logger;
  /** The feed cursor this device has processed (for the long poll). */
  cursor: () => number | null;
  /** Something changed on the server; `hint` is the pushed head when the event carried one. */
  onChange: (hint?: RemoteHead) => void;
  /** Any other event (`lease`, `key`, …) with its data. */
  onEvent?: (name: string, data: unknown) => void;
  /** Long-poll wait, seconds. */
  waitSeconds?: number;
  /** Delays between reconnects (default 1 → 60 s). */
  backoff?: Backoff;
}

export class RemoteListener {
  private readonly abort = new AbortController();
  private readonly backoff: Backoff;
  mode: 'sse' | 'long-poll' | 'connecting' = 'connecting';
  private loop: Promise<void> | null = null;

  constructor(private readonly o: ListenerOptions) {
    this.backoff = o.backoff ?? new Backoff();
  }

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
              this.o.onEvent?.(name, data);
              if (name === 'hello' || name === 'resync') this.o.onChange();
              else if (name === 'save') {
                const e = data as Partial<RemoteHead>;
                if (e.deviceId === this.o.remote.deviceId) return;
                const ok = typeof e.key === 'string' && typeof e.version === 'number' && typeof e.sha256 === 'string';
                this.o.onChange(ok ? { key: e.key as string, version: e.version as number, sha256: e.sha256 as string, size: e.size ?? 0, deleted: e.deleted === true, deviceId: e.deviceId ?? null, fileMtime: null, correctedMtime: 0 } : undefined);
              }
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
