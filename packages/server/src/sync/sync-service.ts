/**
 * Sync use cases over the ports: upload (spool + verify + store bytes + write version),
 * deletion, restore, download. Routes stay thin and call these.
 */
import type { Readable } from 'node:stream';
import { ApiError, saveMetadata } from '@retrosync/api';
import { clockOffsetMs, correctedTimeMs, parseSaveKey, type TimeTrustClaim } from '@retrosync/core';
import type { Clock } from '../clock.js';
import type { EventHub } from '../events/event-hub.js';
import type { BlobStore } from '../storage/blob/blob-store.js';
import { ChangeFeed } from './change-feed.js';
import { DeviceFilters } from './device-filters.js';
import { judgeDeviceEdit } from './device-clocks.js';
import { assertWithinQuota, type QuotaLimits } from './quota.js';
import { findLiveVersionBefore, findSave, findVersion } from './save-queries.js';
import type { SaveRow, SaveVersionRow, SyncDb } from './schema.js';
import { SaveRemoval } from './save-removal.js';
import { spoolUpload } from './upload-spool.js';
import { VersionWriter, type WriteVersionResult } from './version-writer.js';
import type { WebhookOutbox } from '../webhooks/outbox.js';

export interface SyncServiceDeps {
  db: SyncDb;
  blobs: BlobStore;
  events: EventHub;
  clock: Clock;
  quota: QuotaLimits;
  /** Folder for upload temp files; on the blob folder's file system when that is local. */
  spoolDir: string;
  maxUploadBytes: number;
  webhooks?: WebhookOutbox;
}

/** The v1.1 time headers of a device request (docs/protocol.md "Wire additions"); all optional. */
export interface ClientClockHeaders {
  /** `X-Client-Boot`: the device's current boot. */
  boot?: string | null;
  /** `X-Client-Uptime`: ms since that boot. */
  uptimeMs?: number | null;
  /** `X-Last-Server-Time`: the newest server time the device has seen. */
  lastServerTime?: number | null;
  /** `X-Time-Trust`: the client's own verdict on the edit's file time. */
  timeTrust?: TimeTrustClaim | null;
}

export interface UploadInput extends ClientClockHeaders {
  userId: string;
  deviceId: string;
  key: string;
  body: Readable;
  sha256: string;
  baseVersion: number | null;
  fileMtime: number | null;
  clientTime: number | null;
  /** Raw JSON text of `X-Save-Metadata`, if sent. */
  metadata: string | null;
  contentLength: number | null;
}

export interface DeleteInput extends ClientClockHeaders {
  userId: string;
  deviceId: string;
  key: string;
  baseVersion: number | null;
  fileMtime: number | null;
  clientTime: number | null;
}

/**
 * Validates `X-Save-Metadata`: JSON with the seed's metadata.json fields (unknown fields
 * dropped). HTTP header values are not UTF-8, so the JSON must be ASCII (non-ASCII escaped as
 * \uXXXX) or the whole JSON base64-encoded (what a busybox client can send: `base64 -w0`).
 */
export function parseMetadataHeader(text: string | null): string | null {
  if (text === null || text.trim() === '') return null;
  let value: unknown;
  try {
    const trimmed = text.trim();
    value = JSON.parse(trimmed.startsWith('{') ? trimmed : Buffer.from(trimmed, 'base64').toString('utf8'));
  } catch {
    throw new ApiError('validation_failed', 'X-Save-Metadata must be JSON.', { issues: [{ in: 'headers', field: 'x-save-metadata', message: 'not JSON' }] });
  }
  const parsed = saveMetadata.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ in: 'headers', field: `x-save-metadata.${i.path.join('.')}`, message: i.message }));
    throw new ApiError('validation_failed', 'X-Save-Metadata has invalid fields.', { issues });
  }
  return JSON.stringify(parsed.data);
}

export class SyncService {
  readonly writer: VersionWriter;
  readonly feed: ChangeFeed;
  readonly removal: SaveRemoval;
  /** Selective sync: each device's filter. */
  readonly filters: DeviceFilters;

  constructor(readonly deps: SyncServiceDeps) {
    this.writer = new VersionWriter(deps);
    this.feed = new ChangeFeed(deps.db, deps.events);
    this.filters = new DeviceFilters(deps.db, deps.events, deps.clock);
    this.removal = new SaveRemoval(deps);
  }

  /** File time on the server clock: per-request `X-Client-Time` if sent, else the offset the last heartbeat stored. */
  private async correct(deviceId: string, fileMtime: number | null, clientTime: number | null, receivedAt: number): Promise<number> {
    let offset = 0;
    if (clientTime !== null) offset = clockOffsetMs(clientTime, receivedAt);
    else {
      const device = await this.deps.db.selectFrom('devices').select('clock_offset_ms').where('id', '=', deviceId).executeTakeFirst();
      offset = Number(device?.clock_offset_ms ?? 0);
    }
    return correctedTimeMs(fileMtime ?? clientTime ?? receivedAt, offset, receivedAt);
  }

  /** Whether the edit's file time can be trusted (core/sync/time-trust.ts), recording the device's clock for the next request. */
  private async trusted(input: UploadInput | DeleteInput, receivedAt: number): Promise<boolean> {
    const judgement = await judgeDeviceEdit(this.deps.db, input.userId, input.deviceId, {
      receivedAt,
      clientTime: input.clientTime,
      fileMtime: input.fileMtime,
      boot: input.boot ?? null,
      claim: input.timeTrust ?? null,
    });
    return judgement.trusted;
  }

  async upload(input: UploadInput): Promise<WriteVersionResult> {
    const receivedAt = this.deps.clock.now();
    parseSaveKey(input.key);
    const metadata = parseMetadataHeader(input.metadata);
    const { db, blobs } = this.deps;
    // The order that keeps refused bytes off the disk: a declared length is refused early
    // (before reading); every body is spooled to a temp file (bounded, removed whatever happens),
    // then its real size is checked against the quota — a chunked body has no declared length —
    // and only then do the bytes reach the blob store.
    if (input.contentLength !== null) {
      if (input.contentLength > this.deps.maxUploadBytes) {
        throw new ApiError('payload_too_large', `A save may be at most ${this.deps.maxUploadBytes} bytes.`, { maxBytes: this.deps.maxUploadBytes });
      }
      await assertWithinQuota(db, this.deps.quota, input.userId, input.sha256, input.contentLength);
    }
    const spooled = await spoolUpload(input.body, this.deps.spoolDir, this.deps.maxUploadBytes);
    try {
      if (spooled.sha256 !== input.sha256) {
        throw new ApiError('checksum_mismatch', undefined, { expected: input.sha256, actual: spooled.sha256, size: spooled.size });
      }
      await assertWithinQuota(db, this.deps.quota, input.userId, spooled.sha256, spooled.size);
      const correctedMtime = await this.correct(input.deviceId, input.fileMtime, input.clientTime, receivedAt);
      const timeTrusted = await this.trusted(input, receivedAt);
      const put = (consume: boolean) => blobs.put(input.userId, spooled.sha256, spooled.size, { path: spooled.path, consume });
      // Bytes first: the version row that references them commits only after they are durable.
      // (The folder store renames a consumed spool file into place; if the blob already existed
      // the file is left alone, so the re-put below can still read it.)
      const { created } = await put(true);
      return await this.writer.write({
          userId: input.userId,
          key: input.key,
          sha256: spooled.sha256,
          size: spooled.size,
          deleted: false,
          blank: spooled.blank,
          timeTrusted,
          baseVersion: input.baseVersion,
          deviceId: input.deviceId,
          fileMtime: input.fileMtime,
          correctedMtime,
          metadata,
          // Under the user's lock: a garbage collection may have removed an old identical blob since `put`.
          ensureBlob: async () => {
            if (!created && !(await blobs.has(input.userId, spooled.sha256))) await put(false);
          },
        });
    } finally {
      await spooled.discard();
    }
  }

  async delete(input: DeleteInput): Promise<WriteVersionResult> {
    const receivedAt = this.deps.clock.now();
    parseSaveKey(input.key);
    const save = await findSave(this.deps.db, input.userId, input.key);
    const head = save?.head_version != null ? await findVersion(this.deps.db, save, save.head_version) : undefined;
    if (!save || !head) throw new ApiError('not_found', 'No save with this key.');
    const correctedMtime = await this.correct(input.deviceId, input.fileMtime, input.clientTime, receivedAt);
    const timeTrusted = await this.trusted(input, receivedAt);
    return this.writer.write({
      userId: input.userId,
      key: save.key,
      sha256: head.sha256,
      size: head.size,
      deleted: true,
      blank: false,
      timeTrusted,
      baseVersion: input.baseVersion,
      deviceId: input.deviceId,
      fileMtime: input.fileMtime,
      correctedMtime,
      metadata: null,
    });
  }

  /**
   * Makes `version` the head again as a new version (so devices pull it). Restoring a deletion
   * version restores the newest live version before it (what "Restore" on a deleted save means).
   */
  async restore(userId: string, key: string, version: number): Promise<WriteVersionResult> {
    parseSaveKey(key);
    const save = await findSave(this.deps.db, userId, key);
    let old = save ? await findVersion(this.deps.db, save, version) : undefined;
    if (!save || !old) throw new ApiError('not_found', 'No such save version.');
    if (old.deleted === 1) {
      old = await findLiveVersionBefore(this.deps.db, save, version);
      if (!old) throw new ApiError('not_found', 'No version before this deletion is kept any more.', { deleted: true, version });
    }
    return this.writer.write({
      userId,
      key: save.key,
      sha256: old.sha256,
      size: old.size,
      deleted: false,
      blank: old.blank === 1,
      timeTrusted: true,
      baseVersion: save.head_version,
      deviceId: null,
      fileMtime: null,
      correctedMtime: this.deps.clock.now(),
      metadata: old.metadata,
      restoredFrom: old.version,
      chosenByUser: true,
    });
  }

  /** The bytes of the head (or of `version`), with the rows that describe them. */
  async openDownload(userId: string, key: string, version?: number): Promise<{ save: SaveRow; version: SaveVersionRow; body: Readable }> {
    const found = await this.locateDownload(userId, key, version);
    return { ...found, body: await this.deps.blobs.get(userId, found.version.sha256) };
  }

  /** The rows describing the head (or `version`) of a save, without opening its bytes; 404 for a deletion. */
  async locateDownload(userId: string, key: string, version?: number): Promise<{ save: SaveRow; version: SaveVersionRow }> {
    parseSaveKey(key);
    const save = await findSave(this.deps.db, userId, key);
    const wanted = version ?? save?.head_version ?? undefined;
    const row = save && wanted != null ? await findVersion(this.deps.db, save, wanted) : undefined;
    if (!save || !row) throw new ApiError('not_found', version ? 'No such version of this save.' : 'No save with this key.');
    if (row.deleted === 1) {
      throw new ApiError('not_found', 'This save was deleted; an older version can be restored.', { deleted: true, version: row.version });
    }
    return { save, version: row };
  }
}
