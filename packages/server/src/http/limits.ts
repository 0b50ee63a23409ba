/**
 * The server's guessing limits, with the arithmetic behind them.
 *
 * Pairing codes (both flows share one budget and one cap):
 *   A code is 6 digits: N = 10^6 values, uniform from the CSPRNG. At most L codes are live
 *   server-wide at once (PAIRING_MAX_LIVE_CODES, default 4; a fifth answers 429 `pairing_busy`),
 *   and at most G failed guesses are accepted server-wide per 15-minute window
 *   (PAIRING_GLOBAL_FAILURES, default 10; windows are fixed, so a code living 15 minutes overlaps
 *   at most two windows and at most 2G guesses can reach it). Each guess matches at most one of the
 *   L live codes, with probability ≤ L/N, so by the union bound
 *       P(any live code guessed) ≤ 2·G·L / N = 2·10·4 / 10^6 = 8·10^-5 < 10^-4.
 *   The rule to keep when configuring: G·L < 50. Only failures count against G (a correct code
 *   is consumed at once), so honest users do not spend the budget. Per client address a smaller
 *   budget (PAIRING_IP_FAILURES, default 5) keeps one address from spending all of it alone.
 *   What this trades: anyone can burn the global budget (or hold the L slots with device-shown
 *   codes) and so delay pairing by at most one window (15 minutes); it can never let a guess in.
 *   Hosted operators raising L must lower G to keep G·L < 50 (L = 10 → G ≤ 4); beyond that the
 *   honest fix is longer codes, not looser limits. The counters live in memory per process, so
 *   with R replicas the effective G is R times the setting: configure G/R. The live-code cap is
 *   counted in the database (shared by replicas).
 *
 * Login (per address + global, failures only): LOGIN_IP_FAILURES (10) per address and
 *   LOGIN_GLOBAL_FAILURES (1000) server-wide per 15 minutes. argon2id makes each guess costly;
 *   these limits stop online guessing without locking out a user by their email.
 */
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { FailureBudget, WindowCounter } from './rate-limit.js';

export interface Limits {
  pairingGuesses: FailureBudget;
  /** Unauthenticated device-code requests per address. */
  deviceCodeRequests: WindowCounter;
  login: FailureBudget;
}

export function createLimits(config: Config, clock: Clock): Limits {
  const p = config.pairing;
  return {
    pairingGuesses: new FailureBudget(p.ipFailures, p.globalFailures, p.windowMs, clock, 'Too many wrong pairing codes.'),
    deviceCodeRequests: new WindowCounter(p.ipCodeRequests, p.windowMs, clock),
    login: new FailureBudget(config.login.ipFailures, config.login.globalFailures, config.login.windowMs, clock, 'Too many failed sign-in attempts.'),
  };
}
