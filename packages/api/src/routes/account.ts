/**
 * The account's security features: the audit log (security events of the signed-in user) and,
 * in twoFactorRoutes, two-factor sign-in.
 */
import { z } from 'zod';
import { defineRoute } from '../contract.js';
import { isoDate } from '../schemas.js';

/** Security events an account's audit log records (fixed list; the server refuses others). */
export const auditEvents = [
  'sign_in',
  'sign_in_failed',
  'password_changed',
  'two_factor_enabled',
  'two_factor_disabled',
  'recovery_code_used',
  'device_paired',
  'device_removed',
  'key_rotated',
  'webhook_changed',
] as const;
export const auditEvent = z.enum(auditEvents);
export type AuditEvent = z.infer<typeof auditEvent>;

export const auditEntry = z.object({
  id: z.string(),
  event: auditEvent,
  /** Client address as the server saw it (X-Forwarded-For only with TRUST_PROXY). */
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  /** Event specifics, e.g. `{deviceId, deviceName}` or `{reason}`. */
  detail: z.record(z.string(), z.unknown()).nullable(),
  createdAt: isoDate,
});
export type AuditEntry = z.infer<typeof auditEntry>;

export const auditRoutes = {
  list: defineRoute({
    id: 'account.auditLog',
    method: 'GET',
    path: '/api/auth/audit-log',
    auth: 'user',
    summary: "The signed-in user's security events, newest first",
    tags: ['auth'],
    query: z.object({
      limit: z.coerce.number().int().min(1).max(100).default(50),
      offset: z.coerce.number().int().min(0).default(0),
    }),
    response: z.object({ events: z.array(auditEntry), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }),
    example: { query: { limit: '10' } },
  }),
};
