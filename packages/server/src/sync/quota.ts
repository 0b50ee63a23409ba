/**
 * Storage quotas. Usage counts each distinct blob of the user once (identical bytes are stored
 * once), so re-uploading or restoring old bytes costs nothing. Tiers and limits come from the
 * configuration (`quotaBytes`, `DEFAULT_TIER`); null = unlimited.
 */
import { sql } from 'kysely';
import { ApiError, type SubscriptionTier } from '@retrosync/api';
import { holdsBlob } from './save-queries.js';
import type { SyncDb } from './schema.js';

export type QuotaLimits = Record<SubscriptionTier, number | null>;

export async function usageBytes(db: SyncDb, userId: string): Promise<number> {
  const row = await sql<{ used: number | string | null }>`
    select coalesce(sum(size), 0) as used
    from (select distinct sha256, size from save_versions where user_id = ${userId}) blobs`.execute(db);
  return Number(row.rows[0]?.used ?? 0);
}

export async function userTier(db: SyncDb, userId: string): Promise<SubscriptionTier> {
  const row = await db.selectFrom('users').select('subscription_tier').where('id', '=', userId).executeTakeFirst();
  if (!row) throw new ApiError('unauthorized', 'The account no longer exists.');
  return row.subscription_tier;
}

export interface Usage {
  tier: SubscriptionTier;
  usedBytes: number;
  /** null = unlimited. */
  limitBytes: number | null;
}

/** The user's storage use against their plan's limit (what the dashboard shows). */
export async function usageOf(db: SyncDb, limits: QuotaLimits, userId: string): Promise<Usage> {
  const [tier, usedBytes] = await Promise.all([userTier(db, userId), usageBytes(db, userId)]);
  return { tier, usedBytes, limitBytes: limits[tier] };
}

/**
 * Throws 413 `quota_exceeded` (usage in details) if storing `incomingBytes` bytes with this
 * SHA-256 would go over the user's limit. Bytes the user already holds cost nothing.
 */
export async function assertWithinQuota(
  db: SyncDb,
  limits: QuotaLimits,
  userId: string,
  sha256: string,
  incomingBytes: number,
): Promise<void> {
  const tier = await userTier(db, userId);
  const limitBytes = limits[tier];
  if (limitBytes === null) return;
  if (await holdsBlob(db, userId, sha256)) return;
  const usedBytes = await usageBytes(db, userId);
  if (usedBytes + incomingBytes > limitBytes) {
    throw new ApiError(
      'quota_exceeded',
      `This upload needs ${incomingBytes} bytes but only ${Math.max(0, limitBytes - usedBytes)} of your ${limitBytes} are left.`,
      { tier, usedBytes, limitBytes, incomingBytes },
    );
  }
}
