/**
 * Wire schemas of the sync protocol v1 (saves, versions, change feed, events). Wire types, not
 * domain types: dates are ISO 8601 strings, file times epoch milliseconds, sizes in bytes.
 */
import { z } from 'zod';
import { isoDate } from '../schemas.js';

export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'lower-case hex SHA-256');

/**
 * Upload outcomes (`X-Outcome` and `data.outcome`). v1.1 adds `blank_refused`: a blank upload
 * (empty, all 0x00 or all 0xFF) over a non-blank head is stored as a version and the head stays.
 * A client that does not know an outcome treats it like `conflict_lost`.
 */
export const UPLOAD_OUTCOMES = ['accepted', 'unchanged', 'conflict_won', 'conflict_lost', 'blank_refused'] as const;
export const uploadOutcome = z.enum(UPLOAD_OUTCOMES);

/**
 * Per-game metadata (the seed's `metadata.json`), sent with an upload in the `X-Save-Metadata`
 * header as JSON and returned in listings. Every field is optional; unknown fields are dropped.
 */
export const saveMetadata = z.object({
  gameName: z.string().max(200).optional(),
  platform: z.string().max(64).optional(),
  lastPlayed: z.string().max(64).optional().describe('ISO 8601, as the device reports it'),
  playTime: z.number().int().min(0).optional().describe('seconds'),
  deviceName: z.string().max(64).optional(),
});
export type SaveMetadata = z.infer<typeof saveMetadata>;

/** The current version of a save. */
export const saveHead = z.object({
  key: z.string().describe('display form of the save key, <system>/<game>/<kind>'),
  version: z.number().int(),
  sha256: sha256Hex,
  size: z.number().int(),
  deleted: z.boolean(),
  deviceId: z.string().nullable().describe('device that uploaded it; null when a user restored it'),
  fileMtime: z.number().int().nullable().describe("the device's own file time, epoch ms"),
  correctedMtime: z.number().int().describe('file time on the server clock, epoch ms (what conflicts compare)'),
  updatedAt: isoDate,
});
export type SaveHead = z.infer<typeof saveHead>;

export const saveVersion = saveHead.extend({
  conflict: z.boolean().describe('kept after losing a conflict (or being overtaken by one)'),
  blank: z.boolean().describe('the bytes are blank (empty, all 0x00 or all 0xFF)'),
  timeTrusted: z.boolean().describe('false when the file time could not be placed on the server clock (a reset or jumped device clock)'),
  supersededAt: isoDate.nullable().describe('when this version stopped being the head (retention counts from here); null for the head'),
  head: z.boolean(),
  restoredFrom: z.number().int().nullable(),
  metadata: saveMetadata.nullable(),
  createdAt: isoDate,
});
export type SaveVersion = z.infer<typeof saveVersion>;

/** One row of the change feed / heads listing. */
export const syncFile = saveHead.extend({
  system: z.string(),
  game: z.string(),
  kind: z.string(),
  cursor: z.number().int().describe('feed position of this change'),
  metadata: saveMetadata.nullable(),
});
export type SyncFile = z.infer<typeof syncFile>;

export const saveSummary = syncFile.extend({
  versionCount: z.number().int(),
  conflictCount: z.number().int(),
});
export type SaveSummary = z.infer<typeof saveSummary>;

export const LEASE_REASONS = ['write', 'launch'] as const;
export const leaseReason = z.enum(LEASE_REASONS);

/** A live play lease: the save is in use on this device. Times are on the server's clock. */
export const playLease = z.object({
  key: z.string().describe('the save key as the holder sent it, <system>/<game>/<kind>'),
  deviceId: z.string(),
  deviceName: z.string(),
  reason: leaseReason.describe('write: the device saw the save change; launch: a launcher hook reported the game starting'),
  since: isoDate.describe('when this device took the lease'),
  renewedAt: isoDate.describe("the holder's latest claim"),
  expiresAt: isoDate.describe('when it ends unless renewed: the idle window, or sooner if the device stops checking in'),
});
export type PlayLease = z.infer<typeof playLease>;

export const uploadResult = z.object({
  outcome: uploadOutcome,
  head: saveHead,
  stored: z.object({ version: z.number().int() }).describe('the version this upload is (for unchanged: the head)'),
  lease: playLease
    .optional()
    .describe('present when another device holds a live play lease on this save: warn the player (the conflict rule still decided)'),
});
export type UploadResult = z.infer<typeof uploadResult>;

/**
 * Columns of the TSV form of `GET /api/sync/files`, in order. The reply is a line of these
 * column names, one TAB-separated line per file, then `#cursor<TAB><N>`. Key segments are
 * percent-encoded exactly as in URLs (so a key never contains TAB, newline or space);
 * `deleted` is true/false; `fileMtime` and `deviceId` may be empty.
 */
export const SYNC_FILES_TSV_COLUMNS = ['key', 'version', 'sha256', 'size', 'deleted', 'correctedMtime', 'fileMtime', 'deviceId', 'cursor'] as const;

/** Server-Sent Event names on `GET /api/sync/events`. */
export const SYNC_EVENT_NAMES = ['hello', 'save', 'conflict', 'device', 'log', 'resync', 'lease', 'key', 'filter'] as const;
export type SyncEventName = (typeof SYNC_EVENT_NAMES)[number];
