/**
 * `manifest.server`, generated for one RetroArch device on every GET: a JSON array of
 * `{"path", "hash"}` (lower-case MD5 of exactly the bytes a GET of that path returns; "" for a
 * save deleted on the server that this RetroArch had), sorted in RetroArch's strcasecmp order.
 * `deleted/` (RetroArch's own trash) is never listed: RetroArch would try to fetch it back.
 *
 * Converging after a conflict. RetroArch diffs three ways (this list, its manifest.local, its
 * disk). When both its file and the server changed since its last sync it logs a conflict and
 * transfers nothing — at every start, forever. The server sees that as a listed hash RetroArch
 * did not fetch (`served_md5` ≠ `synced_md5` at the next manifest request). A conflict also
 * drops the path from RetroArch's manifest.local (observed with 1.20.0 and 1.22.2), so the
 * server then leaves the path out of the list once: RetroArch sees a file only it has and
 * uploads it. The upload goes through the conflict rule (kept as a version, winner by the rule),
 * and the manifest after it lists the head again, which RetroArch downloads when its copy lost
 * (its file is unchanged since that upload). A RetroArch whose file already equals the head
 * never conflicts (it records the hash without a transfer; left out once, it re-uploads the same
 * bytes, which the server answers `unchanged`).
 */
import { compareCloudPaths } from '@retrosync/core';
import type { DeviceAuth } from '../http/auth.js';
import type { SyncModule } from '../sync/sync-module.js';
import type { Clock } from '../clock.js';
import { buildView, entryMd5, MANIFEST_PATH } from './dav-view.js';

export interface ManifestEntry {
  path: string;
  hash: string;
}

export async function generateManifest(sync: SyncModule, clock: Clock, auth: DeviceAuth): Promise<ManifestEntry[]> {
  const db = sync.service.deps.db;
  const view = await buildView(db, auth.userId, auth.deviceId);
  const out: ManifestEntry[] = [];
  const now = clock.now();
  for (const entry of view.entries.values()) {
    if (entry.type === 'dir' || entry.path === MANIFEST_PATH || entry.path === 'deleted' || entry.path.startsWith('deleted/')) continue;
    let hash = await entryMd5(db, sync.blobs, auth.userId, entry);
    if (hash === null) continue;
    if (entry.type === 'save' || entry.type === 'deleted') {
      const row = entry.row;
      const stalled = row !== null && row.served_md5 !== null && row.served_md5 !== row.synced_md5 && row.served_md5 === hash;
      // It deleted this save and the server has a new head since: its manifest.local still says
      // "deleted", and with the file gone it would delete the new head. Unlisted once, RetroArch
      // forgets the path; listed again, it downloads the head.
      const forget = entry.type === 'save' && row?.synced_md5 === '';
      let listed: string | null = hash;
      if (forget) listed = null;
      else if (stalled) listed = null;
      if (row === null || row.served_md5 !== listed || forget) {
        const synced = forget ? null : (row?.synced_md5 ?? null);
        await db
          .insertInto('dav_files')
          .values({ device_id: auth.deviceId, user_id: auth.userId, path: entry.path, is_dir: 0, save_key: entry.save.key, served_md5: listed, synced_md5: synced, updated_at: now })
          .onConflict((oc) => oc.columns(['device_id', 'path']).doUpdateSet({ served_md5: listed, synced_md5: synced, updated_at: now }))
          .execute();
      }
      if (listed === null) continue;
      hash = listed;
    }
    out.push({ path: entry.path, hash });
  }
  out.sort((a, b) => compareCloudPaths(a.path, b.path));
  return out;
}

/** The manifest as RetroArch writes its own (one object per entry). */
export function manifestText(entries: readonly ManifestEntry[]): string {
  if (entries.length === 0) return '[]\n';
  return `[\n${entries.map((e) => `  {\n    "path": ${JSON.stringify(e.path)},\n    "hash": ${JSON.stringify(e.hash)}\n  }`).join(',\n')}\n]\n`;
}
