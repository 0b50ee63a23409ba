import { useState, type FormEvent } from 'react';

export interface Submit {
  busy: boolean;
  /** The last attempt's error, for <ErrorNotice> and fieldErrors(). */
  error: unknown;
  /** The last attempt succeeded (cleared when the next one starts). */
  done: boolean;
  onSubmit: (event: FormEvent) => void;
}

/**
 * The submit cycle every form shares: no page load, busy while the action runs, the previous
 * error and success cleared, the new error kept. `leavesPage`: the action navigates away on
 * success (sign-in, account deletion), so the form stays busy instead of flickering back.
 */
export function useSubmit(action: () => Promise<void>, options: { leavesPage?: boolean } = {}): Submit {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);

  const run = async () => {
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      await action();
      setDone(true);
      if (!options.leavesPage) setBusy(false);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };

  return {
    busy,
    error,
    done,
    onSubmit: (event) => {
      event.preventDefault();
      void run();
    },
  };
}
