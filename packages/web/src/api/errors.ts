import { ApiError } from '@retrosync/api';

/** The message to show a person for any failure: the API's own words when the API answered. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return 'Cannot reach the RetroSync server. Check your connection and try again.';
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}

/** Field messages from a `validation_failed` error, keyed by field name. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError) || error.code !== 'validation_failed') return {};
  // The server names each bad field: details.fields = [{in, field, message}].
  const issues = (error.details as { fields?: unknown } | undefined)?.fields;
  const out: Record<string, string> = {};
  if (Array.isArray(issues)) {
    for (const issue of issues) {
      if (issue && typeof issue === 'object' && 'field' in issue && 'message' in issue) {
        const field = String((issue as { field: unknown }).field);
        out[field] ??= String((issue as { message: unknown }).message);
      }
    }
  }
  return out;
}

export function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}
