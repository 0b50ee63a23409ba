/**
 * Untrusted time, the client's side (docs/protocol.md, "Untrusted time"). Handhelds without an
 * RTC battery boot at 1970 or 2000, so a file time can only be trusted when the device can place
 * it on the server's clock. The client records, at every server reply, the boot, the monotonic
 * uptime, the device time and the server time; from them it tells:
 *   - the clock went back since the last sync: a new boot whose clock reads earlier than the last
 *     device time recorded (or than the last server time plus the offset then), or, in the same
 *     boot, less wall time passed than monotonic time → this boot's file times are `untrusted`;
 *   - a file changed during this boot after the device heard from the server in this boot (the
 *     server has learnt this boot's offset) → `observed`;
 *   - otherwise no verdict: the server judges the time by itself.
 */
import type { DeviceClock } from './device-clock.js';
import type { TimeTrust } from '../net/remote.js';
import type { SyncState } from '../state/sync-state.js';

/** Clock corrections smaller than this (NTP steps) are not a reset. */
export const CLOCK_BACK_TOLERANCE_MS = 60_000;

/**
 * Called at the start of a pass, before any request: notes a boot whose clock went back since the
 * last recorded server reply. Returns a description of the jump, or null.
 */
export function checkClock(state: SyncState, clock: DeviceClock): string | null {
  const c = state.data.clock;
  if (c.deviceTimeMs === null || c.boot === null) return null;
  const now = clock.now();
  let why: string | null = null;
  if (c.boot !== clock.boot) {
    if (now < c.deviceTimeMs - CLOCK_BACK_TOLERANCE_MS) why = `the clock reads ${new Date(now).toISOString()}, before the last sync (${new Date(c.deviceTimeMs).toISOString()})`;
    else if (c.serverTimeMs !== null && c.offsetMs !== null && now < c.serverTimeMs + c.offsetMs - CLOCK_BACK_TOLERANCE_MS) why = `the clock reads ${new Date(now).toISOString()}, before the last server time seen`;
  } else if (c.uptimeMs !== null) {
    const wall = now - c.deviceTimeMs;
    const mono = clock.uptimeMs() - c.uptimeMs;
    if (wall < mono - CLOCK_BACK_TOLERANCE_MS) why = `the clock went back ${Math.round((mono - wall) / 1000)} s since the last sync`;
  }
  if (why === null) return null;
  c.untrustedBoot = clock.boot;
  c.contactBoot = null; // the offset learnt earlier in this boot no longer holds
  c.contactDeviceTimeMs = null;
  state.touch();
  return why;
}

/** Records a reply's `X-Server-Time` (the newest one wins) with this device's clocks at that moment. */
export function noteServerTime(state: SyncState, clock: DeviceClock, serverTimeMs: number): void {
  const c = state.data.clock;
  const now = clock.now();
  c.boot = clock.boot;
  c.uptimeMs = clock.uptimeMs();
  c.deviceTimeMs = now;
  c.offsetMs = now - serverTimeMs;
  c.serverTimeMs = Math.max(c.serverTimeMs ?? 0, serverTimeMs);
  if (c.contactBoot !== clock.boot) {
    c.contactBoot = clock.boot;
    c.contactDeviceTimeMs = now;
    state.touch();
  }
}

/** The newest server time seen, for `X-Last-Server-Time`. */
export function lastServerTime(state: SyncState): number | null {
  return state.data.clock.serverTimeMs;
}

/** The verdict on a local edit whose file time (device clock) is `fileMtimeMs`. */
export function timeTrustOf(state: SyncState, clock: DeviceClock, fileMtimeMs: number): TimeTrust | undefined {
  const c = state.data.clock;
  const observed = c.contactBoot === clock.boot && c.contactDeviceTimeMs !== null && fileMtimeMs >= c.contactDeviceTimeMs && fileMtimeMs <= clock.now() + CLOCK_BACK_TOLERANCE_MS;
  if (observed) return 'observed';
  if (c.untrustedBoot === clock.boot) return 'untrusted';
  return undefined;
}
