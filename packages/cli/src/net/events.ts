/**
 * A Server-Sent Events reader for `GET /api/sync/events` over fetch (no extra package): calls
 * `onEvent(name, data)` for each event and resolves when the stream ends; rejects when it
 * cannot connect. Abort with the signal.
 */
import { deviceNow } from '../time/device-clock.js';
export interface EventStreamOptions {
  server: string;
  apiKey: string | (() => string);
  signal: AbortSignal;
  onEvent: (name: string, data: unknown) => void;
  onOpen?: () => void;
  fetch?: typeof fetch;
}

export async function readEventStream(options: EventStreamOptions): Promise<void> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const url = `${options.server.replace(/\/+$/, '')}/api/sync/events`;
  const res = await doFetch(url, {
    headers: { 'x-api-key': typeof options.apiKey === 'function' ? options.apiKey() : options.apiKey, accept: 'text/event-stream', 'x-client-time': String(deviceNow()) },
    signal: options.signal,
  });
  if (!res.ok || !res.body || !(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
    throw new Error(`event stream unavailable (HTTP ${res.status})`);
  }
  options.onOpen?.();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let name = 'message';
  let data: string[] = [];
  const dispatch = () => {
    if (data.length > 0) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.join('\n'));
      } catch {
        parsed = data.join('\n');
      }
      options.onEvent(name, parsed);
    }
    name = 'message';
    data = [];
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, '');
      buffer = buffer.slice(nl + 1);
      if (line === '') dispatch();
      else if (line.startsWith(':')) continue;
      else {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') name = val;
        else if (field === 'data') data.push(val);
      }
    }
  }
}
