/**
 * The content ledger: every content the system owes the player — each content a device held in a
 * save file when a pass that succeeded started, each content a pass removed from a card, and
 * what the cards hold at the end. A content the player overwrote before any pass could take it
 * was never the system's to keep, so it is not owed.
 */
import { createHash } from 'node:crypto';

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

export function isBlank(b: Uint8Array): boolean {
  return b.length === 0 || b.every((x) => x === 0) || b.every((x) => x === 0xff);
}

export interface Entry {
  sha256: string;
  size: number;
  blank: boolean;
  /** First seen: device, game, step index. */
  dev: string;
  /** The save (`<system>/<game>`) of the file it was first seen in. */
  save: string;
  step: number;
  /** Simulated time (ms) it was last seen on a card: retention may remove it only a full window after. */
  lastSeen: number;
}

export class Ledger {
  readonly entries = new Map<string, Entry>();

  see(bytes: Uint8Array, where: { dev: string; save: string; step: number; now: number }): void {
    const h = sha256(bytes);
    const e = this.entries.get(h);
    if (e) e.lastSeen = Math.max(e.lastSeen, where.now);
    else this.entries.set(h, { sha256: h, size: bytes.length, blank: isBlank(bytes), ...where, lastSeen: where.now });
  }
}
