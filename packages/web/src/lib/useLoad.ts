import { useCallback, useEffect, useRef, useState } from 'react';

export type Loaded<T> = {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again; the data shown stays until the new answer arrives. */
  reload: () => Promise<void>;
};

/**
 * Runs `load` when `key` changes and on `reload()`. Answers that arrive after a newer
 * request started are dropped, so fast filter changes never show stale rows.
 */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const sequence = useRef(0);
  const loader = useRef(load);
  loader.current = load;

  const reload = useCallback(async () => {
    const mine = ++sequence.current;
    setLoading(true);
    try {
      const value = await loader.current();
      if (mine !== sequence.current) return;
      setData(value);
      setError(null);
    } catch (caught) {
      if (mine !== sequence.current) return;
      setError(caught);
    } finally {
      if (mine === sequence.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [key, reload]);

  useEffect(
    () => () => {
      sequence.current += 1;
    },
    [],
  );

  return { data, error, loading, reload };
}
