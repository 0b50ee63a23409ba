/**
 * Wire schemas shared by several routes. Dates are ISO 8601 UTC strings (`toISOString()`),
 * ids are opaque strings. These are wire types, not domain types.
 */
import { z } from 'zod';

export const isoDate = z.iso.datetime();

export const SUBSCRIPTION_TIERS = ['free', 'pro', 'enterprise'] as const;
export const subscriptionTier = z.enum(SUBSCRIPTION_TIERS);
export type SubscriptionTier = z.infer<typeof subscriptionTier>;

export const DEVICE_TYPES = ['rg35xx', 'miyoo_flip', 'miyoo_mini', 'windows', 'mac', 'linux', 'other'] as const;
export const deviceType = z.enum(DEVICE_TYPES);
export type DeviceType = z.infer<typeof deviceType>;

/** Emails are trimmed and lower-cased before anything else looks at them. */
export const email = z.string().trim().toLowerCase().max(254).email();
export const password = z.string().min(8, 'at least 8 characters').max(256);
export const personName = z.string().trim().min(1).max(100);
/** Device names: printable, no path separators (they may become folder names on clients). */
export const deviceName = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[^\u0000-\u001f\u007f/\\]+$/, 'no control characters or slashes');

/**
 * A pairing code as typed: 6 digits, or 12 (while the server is under a guessing attack; may be
 * grouped as `1234 5678 9012` or with dashes). Surrounding spaces are ignored.
 */
export const pairingCode = z
  .string()
  .trim()
  .regex(/^(?:[0-9]{6}|[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4})$/, 'a 6-digit (or 12-digit) code');
/** A code as the server issues it. */
export const issuedPairingCode = z.string().regex(/^(?:[0-9]{6}|[0-9]{12})$/);

export const user = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  subscriptionTier,
  createdAt: isoDate,
});
export type User = z.infer<typeof user>;

export const device = z.object({
  id: z.string(),
  name: z.string(),
  deviceType,
  /** Last check-in (heartbeat) or sync; null before the first. */
  lastSyncAt: isoDate.nullable(),
  lastHeartbeatAt: isoDate.nullable(),
  /** False once the device was removed (its key revoked). */
  isActive: z.boolean(),
  /** Heartbeat seen within twice the heartbeat interval. */
  online: z.boolean(),
  clientVersion: z.string().nullable(),
  /** Device clock minus server clock, in ms, from the last heartbeat's X-Client-Time; null if never sent. */
  clockOffsetMs: z.number().int().nullable(),
  createdAt: isoDate,
});
export type Device = z.infer<typeof device>;

export const pairedDevice = z.object({ id: z.string(), name: z.string(), deviceType });

export const SYNC_ACTIONS = ['upload', 'download', 'delete', 'conflict'] as const;
export const SYNC_STATUSES = ['success', 'failed', 'pending'] as const;
export const syncAction = z.enum(SYNC_ACTIONS);
export const syncStatus = z.enum(SYNC_STATUSES);

export const syncLog = z.object({
  id: z.string(),
  deviceId: z.string(),
  deviceName: z.string(),
  action: syncAction,
  filePath: z.string(),
  fileSize: z.number().int().nullable(),
  status: syncStatus,
  errorMsg: z.string().nullable(),
  metadata: z.string().nullable(),
  createdAt: isoDate,
});
export type SyncLog = z.infer<typeof syncLog>;

/** Query-string booleans: `true`/`false`/`1`/`0`. */
export const queryBoolean = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');
