/** Read queries over saves and versions, each scoped by user id. */
import { normalizeSaveKey } from '@retrosync/core';
import type { SaveRow, SaveVersionRow, SyncDb } from './schema.js';

/** Whether any of the user's versions (conflict copies included), or a RetroArch device's own file (dav/), holds these bytes. */
export async function holdsBlob(db: SyncDb, userId: string, sha256: string): Promise<boolean> {
  const row = await db.selectFrom('save_versions').select('version').where('user_id', '=', userId).where('sha256', '=', sha256).limit(1).executeTakeFirst();
  if (row !== undefined) return true;
  const dav = await db.selectFrom('dav_files').select('path').where('user_id', '=', userId).where('blob_sha256', '=', sha256).limit(1).executeTakeFirst();
  return dav !== undefined;
}

export interface HeadPair {
  save: SaveRow;
  head: SaveVersionRow;
}

const SAVE_COLS = ['id', 'user_id', 'key_norm', 'key', 'system', 'game', 'game_norm', 'kind', 'head_version', 'last_version', 'head_seq', 'metadata', 'created_at', 'updated_at'] as const;
const VERSION_COLS = ['save_id', 'version', 'user_id', 'sha256', 'size', 'deleted', 'conflict', 'device_id', 'file_mtime', 'corrected_mtime', 'restored_from', 'metadata', 'created_at', 'superseded_at', 'blank', 'time_trusted'] as const;

/**
 * Saves with their head version in one statement (one snapshot, so a cursor computed from the
 * result never runs ahead of the rows returned). `sinceSeq`: only heads changed after it.
 */
export async function selectHeads(db: SyncDb, userId: string, sinceSeq?: number): Promise<HeadPair[]> {
  let q = db
    .selectFrom('saves as s')
    .innerJoin('save_versions as v', (j) => j.onRef('v.save_id', '=', 's.id').onRef('v.version', '=', 's.head_version'))
    .select([...SAVE_COLS.map((c) => `s.${c} as s_${c}` as const), ...VERSION_COLS.map((c) => `v.${c} as v_${c}` as const)])
    .where('s.user_id', '=', userId);
  if (sinceSeq !== undefined) q = q.where('s.head_seq', '>', sinceSeq);
  const rows = (await q.orderBy('s.head_seq').execute()) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    save: pick(r, 's_', SAVE_COLS) as unknown as SaveRow,
    head: pick(r, 'v_', VERSION_COLS) as unknown as SaveVersionRow,
  }));
}

function pick(row: Record<string, unknown>, prefix: string, cols: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of cols) out[c] = row[prefix + c];
  return out;
}

export async function findSave(db: SyncDb, userId: string, key: string): Promise<SaveRow | undefined> {
  return db.selectFrom('saves').selectAll().where('user_id', '=', userId).where('key_norm', '=', normalizeSaveKey(key)).executeTakeFirst();
}

export async function findVersion(db: SyncDb, save: SaveRow, version: number): Promise<SaveVersionRow | undefined> {
  return db.selectFrom('save_versions').selectAll().where('save_id', '=', save.id).where('user_id', '=', save.user_id).where('version', '=', version).executeTakeFirst();
}

/** The newest version before `version` that is not a deletion (what restoring a deletion brings back). */
export async function findLiveVersionBefore(db: SyncDb, save: SaveRow, version: number): Promise<SaveVersionRow | undefined> {
  return db
    .selectFrom('save_versions')
    .selectAll()
    .where('save_id', '=', save.id)
    .where('user_id', '=', save.user_id)
    .where('version', '<', version)
    .where('deleted', '=', 0)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function listVersions(db: SyncDb, save: SaveRow): Promise<SaveVersionRow[]> {
  return db.selectFrom('save_versions').selectAll().where('save_id', '=', save.id).where('user_id', '=', save.user_id).orderBy('version', 'desc').execute();
}

/** Per save: number of versions and of conflict versions. */
export async function versionCounts(db: SyncDb, userId: string): Promise<Map<string, { versions: number; conflicts: number }>> {
  const rows = await db
    .selectFrom('save_versions')
    .select((eb) => ['save_id', eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('conflict').as('c')])
    .where('user_id', '=', userId)
    .groupBy('save_id')
    .execute();
  return new Map(rows.map((r) => [r.save_id, { versions: Number(r.n), conflicts: Number(r.c ?? 0) }]));
}
