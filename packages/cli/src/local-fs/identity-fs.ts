/**
 * The real disk behind the identity module's read-only {@link FileSystem} port (device paths are
 * host paths here; wrap with `rootedFs` for a `--root` folder).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { FileSystem } from '@retrosync/core';

const MAX_TEXT_BYTES = 1024 * 1024;

export const nodeIdentityFs: FileSystem = {
  stat(path) {
    try {
      const st = statSync(path);
      if (st.isFile()) return { type: 'file', size: st.size };
      if (st.isDirectory()) return { type: 'dir', size: 0 };
      return null;
    } catch {
      return null;
    }
  },
  list(path) {
    try {
      return readdirSync(path).sort();
    } catch {
      return null;
    }
  },
  readText(path) {
    try {
      const st = statSync(path);
      if (!st.isFile() || st.size > MAX_TEXT_BYTES) return null;
      return readFileSync(path, 'utf8');
    } catch {
      return null;
    }
  },
};
