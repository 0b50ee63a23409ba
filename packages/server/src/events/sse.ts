/**
 * Server-Sent Events writer: `event: <name>\ndata: <json>\n\n`, a `: ping` comment every
 * `heartbeatMs` (25 s) so proxies and NATs keep the connection, and clean-up on disconnect.
 */
import type { ServerResponse } from 'node:http';
import type { EventHub, SyncEvent } from './event-hub.js';

export const SSE_HEARTBEAT_MS = 25_000;

export interface SseStreamOptions {
  hub: EventHub;
  userId: string;
  res: ServerResponse;
  hello: Record<string, unknown>;
  heartbeatMs?: number;
  /** Rewrites or hides (null) an event before it is sent (a device's selective-sync filter). */
  transform?: (event: SyncEvent) => SyncEvent | null;
  /** Ends the stream (server shutting down). */
  signal?: AbortSignal;
  /** The device holding the stream: it ends as soon as that device is revoked on any replica. */
  deviceId?: string | null;
  /** A user session's issue time (ms): the stream ends when the user's sessions before a later instant are signed out. */
  sessionIssuedAt?: number | null;
}

export function formatSse(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Takes over `res` until the client disconnects. Resolves when the stream ends. */
export function streamEvents(options: SseStreamOptions): Promise<void> {
  const { res, hub, userId } = options;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-content-type-options': 'nosniff',
  });
  res.write(`retry: 2000\n${formatSse('hello', options.hello)}`);
  const unsubscribe = hub.subscribe(userId, (e) => {
    const event = options.transform ? options.transform(e) : e;
    if (event === null) return;
    if (event.type === 'resync') {
      res.write(formatSse('resync', {}));
      return;
    }
    res.write(formatSse(event.type, event.data));
  });
  const offControl = hub.onControl((notice) => {
    const revoked =
      (notice.type === 'forget-device' && options.deviceId && notice.deviceId === options.deviceId) ||
      (notice.type === 'forget-user' && notice.userId === userId) ||
      (notice.type === 'sign-out' && notice.userId === userId && options.sessionIssuedAt != null && options.sessionIssuedAt < notice.before);
    if (revoked) res.end();
  });
  const ping = setInterval(() => res.write(': ping\n\n'), options.heartbeatMs ?? SSE_HEARTBEAT_MS);
  return new Promise((resolve) => {
    const end = () => {
      clearInterval(ping);
      unsubscribe();
      offControl();
      options.signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => res.end();
    if (options.signal?.aborted) res.end();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    res.on('close', end);
  });
}
