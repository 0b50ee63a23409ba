/**
 * Untrusted time (sync protocol v1.1). Handhelds without an RTC battery boot at 1970 or 2000; a
 * file written before such a reset carries a time that no offset can place on the server's
 * clock, so a corrected time can make old play look newer than another device's save.
 *
 * An edit's file time is **untrusted** when the server cannot place it on its own clock:
 *   - the device clock (`X-Client-Time`) or the file time reads before 2020-01-01, unless the
 *     client sends `X-Time-Trust: observed`;
 *   - the device's clock offset moved by more than 10 minutes since its previous upload or
 *     deletion (a reset or a jump), unless `observed` — and for an hour after such a jump, the
 *     rest of that boot's edits are untrusted too (the catch-up pass after a reboot);
 *   - the file time is more than 5 minutes after the device's own clock now;
 *   - the client says `X-Time-Trust: untrusted` (its clock went back since the last sync).
 *
 * An untrusted time never wins a conflict (see conflict-rule.ts). Pure: the server passes in what
 * it stored for the device and stores `next`.
 */

/** No save of a real player was written before this (epoch ms, 2020-01-01T00:00:00Z). */
export const PLAUSIBLE_FLOOR_MS = Date.UTC(2020, 0, 1);
/** An offset change larger than this between two writes is a clock reset or jump. */
export const CLOCK_JUMP_MS = 10 * 60_000;
/** A file time this far after the device's own clock was written under another clock. */
export const FILE_AHEAD_MS = 5 * 60_000;
/** After a jump, the same boot's edits stay untrusted this long (a device without a boot token: the same). */
export const JUMP_HOLD_MS = 60 * 60_000;

/** The client's own verdict on an edit's file time (`X-Time-Trust`). */
export type TimeTrustClaim = 'observed' | 'untrusted';

export type UntrustedReason = 'client_untrusted' | 'before_floor' | 'file_ahead_of_clock' | 'clock_jump';

/** What the server keeps per device between writes to detect a jump. */
export interface DeviceTimeState {
  /** Device clock − server clock at the device's last upload or deletion, ms. */
  offsetMs: number;
  /** Server time of that write. */
  seenAt: number;
  /** `X-Client-Boot` of that write (null when not sent). */
  boot: string | null;
  /** Server time a jump was last detected, and the boot it was detected in. */
  jumpAt: number | null;
  jumpBoot: string | null;
}

export interface EditTimeInput {
  /** Server time the request arrived. */
  receivedAt: number;
  /** `X-Client-Time`: the device clock now (null: not sent). */
  clientTime: number | null;
  /** `X-File-Mtime`: the device's file time (null: not sent). */
  fileMtime: number | null;
  /** `X-Client-Boot`. */
  boot: string | null;
  /** `X-Time-Trust`. */
  claim: TimeTrustClaim | null;
  /** What was stored for the device at its previous write (null: none yet). */
  previous: DeviceTimeState | null;
}

export interface EditTimeJudgement {
  trusted: boolean;
  reasons: UntrustedReason[];
  /** The device state to store (null when the request carried no device clock: keep the old one). */
  next: DeviceTimeState | null;
}

/** Judges an edit's file time; see the module comment for the rules. */
export function judgeEditTime(input: EditTimeInput): EditTimeJudgement {
  const { receivedAt, clientTime, fileMtime, boot, claim, previous } = input;
  const observed = claim === 'observed';
  const reasons: UntrustedReason[] = [];
  if (claim === 'untrusted') reasons.push('client_untrusted');
  const beforeFloor = (clientTime !== null && clientTime < PLAUSIBLE_FLOOR_MS) || (fileMtime !== null && fileMtime < PLAUSIBLE_FLOOR_MS);
  if (beforeFloor && !observed) reasons.push('before_floor');
  if (clientTime !== null && fileMtime !== null && fileMtime > clientTime + FILE_AHEAD_MS) reasons.push('file_ahead_of_clock');

  let next: DeviceTimeState | null = null;
  let jumped = false;
  if (clientTime !== null) {
    const offsetMs = clientTime - receivedAt;
    jumped = previous !== null && Math.abs(offsetMs - previous.offsetMs) > CLOCK_JUMP_MS;
    next = {
      offsetMs,
      seenAt: receivedAt,
      boot,
      jumpAt: jumped ? receivedAt : (previous?.jumpAt ?? null),
      jumpBoot: jumped ? boot : (previous?.jumpBoot ?? null),
    };
  }
  const recentJump =
    previous?.jumpAt != null && receivedAt - previous.jumpAt <= JUMP_HOLD_MS && (boot === null || previous.jumpBoot === null || previous.jumpBoot === boot);
  if ((jumped || recentJump) && !observed) reasons.push('clock_jump');
  return { trusted: reasons.length === 0, reasons, next };
}

/** Parses `X-Time-Trust` (case-insensitive); null when absent or empty. Throws on any other value. */
export function parseTimeTrust(value: string | undefined): TimeTrustClaim | null {
  const text = value?.trim().toLowerCase() ?? '';
  if (text === '') return null;
  if (text === 'observed' || text === 'untrusted') return text;
  throw new RangeError('X-Time-Trust must be observed or untrusted');
}
