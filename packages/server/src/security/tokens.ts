/**
 * Random secrets and their hashes.
 * - Device API keys: 256 bits from the CSPRNG, 64 hex chars, shown once; stored as SHA-256 hex
 *   (a fast hash is right here: the key has 256 bits of entropy, so no dictionary exists, and an
 *   indexed equality lookup on the hash finds the device in one query).
 * - Poll tokens (device-shown code flow): same construction.
 * - Pairing codes: 6 digits (or 12 when short codes are paused; http/limits.ts), uniform via `crypto.randomInt`.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';

export const API_KEY_RE = /^[0-9a-f]{64}$/;

export function newApiKey(): string {
  return randomBytes(32).toString('hex');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export function newPairingCode(digits: 6 | 12 = 6): string {
  const six = () => randomInt(0, 1_000_000).toString().padStart(6, '0');
  return digits === 6 ? six() : six() + six();
}
