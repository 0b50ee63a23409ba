/**
 * The device's clocks as sync sees them: "now" (the wall clock, which an RTC-less handheld resets
 * to 1970 or 2000 on boot), the boot this process runs in, and the monotonic time since it. Every
 * "now" in the client is read through {@link deviceNow}, which adds
 * `RETROSYNC_TEST_CLOCK_OFFSET_MS` when set, so tests can simulate clock resets and jumps; the
 * boot token comes from `RETROSYNC_TEST_BOOT_ID` when set (a simulated reboot), else Linux's
 * `/proc/sys/kernel/random/boot_id`, else a token made when this process started.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { uptime } from 'node:os';

export interface DeviceClock {
  /** The device's wall clock, epoch ms (what it stamps files with). */
  now(): number;
  /** The current boot: ≤ 64 characters of `[A-Za-z0-9._-]`. */
  readonly boot: string;
  /** Monotonic ms since that boot (or since this process started, for a per-process token). */
  uptimeMs(): number;
}

const PROCESS_TOKEN = `p-${randomBytes(8).toString('hex')}`;
const PROCESS_START = performance.now();

function offsetMs(env: NodeJS.ProcessEnv): number {
  const n = Number(env.RETROSYNC_TEST_CLOCK_OFFSET_MS ?? '');
  return Number.isFinite(n) ? Math.round(n) : 0;
}

/** The wall clock every part of the client reads "now" through. */
export function deviceNow(env: NodeJS.ProcessEnv = process.env): number {
  return Date.now() + offsetMs(env);
}

/** A header-safe boot token. */
export function sanitizeBoot(raw: string): string {
  return raw.trim().replace(/[^A-Za-z0-9._-]/g, '').slice(0, 64);
}

function linuxBoot(): string | null {
  try {
    const id = sanitizeBoot(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8'));
    return id === '' ? null : id;
  } catch {
    return null;
  }
}

/** Monotonic ms since the machine booted (`/proc/uptime`, else `os.uptime()`). */
function systemUptimeMs(): number {
  try {
    const s = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    if (Number.isFinite(s)) return Math.round(s * 1000);
  } catch {
    // not Linux
  }
  return Math.round(uptime() * 1000);
}

export function deviceClock(env: NodeJS.ProcessEnv = process.env): DeviceClock {
  const test = env.RETROSYNC_TEST_BOOT_ID ? sanitizeBoot(env.RETROSYNC_TEST_BOOT_ID) : '';
  const linux = test === '' ? linuxBoot() : null;
  const boot = test !== '' ? test : (linux ?? PROCESS_TOKEN);
  const perProcess = test === '' && linux === null;
  return {
    now: () => deviceNow(env),
    boot,
    uptimeMs: () => (perProcess ? Math.round(performance.now() - PROCESS_START) : systemUptimeMs()),
  };
}
