/**
 * Tables of the WebDAV endpoint for RetroArch Cloud Sync (migration 310-dav).
 *
 *   dav_files    one row per RetroArch device and path it knows: collections (`is_dir`), opaque
 *                files (config, thumbnails, system files, saves that cannot be told apart — never
 *                shown to other devices), and save paths (`save_key`) with what this RetroArch last
 *                synced there: `synced_md5` is the hash in its own manifest.local, `save_version`
 *                the version those bytes are, `served_md5` the hash the last manifest.server gave.
 *                `blob_sha256` is the exact bytes it sent (RZIP as written), `content_sha256` the
 *                save's bytes after inflating.
 *   dav_layouts  per device: how its RetroArch arranges saves/ and states/ (learned, JSON).
 *   blob_md5     MD5 of stored bytes, computed once (RetroArch's manifest hashes are MD5).
 */
import type { Selectable } from 'kysely';

export interface DavFilesTable {
  device_id: string;
  path: string;
  user_id: string;
  is_dir: number;
  save_key: string | null;
  save_version: number | null;
  synced_md5: string | null;
  served_md5: string | null;
  blob_sha256: string | null;
  content_sha256: string | null;
  md5: string | null;
  size: number | null;
  note: string | null;
  updated_at: number;
}

export interface DavLayoutsTable {
  device_id: string;
  user_id: string;
  layout: string;
  updated_at: number;
}

export interface BlobMd5Table {
  user_id: string;
  sha256: string;
  md5: string;
}

export interface DavTables {
  dav_files: DavFilesTable;
  dav_layouts: DavLayoutsTable;
  blob_md5: BlobMd5Table;
}

export type DavFileRow = Selectable<DavFilesTable>;
