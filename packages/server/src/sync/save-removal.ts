/**
 * A player deleting old versions, or a whole save, from the dashboard or the API (issue 11,
 * scenario 10: "over quota with no way out"). Owner only (every query is scoped by user id);
 * the head is kept unless the whole save is deleted. Bytes no remaining version holds are removed
 * at once, so the usage drops immediately, not at the next maintenance run.
 *
 * Deleting a whole save removes every version and leaves a deletion (holding no bytes) as the
 * head: devices then move their copies into their local backups on their next sync, instead of
 * uploading them again — a player who deletes a save expects it gone everywhere. A device that
 * changed the save meanwhile uploads its edit, which becomes the head (a modification beats a
 * deletion), so nothing a device still holds is lost.
 */
import { ApiError } from '@retrosync/api';
import { parseSaveKey } from '@retrosync/core';
import type { Clock } from '../clock.js';
import type { EventHub } from '../events/event-hub.js';
import type { BlobStore } from '../storage/blob/blob-store.js';
import { lockUserFeed, nextFeedSeq } from './feed-lock.js';
import { removeIfUnheld } from './retention.js';
import { findSave } from './save-queries.js';
import type { SaveRow, SaveVersionRow, SyncDb } from './schema.js';

/** SHA-256 of no bytes: what a whole-save deletion's version names (it holds nothing). */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface SaveRemovalDeps {
  db: SyncDb;
  blobs: BlobStore;
  events: EventHub;
  clock: Clock;
}

export class SaveRemoval {
  constructor(private readonly deps: SaveRemovalDeps) {}

  /** Deletes these versions of the save (never the head); returns the save's display key and the versions deleted. */
  async deleteVersions(userId: string, key: string, versions: readonly number[]): Promise<{ key: string; deleted: number[] }> {
    parseSaveKey(key);
    const wanted = [...new Set(versions)].sort((a, b) => a - b);
    const done = await this.deps.db.transaction().execute(async (trx) => {
      await lockUserFeed(trx, userId);
      const save = await findSave(trx, userId, key);
      if (!save) throw new ApiError('not_found', 'No save with this key.');
      if (save.head_version !== null && wanted.includes(save.head_version)) {
        throw new ApiError('version_is_head', undefined, { version: save.head_version });
      }
      const rows = await trx.selectFrom('save_versions').select(['version', 'sha256']).where('save_id', '=', save.id).where('user_id', '=', userId).where('version', 'in', wanted).execute();
      const missing = wanted.filter((v) => !rows.some((r) => r.version === v));
      if (missing.length > 0) throw new ApiError('not_found', `No version ${missing.join(', ')} of this save.`, { missing });
      await trx.deleteFrom('save_versions').where('save_id', '=', save.id).where('user_id', '=', userId).where('version', 'in', wanted).execute();
      return { key: save.key, shas: new Set(rows.map((r) => r.sha256)) };
    });
    await this.removeBlobs(userId, done.shas);
    return { key: done.key, deleted: wanted };
  }

  /** Deletes every version of the save; a deletion holding no bytes becomes the head. */
  async deleteSave(userId: string, key: string): Promise<{ save: SaveRow; head: SaveVersionRow; deletedVersions: number }> {
    parseSaveKey(key);
    const after: Array<() => void> = [];
    const result = await this.deps.db.transaction().execute(async (trx) => {
      await lockUserFeed(trx, userId);
      const found = await findSave(trx, userId, key);
      if (!found) throw new ApiError('not_found', 'No save with this key.');
      const now = this.deps.clock.now();
      const rows = await trx.selectFrom('save_versions').select('sha256').where('save_id', '=', found.id).where('user_id', '=', userId).execute();
      await trx.deleteFrom('save_versions').where('save_id', '=', found.id).where('user_id', '=', userId).execute();
      const head: SaveVersionRow = {
        save_id: found.id,
        version: found.last_version + 1,
        user_id: userId,
        sha256: EMPTY_SHA256,
        size: 0,
        deleted: 1,
        conflict: 0,
        device_id: null,
        file_mtime: null,
        corrected_mtime: now,
        restored_from: null,
        metadata: null,
        created_at: now,
        superseded_at: null,
        blank: 0,
        time_trusted: 1,
      };
      await trx.insertInto('save_versions').values(head).execute();
      const update = { head_version: head.version, last_version: head.version, head_seq: await nextFeedSeq(trx, userId), updated_at: now };
      await trx.updateTable('saves').set(update).where('id', '=', found.id).execute();
      const save = { ...found, ...update };
      after.push(
        await this.deps.events.publishWith(trx, userId, {
          type: 'save',
          data: { key: save.key, version: head.version, sha256: head.sha256, size: 0, deleted: true, deviceId: null, cursor: save.head_seq },
        }),
      );
      return { save, head, deletedVersions: rows.length, shas: new Set(rows.map((r) => r.sha256)) };
    });
    for (const fn of after) fn();
    await this.removeBlobs(userId, result.shas);
    return { save: result.save, head: result.head, deletedVersions: result.deletedVersions };
  }

  private async removeBlobs(userId: string, shas: Set<string>): Promise<void> {
    for (const sha of shas) {
      if (sha !== EMPTY_SHA256) await removeIfUnheld(this.deps.db, this.deps.blobs, userId, sha);
    }
  }
}
