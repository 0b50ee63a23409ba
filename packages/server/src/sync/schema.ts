/**
 * Tables of the sync protocol (migration 100-sync). Conventions as in db/schema.ts: epoch-ms
 * integers, text ids, 0/1 integers instead of booleans.
 *
 *   sync_feeds     one row per user: the change-feed counter. Every write to a user's saves
 *                  locks this row first, so on PostgreSQL writers of one user are serialised and
 *                  feed positions commit in order — a reader never skips a position.
 *   saves          one row per user + normalised key: display key, head pointer, the feed position
 *                  of the last head change (`head_seq`), latest per-game metadata.
 *   save_versions  immutable versions (bytes are content-addressed in the blob store by sha256);
 *                  `superseded_at` (110) is the one mutable column: set when it stops being the head.
 *   device_clocks  per device, the clock it showed at its last upload or deletion (110): what the
 *                  clock-jump check of core/sync/time-trust.ts compares against.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../db/schema.js';

export interface SyncFeedsTable {
  user_id: string;
  last_seq: number;
}

export interface SavesTable {
  id: string;
  user_id: string;
  /** normalizeSaveKey(key): unique per user. */
  key_norm: string;
  /** canonicalSaveKey(key): the display form. */
  key: string;
  system: string;
  game: string;
  /** normalizeName(game), for filters. */
  game_norm: string;
  kind: string;
  head_version: number | null;
  /** Highest version number ever given (heads and conflict versions). */
  last_version: number;
  /** Feed position of the last head change. */
  head_seq: number;
  /** JSON of the latest per-game metadata sent with an upload. */
  metadata: string | null;
  created_at: number;
  updated_at: number;
}

export interface SaveVersionsTable {
  save_id: string;
  version: number;
  user_id: string;
  sha256: string;
  size: number;
  deleted: number;
  conflict: number;
  device_id: string | null;
  file_mtime: number | null;
  corrected_mtime: number;
  restored_from: number | null;
  metadata: string | null;
  created_at: number;
  /** When this version stopped being the head (or was stored without becoming it); null for the head. Retention counts from here. */
  superseded_at: number | null;
  /** 1 when the bytes are blank (empty, all 0x00 or all 0xFF). */
  blank: number;
  /** 0 when the file time could not be trusted (core/sync/time-trust.ts). */
  time_trusted: number;
}

export interface DeviceClocksTable {
  device_id: string;
  user_id: string;
  offset_ms: number;
  seen_at: number;
  boot: string | null;
  jump_at: number | null;
  jump_boot: string | null;
}

/** Selective sync (migration 400): a device's filter, JSON of core's SyncFilter. No row = everything. */
export interface DeviceFiltersTable {
  device_id: string;
  user_id: string;
  filter: string;
  /** Feed position taken when the filter last changed (sync/device-filters.ts). */
  revision: number;
  updated_at: number;
  /** `user` (dashboard) or `device` (the device's own client). */
  updated_by: string;
}

export interface SyncTables {
  sync_feeds: SyncFeedsTable;
  saves: SavesTable;
  save_versions: SaveVersionsTable;
  device_clocks: DeviceClocksTable;
  device_filters: DeviceFiltersTable;
}

export type SaveRow = Selectable<SavesTable>;
export type SaveVersionRow = Selectable<SaveVersionsTable>;

/** Kysely over the whole database (db/schema.ts `Database` extends {@link SyncTables}). */
export type SyncDb = Kysely<Database>;
