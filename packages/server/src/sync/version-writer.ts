/**
 * The one place a version is written. Uploads, deletions and restores all come here: inside a
 * single transaction that holds the user's feed lock it reads the head, applies the conflict
 * rule (core/sync), checks the quota, inserts the version, moves the head (stamping the old head's
 * `superseded_at`: retention counts from the moment a version stopped being the head), flags the
 * conflict loser, logs the conflict and stages the change events. Thinning old versions is the
 * maintenance run's job (retention.ts), never the writer's. The bytes are
 * already in the blob store when this runs, so a crash at any point leaves at most an
 * unreferenced blob — never a version without bytes.
 */
import { decideUpload, normalizeName, normalizeSaveKey, parseSaveKey, kindToString, type HeadStamp, type UploadOutcome } from '@retrosync/core';
import type { Clock } from '../clock.js';
import { newId } from '../db/schema.js';
import type { EventHub, SyncEvent } from '../events/event-hub.js';
import { lockUserFeed, nextFeedSeq } from './feed-lock.js';
import { assertWithinQuota, type QuotaLimits } from './quota.js';
import type { SaveRow, SaveVersionRow, SyncDb } from './schema.js';
import type { WebhookOutbox } from '../webhooks/outbox.js';

export type { SyncDb };

export interface VersionWriterDeps {
  db: SyncDb;
  events: EventHub;
  clock: Clock;
  quota: QuotaLimits;
  /** Save/conflict events also become webhook deliveries, staged in this transaction (webhooks/outbox.ts). */
  webhooks?: WebhookOutbox | undefined;
}

export interface WriteVersionInput {
  userId: string;
  /** A key from a client; validated here (InvalidSaveKeyError → 400 invalid_key). */
  key: string;
  sha256: string;
  size: number;
  deleted: boolean;
  /** The bytes are blank (empty, all 0x00 or all 0xFF); false for a deletion. */
  blank: boolean;
  /** Whether the file time can be placed on the server clock (core/sync/time-trust.ts). */
  timeTrusted: boolean;
  baseVersion: number | null;
  deviceId: string | null;
  fileMtime: number | null;
  correctedMtime: number;
  metadata: string | null;
  restoredFrom?: number | null;
  /** A player's explicit pick in the dashboard (a restore): blank bytes may replace real ones then. */
  chosenByUser?: boolean;
  /** Called under the lock before a version referencing new bytes commits: makes sure the blob is (still) there. */
  ensureBlob?: () => Promise<void>;
}

export interface WriteVersionResult {
  outcome: UploadOutcome;
  save: SaveRow;
  /** The head after the write (null only when a deletion hit a save that does not exist). */
  head: SaveVersionRow | null;
  /** The version this write is; for `unchanged`, the head. */
  stored: SaveVersionRow | null;
}

export class VersionWriter {
  constructor(private readonly deps: VersionWriterDeps) {}

  async write(input: WriteVersionInput): Promise<WriteVersionResult> {
    const parsed = parseSaveKey(input.key);
    const displayKey = input.key.normalize('NFC');
    const keyNorm = normalizeSaveKey(displayKey);
    const after: Array<() => void> = [];
    const result = await this.deps.db.transaction().execute(async (trx) => {
      await lockUserFeed(trx, input.userId);
      const now = this.deps.clock.now();
      let save = await trx.selectFrom('saves').selectAll().where('user_id', '=', input.userId).where('key_norm', '=', keyNorm).executeTakeFirst();
      const head = save?.head_version != null ? await versionRow(trx, save.id, save.head_version) : null;
      const decision = decideUpload(
        head ? toStamp(head) : null,
        {
          baseVersion: input.baseVersion,
          sha256: input.sha256,
          correctedMtime: input.correctedMtime,
          deleted: input.deleted,
          blank: input.blank && !input.deleted && !input.chosenByUser,
          timeTrusted: input.timeTrusted,
        },
      );
      if (decision.outcome === 'unchanged') {
        return { outcome: decision.outcome, save: save ?? null, head, stored: head };
      }
      // The same loser sent again (a device's next pass, a retry): store nothing twice. Its retention
      // window restarts, since the device still holds those bytes.
      const last = save && head && !decision.becomesHead && save.last_version !== head.version ? await versionRow(trx, save.id, save.last_version) : null;
      if (save && last && last.sha256 === input.sha256 && last.deleted === (input.deleted ? 1 : 0)) {
        await trx.updateTable('save_versions').set({ superseded_at: now }).where('save_id', '=', save.id).where('version', '=', last.version).execute();
        return { outcome: decision.outcome, save, head, stored: { ...last, superseded_at: now } };
      }
      if (!input.deleted) {
        await assertWithinQuota(trx, this.deps.quota, input.userId, input.sha256, input.size);
        await input.ensureBlob?.();
      }
      if (!save) {
        save = {
          id: newId(),
          user_id: input.userId,
          key_norm: keyNorm,
          key: displayKey,
          system: parsed.system,
          game: parsed.game,
          game_norm: normalizeName(parsed.game),
          kind: kindToString(parsed.kind),
          head_version: null,
          last_version: 0,
          head_seq: 0,
          metadata: null,
          created_at: now,
          updated_at: now,
        };
        await trx.insertInto('saves').values(save).execute();
      }
      const stored: SaveVersionRow = {
        save_id: save.id,
        version: save.last_version + 1,
        user_id: input.userId,
        sha256: input.sha256,
        size: input.size,
        deleted: input.deleted ? 1 : 0,
        conflict: decision.conflictLoser === 'incoming' ? 1 : 0,
        device_id: input.deviceId,
        file_mtime: input.fileMtime,
        corrected_mtime: input.correctedMtime,
        restored_from: input.restoredFrom ?? null,
        metadata: input.metadata,
        created_at: now,
        // Stored without becoming the head (a conflict loser, a refused blank): not the head from the start.
        superseded_at: decision.becomesHead ? null : now,
        blank: input.blank && !input.deleted ? 1 : 0,
        time_trusted: input.timeTrusted ? 1 : 0,
      };
      await trx.insertInto('save_versions').values(stored).execute();
      if (decision.becomesHead && head) {
        const old: { superseded_at: number; conflict?: number } = { superseded_at: now };
        if (decision.conflictLoser === 'head') old.conflict = 1;
        await trx.updateTable('save_versions').set(old).where('save_id', '=', save.id).where('version', '=', head.version).execute();
      }
      const update: Partial<SaveRow> = { last_version: stored.version, updated_at: now };
      if (decision.becomesHead) {
        update.head_version = stored.version;
        update.head_seq = await nextFeedSeq(trx, input.userId);
        if (input.metadata !== null) update.metadata = input.metadata;
      }
      await trx.updateTable('saves').set(update).where('id', '=', save.id).execute();
      save = { ...save, ...update };

      const events: SyncEvent[] = [];
      if (decision.becomesHead) {
        events.push({
          type: 'save',
          data: {
            key: save.key,
            version: stored.version,
            sha256: stored.sha256,
            size: stored.size,
            deleted: stored.deleted === 1,
            deviceId: stored.device_id,
            cursor: save.head_seq,
          },
        });
      }
      if (decision.conflictLoser && head) {
        const [winner, loser] = decision.becomesHead ? [stored, head] : [head, stored];
        const side = (v: SaveVersionRow) => ({ version: v.version, deviceId: v.device_id, correctedMtime: v.corrected_mtime });
        events.push({ type: 'conflict', data: { key: save.key, winner: side(winner), loser: side(loser) } });
        await this.logConflict(trx, input, save, winner, loser, now);
      }
      for (const e of events) after.push(await this.deps.events.publishWith(trx, input.userId, e));
      if (this.deps.webhooks) after.push(await this.deps.webhooks.stage(trx, input.userId, events));
      const newHead = decision.becomesHead ? stored : head;
      return { outcome: decision.outcome, save, head: newHead, stored };
    });
    for (const fn of after) fn();
    if (!result.save) return { ...result, save: placeholderSave(input.userId, displayKey) };
    return result as WriteVersionResult;
  }

  /** A `conflict` sync-log entry with both times and the winner, attributed to the uploading device. */
  private async logConflict(trx: SyncDb, input: WriteVersionInput, save: SaveRow, winner: SaveVersionRow, loser: SaveVersionRow, now: number) {
    if (!input.deviceId) return;
    const side = (v: SaveVersionRow) => ({
      version: v.version,
      deviceId: v.device_id,
      sha256: v.sha256,
      fileMtime: v.file_mtime,
      correctedMtime: v.corrected_mtime,
      deleted: v.deleted === 1,
      blank: v.blank === 1,
      timeTrusted: v.time_trusted === 1,
    });
    await trx
      .insertInto('sync_logs')
      .values({
        id: newId(),
        user_id: input.userId,
        device_id: input.deviceId,
        action: 'conflict',
        file_path: save.key,
        file_size: input.size,
        status: 'success',
        error_msg: null,
        metadata: JSON.stringify({ rule: CONFLICT_RULE, winner: side(winner), loser: side(loser) }),
        created_at: now,
      })
      .execute();
  }
}

/** How the sync log names the rule that decided a conflict. */
const CONFLICT_RULE = 'a modification over a deletion; real bytes over blank; a trusted time over an untrusted one; the later corrected file time; the higher SHA-256';

function toStamp(v: SaveVersionRow): HeadStamp {
  return { version: v.version, sha256: v.sha256, correctedMtime: v.corrected_mtime, deleted: v.deleted === 1, blank: v.blank === 1, timeTrusted: v.time_trusted === 1 };
}

async function versionRow(db: SyncDb, saveId: string, version: number): Promise<SaveVersionRow | null> {
  return (await db.selectFrom('save_versions').selectAll().where('save_id', '=', saveId).where('version', '=', version).executeTakeFirst()) ?? null;
}

function placeholderSave(userId: string, key: string): SaveRow {
  const p = parseSaveKey(key);
  return {
    id: '',
    user_id: userId,
    key_norm: normalizeSaveKey(key),
    key,
    system: p.system,
    game: p.game,
    game_norm: normalizeName(p.game),
    kind: kindToString(p.kind),
    head_version: null,
    last_version: 0,
    head_seq: 0,
    metadata: null,
    created_at: 0,
    updated_at: 0,
  };
}
