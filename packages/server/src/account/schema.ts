/**
 * Tables of the account's security features.
 *
 *   audit_events  one row per security event of a user (migration 420-audit-log): what happened
 *                 (`event`, a fixed list in @retrosync/api), from where (`ip`, `user_agent`, both
 *                 capped), specifics as JSON (`detail`). Pruned by age and count (account/audit.ts).
 *   two_factor    one row per user who started or finished TOTP enrolment (migration 421): the
 *                 sealed secret (account/secret-box.ts), `enabled_at` (null while the enrolment
 *                 waits for its first code), `last_step` (the newest time step accepted; codes
 *                 of that step or older are refused, so a code works once).
 *   recovery_codes  HMACs of the user's recovery codes; `used_at` set when one is spent.
 *   two_factor_challenges  the second sign-in step: a random token (SHA-256 stored) handed out
 *                 after the password, valid 5 minutes, single use, at most 5 wrong codes.
 */
import type { Selectable } from 'kysely';
import type { AuditEvent } from '@retrosync/api';

export interface AuditEventsTable {
  id: string;
  user_id: string;
  event: AuditEvent;
  ip: string | null;
  user_agent: string | null;
  /** JSON object, or null. */
  detail: string | null;
  created_at: number;
}

export interface TwoFactorTable {
  user_id: string;
  secret_sealed: string;
  enabled_at: number | null;
  last_step: number | null;
  created_at: number;
}

export interface RecoveryCodesTable {
  id: string;
  user_id: string;
  code_hash: string;
  created_at: number;
  used_at: number | null;
}

export interface TwoFactorChallengesTable {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  failures: number;
}

export interface AccountTables {
  audit_events: AuditEventsTable;
  two_factor: TwoFactorTable;
  recovery_codes: RecoveryCodesTable;
  two_factor_challenges: TwoFactorChallengesTable;
}

export type AuditEventRow = Selectable<AuditEventsTable>;
