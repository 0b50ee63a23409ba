/**
 * Tables of the account's security features.
 *
 *   audit_events  one row per security event of a user (migration 420-audit-log): what happened
 *                 (`event`, a fixed list in @retrosync/api), from where (`ip`, `user_agent`, both
 *                 capped), specifics as JSON (`detail`). Pruned by age and count (account/audit.ts).
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

export interface AccountTables {
  audit_events: AuditEventsTable;
}

export type AuditEventRow = Selectable<AuditEventsTable>;
