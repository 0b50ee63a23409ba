/**
 * The one table of coded errors. Every error the API returns has a stable `code`, an HTTP
 * status and a default message a person can act on. Servers throw {@link ApiError} with a code
 * from this table; the typed client rethrows the same class from the wire envelope.
 *
 * Adding an error: add a row here (snake_case code, status, message). Never reuse or rename a
 * code; clients branch on it.
 */

export const ERRORS = {
  validation_failed: { status: 400, message: 'The request is invalid; see details for the fields to fix.' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  invalid_key: { status: 400, message: 'The save key is not valid.' },
  checksum_mismatch: { status: 400, message: 'The uploaded bytes do not match the SHA-256 sent with them.' },
  invalid_code: { status: 400, message: 'The pairing code is wrong, expired or already used.' },
  unauthorized: { status: 401, message: 'Sign in or send a valid device API key.' },
  invalid_credentials: { status: 401, message: 'Email or password is wrong.' },
  token_expired: { status: 401, message: 'Your session has expired; sign in again.' },
  forbidden: { status: 403, message: 'This belongs to another account.' },
  wrong_credential_type: { status: 403, message: 'This endpoint needs a different kind of credential (user sign-in or device key).' },
  not_found: { status: 404, message: 'Not found.' },
  route_not_found: { status: 404, message: 'No such endpoint; see /api/openapi.json.' },
  code_not_found: { status: 404, message: 'No pending device code matches; request a new one.' },
  method_not_allowed: { status: 405, message: 'This method is not allowed here.' },
  email_taken: { status: 409, message: 'An account with this email already exists.' },
  conflict: { status: 409, message: 'The request conflicts with the current state.' },
  version_is_head: { status: 409, message: 'The current version of a save cannot be deleted; delete the whole save, or restore another version first.' },
  save_excluded: { status: 409, message: "This device's sync filter excludes this save; change the filter (dashboard → device, or retrosync filter) to sync it." },
  request_timeout: { status: 408, message: 'The request took too long to arrive; send it again.' },
  code_expired: { status: 410, message: 'The code has expired or was already used; create a new one.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  quota_exceeded: { status: 413, message: 'Your storage quota is used up; delete old saves or upgrade.' },
  unsupported_media_type: { status: 415, message: 'Unsupported Content-Type; send application/json.' },
  device_limit_reached: { status: 403, message: 'Your plan allows no more devices; remove one first.' },
  header_too_large: { status: 431, message: 'The request headers are too large.' },
  rate_limited: { status: 429, message: 'Too many attempts; wait and try again.' },
  pairing_busy: { status: 429, message: 'Too many pairing codes are waiting right now; try again in a few minutes.' },
  webhook_url_refused: { status: 400, message: 'This webhook URL is not allowed; see the message for why.' },
  webhook_limit_reached: { status: 403, message: 'This account has as many webhooks as allowed; delete one first.' },
  internal_error: { status: 500, message: 'Something went wrong on the server.' },
  storage_unavailable: { status: 503, message: 'The storage backend is unavailable; try again shortly.' },
  insufficient_storage: { status: 507, message: 'The server is out of storage.' },
  invalid_two_factor_code: { status: 401, message: 'The two-factor code is wrong or was already used; wait for the next code or use a recovery code.' },
  two_factor_challenge_expired: { status: 401, message: 'This sign-in has expired or was already used; enter your email and password again.' },
  two_factor_enabled: { status: 409, message: 'Two-factor sign-in is already on; turn it off first to set it up again.' },
  two_factor_not_enabled: { status: 409, message: 'Two-factor sign-in is not on for this account.' },
  two_factor_not_started: { status: 409, message: 'Start the two-factor set-up first (it shows the QR code), then confirm it with a code.' },
  two_factor_key_mismatch: { status: 503, message: "The server cannot read this account's two-factor secret (its key changed); ask the server's operator to restore TWO_FACTOR_KEY." },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERRORS, value);
}

export type ErrorDetails = Record<string, unknown>;

/** One field named in a `validation_failed` error: where it was (`body`, `query`, `params`, `headers`), its path, and why. */
export interface FieldIssue {
  in: 'body' | 'query' | 'params' | 'headers';
  field: string;
  message: string;
}

/** Thrown by servers and by the typed client. `status` always follows the table. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: ErrorDetails,
    /** Extra response headers (e.g. `Retry-After`). Not sent over the wire in the body. */
    readonly headers?: Record<string, string>,
  ) {
    super(message ?? ERRORS[code].message);
    this.status = ERRORS[code].status;
  }

  toEnvelope(): ErrorEnvelope {
    const body: ErrorEnvelope = { success: false, error: this.message, code: this.code };
    if (this.details !== undefined) body.details = this.details;
    return body;
  }
}

/** Success envelope: `{success: true, message?, data}`. */
export interface SuccessEnvelope<T> {
  success: true;
  message?: string;
  data: T;
}

/** Error envelope: `{success: false, error, code, details?}`. */
export interface ErrorEnvelope {
  success: false;
  error: string;
  code: string;
  details?: ErrorDetails;
}

export type Envelope<T> = SuccessEnvelope<T> | ErrorEnvelope;
