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
    const source = new EventSource(EVENTS_URL, { withCredentials: true });
    let wasOpen = false;
    let dropped = false;
    source.onopen = () => {
      setState('open');
      if (wasOpen && dropped) emit({ type: 'resync', data: null });
      wasOpen = true;
      dropped = false;
    };
    source.onerror = () => {
      dropped = true;
      // The browser retries on its own unless the server refused the stream outright.
      setState(source.readyState === EventSource.CLOSED ? 'closed' : 'connecting');
    };
    source.onmessage = (message) => emit({ type: 'message', data: parse(message.data) });
    const named = EVENT_TYPES.map((type) => {
      const handler = (message: MessageEvent<string>) => emit({ type, data: parse(message.data) });
      source.addEventListener(type, handler);
      return [type, handler] as const;
    });
    return () => {
      for (const [type, handler] of named) source.removeEventListener(type, handler);
      source.close();
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
