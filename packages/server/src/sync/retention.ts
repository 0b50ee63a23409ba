/**
 * Retention: each save keeps its head, its last `versionsPerSave` ordinary versions, and every
 * conflict version for `conflictDays`. Blobs no version references are removed by
 * {@link collectGarbage} — only when older than a grace period (an upload writes its blob
 * before its version commits) and only while holding the owner's feed lock, the same lock an
 * upload holds when it checks that a deduplicated blob still exists.
 */
import type { BlobStore } from '../storage/blob/blob-store.js';
import { lockUserFeed } from './feed-lock.js';
import { holdsBlob } from './save-queries.js';
import type { SyncDb } from './schema.js';

/** Deletes ordinary versions of one save beyond the newest `keep` (never the head, never conflict versions). */
export async function pruneSaveVersions(trx: SyncDb, saveId: string, headVersion: number, keep: number): Promise<number> {
  const kept = trx
    .selectFrom('save_versions')
    .select('version')
    .where('save_id', '=', saveId)
    .where('conflict', '=', 0)
    .orderBy('version', 'desc')
    .limit(keep);
  const res = await trx
    .deleteFrom('save_versions')
    .where('save_id', '=', saveId)
    .where('conflict', '=', 0)
    .where('version', '!=', headVersion)
    .where('version', 'not in', kept)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** Deletes conflict versions older than `olderThan` (epoch ms) that are not a head. */
export async function expireConflictVersions(db: SyncDb, olderThan: number): Promise<number> {
  const res = await db
    .deleteFrom('save_versions')
    .where('conflict', '=', 1)
    .where('created_at', '<', olderThan)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('saves')
            .select('saves.id')
            .whereRef('saves.id', '=', 'save_versions.save_id')
            .whereRef('saves.head_version', '=', 'save_versions.version'),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(res.numDeletedRows);
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
    await db.transaction().execute(async (trx) => {
      await lockUserFeed(trx, blob.userId);
      if (await holdsBlob(trx, blob.userId, blob.sha256)) return;
      await blobs.delete(blob.userId, blob.sha256);
      result.removed++;
      result.removedBytes += blob.size;
    });
  }
  return result;
}
