/** Local work waiting for the next pass, found without reading or hashing any file. */
import type { PassFilter } from '../../engine/filter.js';
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
  /** Saves here that the sync filters exclude (left alone; not pending work). */
  excluded: number;
}

export async function findPending(layout: DeviceLayout, files: LocalFiles, state: SyncState, filter?: PassFilter): Promise<Pending> {
  layout.beginScan();
  const out: Pending = { newFiles: [], changed: [], missing: [], unclear: [], excluded: 0 };
  const allows = (key: string) => !filter || filter.allows(key);
  const seen = new Set<string>();
  for (const dir of layout.scanDirs()) {
    for (const f of await files.walk(dir, WALK_DEPTH)) {
      const known = state.atPath(f.path);
      if (known && (known.excluded || !allows(known.key))) {
        seen.add(f.path);
        out.excluded++;
      } else if (known) {
        seen.add(f.path);
        if (known.size !== f.size || known.mtimeMs !== f.mtimeMs) out.changed.push(f.path);
      } else {
        const id = layout.identify(f.path, f.size);
        if (!('skip' in id)) {
          if (allows(id.key)) out.newFiles.push(f.path);
          else out.excluded++;
        }
        else if (id.unclear) out.unclear.push({ path: f.path, reason: id.skip });
      }
    }
  }
  for (const key of state.keys()) {
    const e = state.get(key);
    if (e && e.sha256 !== null && !e.excluded && allows(e.key) && !seen.has(e.path) && state.data.parked[keyId(key)] === undefined) out.missing.push(e.path);
  }
  return out;
}
