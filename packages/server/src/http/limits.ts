/**
 * The server's guessing limits, with the arithmetic behind them.
 *
 * Every limit counts the attempt BEFORE the secret is checked, atomically (counter-store.ts:
 * `add` returns the new value), and refuses when the returned value is over the limit; an
 * attempt that succeeds (or is refused anyway) is given back. So at any moment the counted
 * attempts are the failures plus those in flight, and no burst of concurrent requests — from
 * one process or from R replicas sharing PostgreSQL — gets more than `limit` checked.
 *
 * ── Pairing codes (both flows: the device types a dashboard code, or the signed-in owner types
 *    a code a device shows) ──
 *   Short codes have 6 digits, N₆ = 10^6; long codes 12 digits, N₁₂ = 10^12; uniform from the
 *   CSPRNG. A code lives 15 minutes = one window W, so it overlaps at most 2 windows.
 *   - At most L₆ short codes are live server-wide (PAIRING_MAX_LIVE_CODES, 4) and at most G₆
 *     wrong short guesses are checked server-wide per window (PAIRING_GLOBAL_FAILURES, 10).
 *   - At most L₁₂ long codes are live (PAIRING_MAX_LONG_CODES, 1,000) and at most G₁₂ wrong long
 *     guesses are checked per window (PAIRING_LONG_FAILURES, 5,000).
 *   A guess is compared only with codes of its own length and matches at most one live code, with
 *   probability ≤ L/N. Over one code's lifetime at most 2G guesses of its length are checked, so
 *   by the union bound
 *       P(an attacker hits any live code) ≤ 2·G₆·L₆/N₆ + 2·G₁₂·L₁₂/N₁₂
 *                                        = 2·10·4/10^6 + 2·5000·1000/10^12
 *                                        = 8·10^-5 + 1·10^-5 = 9·10^-5 < 10^-4.
 *   This holds for any number of replicas (the counters and the live codes are in the shared
 *   database) and any concurrency (count first, then check). `pairingGuessBound` computes it;
 *   loadConfig refuses settings that break it.
 *   No lock-out: when the short budget is spent in the current window, or L₆ short codes are
 *   live, a new code gets 12 digits instead of being refused — an attacker who burns the short
 *   budget (or holds the short slots) only makes codes longer for 15 minutes. A short code created
 *   before the attack is refused with a message saying to create a new (longer) one. Only
 *   G₁₂ = 5,000 wrong long guesses per window (≥ 1,000 addresses at 5 each) or L₁₂ = 1,000 live
 *   long codes (≥ 200 addresses at 5 requests each) stop pairing, for that window.
 *   Per address: PAIRING_IP_FAILURES (5) checked wrong guesses per window, PAIRING_IP_CODE_REQUESTS
 *   (5) device-shown codes requested per window. Per signed-in user (linking a device-shown code):
 *   PAIRING_USER_FAILURES (5) per window. A user holds one live dashboard code (a new one cancels
 *   the old), so codes requested by strangers never take a user's slot.
 *
 * ── Sign-in (and the password checks of password change / account deletion) ──
 *   Per address: LOGIN_IP_FAILURES (10) checked wrong passwords per 15 minutes.
 *   Per account (all addresses together): after LOGIN_ACCOUNT_FAILURES (5) wrong passwords in a
 *   window, an address the account has not signed in from in the last 30 days gets one attempt
 *   per LOGIN_ACCOUNT_SPACING_SECONDS (10 s) per account — a short wait (429 with Retry-After ≤
 *   10 s), never a wall. Addresses the account signed in from are not throttled by the account
 *   counter at all, so a botnet guessing an account cannot keep its owner out, and there is no
 *   server-wide budget to exhaust. What a botnet gets at one account: ≤ 5 + 90 guesses per 15
 *   minutes (≈ 9,100 a day), each an argon2id check.
 *
 * ── Two-factor codes (the second sign-in step, and enabling/disabling two-factor sign-in) ──
 *   Counted like passwords, before the check, given back on success: per address
 *   LOGIN_IP_FAILURES (10) per 15 minutes, per account TWO_FACTOR_ACCOUNT_FAILURES (10) per 15
 *   minutes, and a sign-in challenge dies after 5 wrong codes (then the password is needed
 *   again). A guess hits with probability ≤ 3/10^6 (the code of the current step or either
 *   neighbour), so an attacker who already has the password gets ≤ 960 guesses a day at one
 *   account: ≤ 0.3 % a day, and every failure is in the account's audit log. The per-account
 *   budget is a wall (unlike the password one): only someone who knows the password can spend it.
 *
 * ── Registration ──
 *   REGISTER_IP_LIMIT (10) attempts per address per hour, successful or not: this bounds both
 *   mass account creation and probing which emails exist (register answers 409 email_taken for a
 *   taken email — a self-hosted server's operator accepts that; sign-in never tells).
 */
import { createHash } from 'node:crypto';
import { ApiError, type ErrorCode } from '@retrosync/api';
import type { Clock } from '../clock.js';
import type { Config, PairingLimits } from '../config.js';
import { windowStart, type CounterStore } from './counter-store.js';

export const SHORT_CODE_SPACE = 1e6;
export const LONG_CODE_SPACE = 1e12;
/** The bound the pairing limits must keep. */
export const PAIRING_BOUND = 1e-4;
/** How long a successful sign-in makes its address "known" to the account. */
export const KNOWN_ADDRESS_MS = 30 * 24 * 3600_000;
export const REGISTER_WINDOW_MS = 3600_000;

/** P(an attacker hits any live pairing code in its lifetime) under these settings (see above). */
export function pairingGuessBound(p: Pick<PairingLimits, 'maxLiveCodes' | 'globalFailures' | 'maxLongCodes' | 'longFailures'>): number {
  return (2 * p.globalFailures * p.maxLiveCodes) / SHORT_CODE_SPACE + (2 * p.longFailures * p.maxLongCodes) / LONG_CODE_SPACE;
}

export interface Budget {
  key: string;
  limit: number;
  windowMs: number;
  message: string;
  code?: ErrorCode;
  details?: Record<string, unknown>;
}

/** Attempts counted by {@link Limits.take}; give them back with {@link Limits.refund}. */
export interface Ticket {
  now: number;
  taken: Array<Pick<Budget, 'key' | 'windowMs'>>;
}

export type CodeClass = 'short' | 'long';

const hashId = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);

function wait(seconds: number): string {
  return seconds < 120 ? `${seconds} second(s)` : `${Math.ceil(seconds / 60)} minute(s)`;
}

export class Limits {
  constructor(
    readonly store: CounterStore,
    private readonly config: Pick<Config, 'pairing' | 'login' | 'registerIpLimit' | 'account'>,
    private readonly clock: Clock,
  ) {}

  private refusal(b: Budget, now: number): ApiError {
    const retry = Math.max(1, Math.ceil((windowStart(b.windowMs, now) + b.windowMs - now) / 1000));
    return new ApiError(b.code ?? 'rate_limited', `${b.message} Try again in ${wait(retry)}.`, { retryAfterSeconds: retry, ...b.details }, { 'retry-after': String(retry) });
  }

  /** Counts one attempt against every budget, in order; over any → gives them all back and throws 429. */
  async take(budgets: Budget[], ticket: Ticket = { now: this.clock.now(), taken: [] }): Promise<Ticket> {
    for (const b of budgets) {
      const n = await this.store.add(b.key, b.windowMs, ticket.now);
      ticket.taken.push(b);
      if (n > b.limit) {
        await this.refund(ticket);
        throw this.refusal(b, ticket.now);
      }
    }
    return ticket;
  }

  /** Gives back the attempts of a ticket (the attempt succeeded, or was not checked). */
  async refund(ticket: Ticket): Promise<void> {
    const taken = ticket.taken.splice(0);
    for (const b of taken) await this.store.add(b.key, b.windowMs, ticket.now, -1);
  }

  // ── pairing ──

  /** Counts a pairing guess of this length before it is checked (per address, per user when signed in, server-wide per length). */
  pairingGuess(ip: string, codeClass: CodeClass, userId?: string): Promise<Ticket> {
    const p = this.config.pairing;
    const budgets: Budget[] = [{ key: `pair:ip:${ip}`, limit: p.ipFailures, windowMs: p.windowMs, message: 'Too many wrong pairing codes from this address.' }];
    if (userId) budgets.push({ key: `pair:user:${userId}`, limit: p.userFailures, windowMs: p.windowMs, message: 'Too many wrong pairing codes on this account.' });
    budgets.push(
      codeClass === 'short'
        ? {
            key: 'pair:global:short',
            limit: p.globalFailures,
            windowMs: p.windowMs,
            message: 'Six-digit pairing codes are paused after too many wrong guesses on this server: create a new code (it will have 12 digits) and use that.',
            details: { createNewCode: true },
          }
        : { key: 'pair:global:long', limit: p.longFailures, windowMs: p.windowMs, message: 'Too many wrong pairing codes on this server.' },
    );
    return this.take(budgets);
  }

  /** True while new codes must be long: the short guess budget of this window is spent. */
  async shortCodesPaused(): Promise<boolean> {
    const p = this.config.pairing;
    return (await this.store.get('pair:global:short', p.windowMs, this.clock.now())) >= p.globalFailures;
  }

  /** Counts a device-shown code request from this address. */
  async deviceCodeRequest(ip: string): Promise<void> {
    const p = this.config.pairing;
    await this.take([{ key: `pair:req:${ip}`, limit: p.ipCodeRequests, windowMs: p.windowMs, message: 'Too many device codes requested from this address.' }]);
  }

  // ── sign-in ──

  /**
   * Counts a password check for `account` (a normalised email, or `user:<id>`) from `ip` before
   * it happens: per address, and per account with the spacing for unknown addresses.
   */
  async passwordAttempt(ip: string, account: string): Promise<Ticket> {
    const l = this.config.login;
    const acct = hashId(account);
    const ticket = await this.take([{ key: `login:ip:${ip}`, limit: l.ipFailures, windowMs: l.windowMs, message: 'Too many failed sign-in attempts from this address.' }]);
    const n = await this.store.add(`login:acct:${acct}`, l.windowMs, ticket.now);
    ticket.taken.push({ key: `login:acct:${acct}`, windowMs: l.windowMs });
    if (n > l.accountFailures && !(await this.isKnownAddress(acct, ip, ticket.now))) {
      const spacing: Budget = {
        key: `login:slot:${acct}`,
        limit: 1,
        windowMs: l.accountSpacingMs,
        message: 'This account is receiving many wrong passwords, so sign-ins from new addresses are spaced out.',
      };
      const s = await this.store.add(spacing.key, spacing.windowMs, ticket.now);
      if (s > 1) {
        // The slot counter is not given back: it only spaces attempts.
        await this.refund(ticket);
        throw this.refusal(spacing, ticket.now);
      }
    }
    return ticket;
  }

  /** The password was right: the attempt is given back and the address becomes known to the account. */
  async passwordSucceeded(ticket: Ticket, ip: string, account: string): Promise<void> {
    await this.refund(ticket);
    await this.store.add(`login:known:${hashId(account)}:${ip}`, KNOWN_ADDRESS_MS, ticket.now);
  }

  private async isKnownAddress(acct: string, ip: string, now: number): Promise<boolean> {
    const key = `login:known:${acct}:${ip}`;
    return (await this.store.get(key, KNOWN_ADDRESS_MS, now)) > 0 || (await this.store.get(key, KNOWN_ADDRESS_MS, now - KNOWN_ADDRESS_MS)) > 0;
  }

  // ── two-factor codes ──

  /** Counts a two-factor code check for this account from this address before it happens. */
  twoFactorAttempt(ip: string, userId: string): Promise<Ticket> {
    const l = this.config.login;
    return this.take([
      { key: `2fa:ip:${ip}`, limit: l.ipFailures, windowMs: l.windowMs, message: 'Too many wrong two-factor codes from this address.' },
      { key: `2fa:user:${hashId(userId)}`, limit: this.config.account.twoFactorAccountFailures, windowMs: l.windowMs, message: 'Too many wrong two-factor codes on this account.' },
    ]);
  }

  // ── registration ──

  async registration(ip: string): Promise<void> {
    await this.take([{ key: `register:ip:${ip}`, limit: this.config.registerIpLimit, windowMs: REGISTER_WINDOW_MS, message: 'Too many accounts created from this address.' }]);
  }
}
