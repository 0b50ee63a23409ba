/**
 * Webhook signatures (docs/webhooks.md has the receiver's recipe):
 *
 *   X-RetroSync-Timestamp: <unix seconds when this attempt was sent>
 *   X-RetroSync-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 *   X-RetroSync-Event-Id:  <id, the same on every retry of one delivery: de-duplicate on it>
 *   X-RetroSync-Event:     <event type>
 *
 * The timestamp is inside the signed text, so a receiver that refuses timestamps older than a few
 * minutes refuses replays of a captured request. Each retry is signed afresh with a new timestamp.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const HEADER_SIGNATURE = 'x-retrosync-signature';
export const HEADER_TIMESTAMP = 'x-retrosync-timestamp';
export const HEADER_EVENT_ID = 'x-retrosync-event-id';
export const HEADER_EVENT = 'x-retrosync-event';
/** How old a timestamp the documented receiver recipe accepts. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export function signPayload(secret: string, timestampSeconds: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}

export interface VerifyInput {
  secret: string;
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
  nowSeconds: number;
  toleranceSeconds?: number;
}

/** The receiver's check: a fresh timestamp and a matching signature (compared in constant time). */
export function verifySignature(input: VerifyInput): { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'mismatch' } {
  if (!input.timestamp || !input.signature || !/^\d{1,12}$/.test(input.timestamp)) return { ok: false, reason: 'missing' };
  const ts = Number(input.timestamp);
  if (Math.abs(input.nowSeconds - ts) > (input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(signPayload(input.secret, ts, input.body));
  const match = input.signature.split(',').some((s) => {
    const got = Buffer.from(s.trim());
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
  return match ? { ok: true } : { ok: false, reason: 'mismatch' };
}
