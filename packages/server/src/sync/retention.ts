/**
 * Retention: a version that stops being the head (by a newer upload, a conflict, a restore or a
 * deletion) is kept for `RETENTION_DAYS` counted from that moment (`superseded_at`), never from its
 * upload. `RETENTION_VERSIONS` thins only versions superseded before that window, so no content a
 * player produced within the window is ever removed by retention. Garbage collection removes only
 * bytes that no remaining version references.
 *
 * In detail: each save keeps its head and its newest `RETENTION_VERSIONS` ordinary versions
 * whatever their age; conflict versions are kept for the window and then expire. Blobs no version
 * references are removed by {@link collectGarbage} — only when older than a grace period (an
 * upload writes its blob before its version commits) and only while holding the owner's feed
 * lock, the same lock an upload holds when it checks that a deduplicated blob still exists.
 */
import { sql } from 'kysely';
import type { BlobStore } from '../storage/blob/blob-store.js';
import { lockUserFeed } from './feed-lock.js';
import { holdsBlob } from './save-queries.js';
import type { SyncDb } from './schema.js';

export interface RetentionPolicy {
  /** Versions superseded at or after this moment (epoch ms) are kept. */
  keepSupersededSince: number;
  /** Newest ordinary versions each save keeps whatever their age (the head among them). */
  versionsPerSave: number;
}

export interface RetentionResult {
  expiredConflicts: number;
  thinnedVersions: number;
}

/** Applies the retention rule to every save (the maintenance run). */
export async function applyRetention(db: SyncDb, policy: RetentionPolicy): Promise<RetentionResult> {
  const cutoff = policy.keepSupersededSince;
  // `superseded_at` is null exactly for heads, so neither delete can touch a head.
  const expired = await db
    .deleteFrom('save_versions')
    .where('conflict', '=', 1)
    .where('superseded_at', 'is not', null)
    .where('superseded_at', '<', cutoff)
    .executeTakeFirst();
  const ranked = await sql<{ save_id: string; version: number }>`
    select save_id, version from (
      select save_id, version, superseded_at,
             row_number() over (partition by save_id order by version desc) as rn
      from save_versions where conflict = 0
    ) ranked
    where rn > ${policy.versionsPerSave} and superseded_at is not null and superseded_at < ${cutoff}`.execute(db);
  const bySave = new Map<string, number[]>();
  for (const r of ranked.rows) bySave.set(r.save_id, [...(bySave.get(r.save_id) ?? []), Number(r.version)]);
  let thinned = 0;
  for (const [saveId, versions] of bySave) {
    for (let i = 0; i < versions.length; i += 500) {
      const res = await db
        .deleteFrom('save_versions')
        .where('save_id', '=', saveId)
        .where('version', 'in', versions.slice(i, i + 500))
        .where('superseded_at', '<', cutoff)
        .executeTakeFirst();
      thinned += Number(res.numDeletedRows);
    }
  }
  return { expiredConflicts: Number(expired.numDeletedRows), thinnedVersions: thinned };
}

export interface GcResult {
  scanned: number;
  removed: number;
  removedBytes: number;
}

/** Removes blobs that no version references and that are older than `graceMs`. */
export async function collectGarbage(db: SyncDb, blobs: BlobStore, now: number, graceMs: number): Promise<GcResult> {
  const result: GcResult = { scanned: 0, removed: 0, removedBytes: 0 };
  const candidates: Array<{ userId: string; sha256: string; size: number }> = [];
  for await (const blob of blobs.list()) {
    result.scanned++;
    if (blob.modifiedAt.getTime() > now - graceMs) continue;
    if (!(await holdsBlob(db, blob.userId, blob.sha256))) candidates.push(blob);
  }
  for (const blob of candidates) {
    const owner = await db.selectFrom('users').select('id').where('id', '=', blob.userId).executeTakeFirst();
    if (!owner) {
      // The account is gone (its versions went with it): nothing can reference these bytes again.
      await blobs.delete(blob.userId, blob.sha256);
      result.removed++;
      result.removedBytes += blob.size;
      continue;
    }
    if (await removeIfUnheld(db, blobs, blob.userId, blob.sha256)) {
      result.removed++;
      result.removedBytes += blob.size;
    }
  }
  return result;
}

/**
 * Removes one blob of a user if no version holds it any more — under the user's feed lock, the
 * lock an upload holds when it checks that a deduplicated blob still exists. True when removed.
 */
export async function removeIfUnheld(db: SyncDb, blobs: BlobStore, userId: string, sha256: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await lockUserFeed(trx, userId);
    if (await holdsBlob(trx, userId, sha256)) return false;
    await blobs.delete(userId, sha256);
    return true;
  });
}
