/**
 * The account audit log: security events per user, with the address and user agent they came
 * from, shown on the dashboard's account page (GET /api/auth/audit-log, newest first).
 *
 *   await deps.audit.record({ userId, event: 'key_rotated', ...requestMeta(req), detail: { deviceId } });
 *
 * - `event` is one of the fixed list `auditEvents` in @retrosync/api; anything else is refused.
 * - `ip` is `req.ip`, which honours TRUST_PROXY like every limit does (X-Forwarded-For is
 *   believed only behind a proxy the self-hoster declared); capped at 64 characters.
 * - `userAgent` is the User-Agent header without control characters, capped at 256 characters.
 * - `detail` is a small JSON object (ids, names, reasons; never secrets), capped at 2,000
 *   characters of JSON (a longer one is replaced by `{truncated: true}`).
 * - Pass `db: trx` to record inside the transaction of the change it describes.
 * - Retention (`prune`, run by the hourly maintenance): events older than AUDIT_RETENTION_DAYS
 *   (365) go, and a user keeps at most AUDIT_MAX_EVENTS_PER_USER (5,000) newest events — so an
 *   account under a password-guessing attack (≤ ~9,100 failures a day, http/limits.ts) cannot
 *   grow the table without bound. Deleting the account deletes its log (ON DELETE CASCADE).
 * Every query is scoped by user id.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { auditEvent, type AuditEntry, type AuditEvent } from '@retrosync/api';
import type { Clock } from '../clock.js';
import { toIso, type Database } from '../db/schema.js';
import type { AuditEventRow } from './schema.js';

export const AUDIT_IP_MAX = 64;
export const AUDIT_USER_AGENT_MAX = 256;
export const AUDIT_DETAIL_MAX = 2000;

export interface AuditRecord {
  userId: string;
  event: AuditEvent;
  ip?: string | null | undefined;
  userAgent?: string | string[] | null | undefined;
  detail?: Record<string, unknown> | null | undefined;
  /** Record inside this transaction (default: the service's database handle). */
  db?: Kysely<Database>;
}

/** Address (TRUST_PROXY-aware, as Fastify resolved it) and user agent of a request, for `record`. */
export function requestMeta(req: FastifyRequest): { ip: string; userAgent: string | undefined } {
  const ua = req.headers['user-agent'];
  return { ip: req.ip, userAgent: Array.isArray(ua) ? ua[0] : ua };
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

function cap(value: string | string[] | null | undefined, max: number): string | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v === null) return null;
  const clean = v.replace(CONTROL, ' ').trim();
  return clean === '' ? null : clean.slice(0, max);
}

function encodeDetail(detail: Record<string, unknown> | null | undefined): string | null {
  if (!detail) return null;
  const json = JSON.stringify(detail);
  return json.length <= AUDIT_DETAIL_MAX ? json : JSON.stringify({ truncated: true });
}

/** Ids sort in insertion order within a process (time, then a counter), so ties in created_at keep their order. */
let counter = 0;
function eventId(now: number): string {
  counter = (counter + 1) % 0x1_0000_0000;
  return `${now.toString(16).padStart(12, '0')}-${counter.toString(16).padStart(8, '0')}-${randomBytes(6).toString('hex')}`;
}

export function auditToWire(row: AuditEventRow): AuditEntry {
  let detail: Record<string, unknown> | null = null;
  if (row.detail) {
    try {
      detail = JSON.parse(row.detail) as Record<string, unknown>;
    } catch {
      detail = null;
    }
  }
  return { id: row.id, event: row.event, ip: row.ip, userAgent: row.user_agent, detail, createdAt: toIso(Number(row.created_at)) };
}

export interface AuditRetention {
  auditRetentionDays: number;
  auditMaxEventsPerUser: number;
}

export class AuditLog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly retention: AuditRetention,
  ) {}

  async record(entry: AuditRecord): Promise<void> {
    const event = auditEvent.parse(entry.event);
    const now = this.clock.now();
    await (entry.db ?? this.db)
      .insertInto('audit_events')
      .values({
        id: eventId(now),
        user_id: entry.userId,
        event,
        ip: cap(entry.ip, AUDIT_IP_MAX),
        user_agent: cap(entry.userAgent, AUDIT_USER_AGENT_MAX),
        detail: encodeDetail(entry.detail),
        created_at: now,
      })
      .execute();
  }

  /** The user's events, newest first. */
  async list(userId: string, page: { limit: number; offset: number }): Promise<{ events: AuditEntry[]; total: number }> {
    const rows = await this.db
      .selectFrom('audit_events')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute();
    const count = await this.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
    return { events: rows.map(auditToWire), total: Number(count.n) };
  }

  /** Retention: drops events past the age limit, then each user's events beyond the newest N. */
  async prune(): Promise<{ removed: number }> {
    const now = this.clock.now();
    const old = await this.db.deleteFrom('audit_events').where('created_at', '<', now - this.retention.auditRetentionDays * 86_400_000).executeTakeFirst();
    let removed = Number(old.numDeletedRows);
    const max = this.retention.auditMaxEventsPerUser;
    const crowded = await this.db
      .selectFrom('audit_events')
      .select('user_id')
      .groupBy('user_id')
      .having((eb) => eb.fn.countAll(), '>', max)
      .execute();
    for (const { user_id } of crowded) {
      const edge = await this.db
        .selectFrom('audit_events')
        .select(['created_at', 'id'])
        .where('user_id', '=', user_id)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .offset(max)
        .limit(1)
        .executeTakeFirst();
      if (!edge) continue;
      const res = await this.db
        .deleteFrom('audit_events')
        .where('user_id', '=', user_id)
        .where((eb) => eb.or([eb('created_at', '<', edge.created_at), eb.and([eb('created_at', '=', edge.created_at), eb('id', '<=', edge.id)])]))
        .executeTakeFirst();
      removed += Number(res.numDeletedRows);
    }
    return { removed };
  }
}
