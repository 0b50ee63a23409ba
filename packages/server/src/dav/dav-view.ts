/**
 * What one RetroArch device sees under `/dav/`: its own collections and opaque files, plus the
 * user's saves placed where this RetroArch keeps them (paths from `@retrosync/core`'s
 * retroarch-cloud mapping and the layout learned from its uploads). Built per request from the
 * database, so `manifest.server` is always current — "rewritten on every change from any
 * device" without a stored copy to go stale.
 */
import { createHash } from 'node:crypto';
import { cloudPathForKey, DEFAULT_CLOUD_LAYOUT, normalizeSaveKey, type CloudLayout } from '@retrosync/core';
import type { BlobStore } from '../storage/blob/blob-store.js';
import { selectHeads } from '../sync/save-queries.js';
import type { SaveRow, SaveVersionRow, SyncDb } from '../sync/schema.js';
import type { DavFileRow } from './schema.js';

export type ViewEntry =
  | { type: 'dir'; path: string }
  | { type: 'file'; path: string; row: DavFileRow }
  /** A save's head here; `row` is this device's record of the path, if any. */
  | { type: 'save'; path: string; save: SaveRow; head: SaveVersionRow; row: DavFileRow | null }
  /** A save deleted on the server that this device had: listed with hash "" in the manifest. */
  | { type: 'deleted'; path: string; save: SaveRow; head: SaveVersionRow; row: DavFileRow };

export interface DeviceView {
  layout: CloudLayout;
  entries: Map<string, ViewEntry>;
  /** Saves that have no place on this RetroArch (another core's states, two saves on one flat path). */
  unplaced: Array<{ key: string; reason: string }>;
  /** Every save key of the user (evidence for the system of an uploaded file). */
  knownKeys: readonly string[];
}

/** RetroArch's list of what the server has; generated per device (manifest.ts), never stored. */
export const MANIFEST_PATH = 'manifest.server';

export async function loadLayout(db: SyncDb, deviceId: string): Promise<CloudLayout> {
  const row = await db.selectFrom('dav_layouts').select('layout').where('device_id', '=', deviceId).executeTakeFirst();
  if (!row) return DEFAULT_CLOUD_LAYOUT;
  try {
    return { ...DEFAULT_CLOUD_LAYOUT, ...(JSON.parse(row.layout) as Partial<CloudLayout>) };
  } catch {
    return DEFAULT_CLOUD_LAYOUT;
  }
}

export async function saveLayout(db: SyncDb, userId: string, deviceId: string, layout: CloudLayout, now: number): Promise<void> {
  const text = JSON.stringify(layout);
  await db
    .insertInto('dav_layouts')
    .values({ device_id: deviceId, user_id: userId, layout: text, updated_at: now })
    .onConflict((oc) => oc.column('device_id').doUpdateSet({ layout: text, updated_at: now }))
    .execute();
}

export async function buildView(db: SyncDb, userId: string, deviceId: string): Promise<DeviceView> {
  const [layout, rows, heads] = await Promise.all([
    loadLayout(db, deviceId),
    db.selectFrom('dav_files').selectAll().where('device_id', '=', deviceId).where('user_id', '=', userId).execute(),
    selectHeads(db, userId),
  ]);
  const entries = new Map<string, ViewEntry>();
  const unplaced: DeviceView['unplaced'] = [];
  const byKey = new Map<string, DavFileRow>();
  for (const row of rows) {
    if (row.is_dir === 1) entries.set(row.path, { type: 'dir', path: row.path });
    else if (row.save_key === null) entries.set(row.path, { type: 'file', path: row.path, row });
    else byKey.set(normalizeSaveKey(row.save_key), row);
  }
  for (const { save, head } of heads) {
    const row = byKey.get(save.key_norm) ?? null;
    let path = row?.path ?? null;
    if (path === null) {
      const placed = cloudPathForKey(save.key, layout);
      if (placed.path === null) {
        if (head.deleted === 0) unplaced.push({ key: save.key, reason: placed.reason });
        continue;
      }
      path = placed.path;
    }
    const taken = entries.get(path);
    if (taken) {
      if (head.deleted === 0) unplaced.push({ key: save.key, reason: `${path} is already ${taken.type === 'file' ? 'a file of this RetroArch' : `the place of ${taken.type === 'dir' ? 'a folder' : taken.save.key}`}` });
      continue;
    }
    if (head.deleted === 1) {
      if (row) entries.set(path, { type: 'deleted', path, save, head, row });
      continue;
    }
    entries.set(path, { type: 'save', path, save, head, row });
  }
  return { layout, entries, unplaced, knownKeys: heads.map((h) => h.save.key) };
}

/** The bytes a save entry serves: this device's own bytes when they are the head's content (RZIP as it wrote them), else the head's. */
export function servedBlob(entry: Extract<ViewEntry, { type: 'save' }>): { sha256: string; size: number; md5: string | null } {
  const row = entry.row;
  if (row && row.content_sha256 === entry.head.sha256 && row.blob_sha256 && row.md5) {
    return { sha256: row.blob_sha256, size: Number(row.size ?? 0), md5: row.md5 };
  }
  return { sha256: entry.head.sha256, size: Number(entry.head.size), md5: null };
}

/** MD5 of stored bytes (RetroArch's manifest hash), computed once per blob and kept in `blob_md5`. */
export async function md5Of(db: SyncDb, blobs: BlobStore, userId: string, sha256: string): Promise<string> {
  const row = await db.selectFrom('blob_md5').select('md5').where('user_id', '=', userId).where('sha256', '=', sha256).executeTakeFirst();
  if (row) return row.md5;
  const hash = createHash('md5');
  for await (const chunk of await blobs.get(userId, sha256)) hash.update(chunk as Buffer);
  const md5 = hash.digest('hex');
  await db
    .insertInto('blob_md5')
    .values({ user_id: userId, sha256, md5 })
    .onConflict((oc) => oc.columns(['user_id', 'sha256']).doNothing())
    .execute();
  return md5;
}

/** The hash this entry has on the server now (lower-case MD5 hex; "" for a deletion). */
export async function entryMd5(db: SyncDb, blobs: BlobStore, userId: string, entry: ViewEntry): Promise<string | null> {
  if (entry.type === 'dir') return null;
  if (entry.type === 'deleted') return '';
  if (entry.type === 'file') return entry.row.md5;
  const served = servedBlob(entry);
  return served.md5 ?? (await md5Of(db, blobs, userId, served.sha256));
}
