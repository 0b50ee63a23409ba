/**
 * TOTP (RFC 6238) and recovery codes, pure functions over the clock value they are given.
 *
 * The HOTP/TOTP arithmetic and the otpauth:// URI come from `otpauth` (MIT, no dependency but
 * @noble/hashes, ~4 M downloads a month, checked here against the RFC 6238 appendix B vectors in
 * totp.test.ts). What is ours: the policy around it —
 * - SHA-1, 6 digits, 30 s: what every authenticator app supports (RFC 6238's defaults);
 * - a code is accepted for its own step and one step either side (±30 s of clock drift);
 * - `matchTotp` returns the time step that matched, so the caller can refuse a code of a step
 *   at or before the last one accepted (a code is single use, RFC 6238 §5.2).
 * - 160-bit secrets from the CSPRNG (RFC 4226 §4 recommends 160 bits).
 */
import { randomInt } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one. */
export const TOTP_WINDOW = 1;
export const TOTP_CODE_RE = /^\d{6}$/;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secretBase32: string, label = 'RetroSync', issuer = 'RetroSync'): TOTP {
  return new TOTP({ issuer, label, secret: Secret.fromBase32(secretBase32), algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS });
}

/** The otpauth:// URI authenticator apps read from the QR code. */
export function otpauthUrl(secretBase32: string, account: string, issuer: string): string {
  return totp(secretBase32, account, issuer).toString();
}

/** The time step of `nowMs`. */
export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code of the step containing `nowMs` (tests, and the dashboard e2e test's "authenticator"). */
export function totpCode(secretBase32: string, nowMs: number): string {
  return totp(secretBase32).generate({ timestamp: nowMs });
}

/** The step `code` belongs to if it is valid within ±TOTP_WINDOW steps of `nowMs`, else null. */
export function matchTotp(secretBase32: string, code: string, nowMs: number): number | null {
  if (!TOTP_CODE_RE.test(code)) return null;
  const delta = totp(secretBase32).validate({ token: code, timestamp: nowMs, window: TOTP_WINDOW });
  return delta === null ? null : totpStep(nowMs) + delta;
}

// ── recovery codes ──

/** Crockford's base32 alphabet: no i, l, o, u, so codes read back without confusion. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_CODE_CHARS = 10; // 50 bits each

/** Ten fresh codes, shown as `xxxxx-xxxxx`. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    let s = '';
    for (let i = 0; i < RECOVERY_CODE_CHARS; i++) s += ALPHABET[randomInt(0, ALPHABET.length)];
    return `${s.slice(0, 5)}-${s.slice(5)}`;
  });
}

/** The canonical form of a typed recovery code (case, spaces and dashes ignored; i/l → 1, o → 0), or null if it cannot be one. */
export function normalizeRecoveryCode(input: string): string | null {
  const s = input.toLowerCase().replace(/[\s-]/g, '').replace(/[il]/g, '1').replace(/o/g, '0');
  if (s.length !== RECOVERY_CODE_CHARS) return null;
  for (const ch of s) if (!ALPHABET.includes(ch)) return null;
  return s;
}
