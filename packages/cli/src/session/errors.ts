/** Turns what went wrong into a line a person can act on, and an exit code. */
import { ApiError } from '@retrosync/api';
import { BadConfigError, NotPairedError } from '../config/config.js';
import { LockedError } from './lock.js';

export const EXIT_TEMPFAIL = 75;

export function explain(err: unknown, server?: string): { message: string; code: number } {
  if (err instanceof NotPairedError || err instanceof BadConfigError) return { message: err.message, code: 1 };
  if (err instanceof LockedError) return { message: err.message, code: 75 };
  if (err instanceof ApiError) {
    if (err.code === 'unauthorized' || err.code === 'wrong_credential_type')
      return { message: `The server refused this device's key (was the device removed in the dashboard?). Run: retrosync unpair, then pair again.`, code: 1 };
    if (err.status >= 500 || err.status === 429) return { message: `${err.message} (${err.code}); try again in a moment.`, code: EXIT_TEMPFAIL };
    return { message: `${err.message} (${err.code})`, code: 1 };
  }
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  if (err instanceof TypeError && /fetch/i.test(err.message)) {
    return {
      message: `Cannot reach ${server ?? 'the server'} (${cause?.code ?? cause?.message ?? err.message}). Check the URL and that the server is running; the daemon retries by itself.`,
      code: EXIT_TEMPFAIL,
    };
  }
  return { message: err instanceof Error ? err.message : String(err), code: 1 };
}
