/** Local work waiting for the next pass, found without reading or hashing any file. */
import type { DeviceLayout } from '../../engine/layout.js';
import { WALK_DEPTH } from '../../engine/scan.js';
import type { LocalFiles } from '../../local-fs/files.js';
import { keyId, type SyncState } from '../../state/sync-state.js';

export interface Pending {
  newFiles: string[];
  changed: string[];
  missing: string[];
  /** Files that look like saves but cannot be told apart (e.g. gb or gbc without the ROM). */
  unclear: { path: string; reason: string }[];
}

export async function findPending(layout: DeviceLayout, files: LocalFiles, state: SyncState): Promise<Pending> {
  layout.beginScan();
  const out: Pending = { newFiles: [], changed: [], missing: [], unclear: [] };
  const seen = new Set<string>();
  for (const dir of layout.scanDirs()) {
    for (const f of await files.walk(dir, WALK_DEPTH)) {
      const known = state.atPath(f.path);
      if (known) {
        seen.add(f.path);
        if (known.size !== f.size || known.mtimeMs !== f.mtimeMs) out.changed.push(f.path);
      } else {
        const id = layout.identify(f.path, f.size);
        if (!('skip' in id)) out.newFiles.push(f.path);
        else if (id.unclear) out.unclear.push({ path: f.path, reason: id.skip });
      }
    }
  }
  for (const key of state.keys()) {
    const e = state.get(key);
    if (e && e.sha256 !== null && !seen.has(e.path) && state.data.parked[keyId(key)] === undefined) out.missing.push(e.path);
  }
  return out;
}
