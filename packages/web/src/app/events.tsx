import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { SYNC_EVENT_NAMES } from '@retrosync/api';

/**
 * One Server-Sent Events connection for the whole dashboard (`GET /api/sync/events`,
 * authenticated by the session cookie). Pages subscribe with `useServerEvents` and usually
 * just reload what they show; after a reconnect every subscriber hears `resync`, because
 * events may have been missed while the connection was down.
 */

export type LiveState = 'connecting' | 'open' | 'closed';

export type ServerEvent = { type: string; data: unknown };

type Listener = (event: ServerEvent) => void;

type Events = { state: LiveState; subscribe: (listener: Listener) => () => void };

const EventsContext = createContext<Events | null>(null);

/**
 * Named SSE events the server sends (`hello`, `save`, `conflict`, `device`, `log`, and
 * `resync` when its own delivery was interrupted); unnamed `message` events are passed on too.
 */
const EVENT_TYPES = [...SYNC_EVENT_NAMES, 'resync'] as const;

const EVENTS_URL = '/api/sync/events';
const RECONNECT_MS = 5_000;

function parse(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}

export function EventsProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<LiveState>('connecting');
  const listeners = useRef(new Set<Listener>());
  const events = useRef<Events | null>(null);
  events.current ??= {
    state: 'connecting',
    subscribe: (listener) => {
      listeners.current.add(listener);
      return () => listeners.current.delete(listener);
    },
  };

  useEffect(() => {
    const emit = (event: ServerEvent) => {
      for (const listener of listeners.current) listener(event);
    };
    let source: EventSource | null = null;
    let retry: number | undefined;
    let wasOpen = false;
    let dropped = false;

    const connect = () => {
      const current = new EventSource(EVENTS_URL, { withCredentials: true });
      source = current;
      current.onopen = () => {
        setState('open');
        if (wasOpen && dropped) emit({ type: 'resync', data: null });
        wasOpen = true;
        dropped = false;
      };
      current.onerror = () => {
        dropped = true;
        if (current.readyState !== EventSource.CLOSED) {
          setState('connecting'); // the browser retries on its own
          return;
        }
        // The server refused the stream (e.g. 503 while restarting): try again ourselves.
        setState('closed');
        current.close();
        retry = window.setTimeout(connect, RECONNECT_MS);
      };
      current.onmessage = (message) => emit({ type: 'message', data: parse(message.data) });
      for (const type of EVENT_TYPES) {
        current.addEventListener(type, (message: MessageEvent<string>) => emit({ type, data: parse(message.data) }));
      }
    };

    connect();
    return () => {
      window.clearTimeout(retry);
      source?.close();
    };
  }, []);

  const value = { state, subscribe: events.current.subscribe };
  return <EventsContext.Provider value={value}>{children}</EventsContext.Provider>;
}

export function useLiveState(): LiveState {
  return useContext(EventsContext)?.state ?? 'closed';
}

/**
 * Calls `onEvent` for server events whose type passes `filter` (and for `resync`),
 * at most once per `debounceMs`, so a burst of events triggers one reload.
 */
export function useServerEvents(
  filter: (type: string) => boolean,
  onEvent: (event: ServerEvent) => void,
  debounceMs = 150,
): void {
  const events = useContext(EventsContext);
  const latest = useRef({ filter, onEvent });
  latest.current = { filter, onEvent };
  useEffect(() => {
    if (!events) return;
    let timer: number | undefined;
    let pending: ServerEvent | null = null;
    const unsubscribe = events.subscribe((event) => {
      if (event.type !== 'resync' && !latest.current.filter(event.type)) return;
      pending = event;
      if (timer !== undefined) return;
      timer = window.setTimeout(() => {
        timer = undefined;
        if (pending) latest.current.onEvent(pending);
        pending = null;
      }, debounceMs);
    });
    return () => {
      unsubscribe();
      if (timer !== undefined) window.clearTimeout(timer);
    };
  }, [events, debounceMs]);
}
