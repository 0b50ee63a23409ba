/**
 * Clock-skew correction. Handhelds often have no RTC battery, so their clocks can be hours or
 * years off; comparing raw file times would let such a device win or lose every conflict by that
 * error. Every device request carries the device's clock; the server keeps the offset
 * (device clock − server clock) and compares corrected times.
 */

/**
 * Offset of a device clock from the server clock, in ms (positive: the device is ahead).
 * `receivedAt` is the server time the request arrived; the request's own transit time is
 * negligible against the errors this corrects (minutes to years).
 */
export function clockOffsetMs(clientTimeMs: number, receivedAtMs: number): number {
  return clientTimeMs - receivedAtMs;
}

/**
 * A device's file time translated to server time. The result never lies after `receivedAt`: the
 * file cannot have been written after the server received it, and a time in the future would
 * otherwise win every later conflict.
 */
export function correctedTimeMs(fileMtimeMs: number, offsetMs: number, receivedAtMs: number): number {
  return Math.min(fileMtimeMs - offsetMs, receivedAtMs);
}

/**
 * Parses a time header: epoch milliseconds (digits) or ISO 8601. Returns `null` for anything
 * else, so callers can answer a validation error naming the header.
 */
export function parseTimeHeader(value: string | undefined): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^-?\d+(\.\d+)?$/.test(text)) {
    const n = Math.round(Number(text));
    return Number.isSafeInteger(n) ? n : null;
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return null;
  const n = Date.parse(text);
  return Number.isNaN(n) ? null : n;
}
