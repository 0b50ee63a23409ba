/** The real disk as the identity module's read-only {@link FileSystem} port. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { FileSystem } from '@retrosync/core';

/** Text files larger than this are not read (markers and retroarch.cfg are small). */
const MAX_TEXT_BYTES = 4 * 1024 * 1024;

export function diskFs(): FileSystem {
  return {
    stat(path) {
      try {
        const st = statSync(path);
        if (st.isDirectory()) return { type: 'dir', size: 0 };
        return st.isFile() ? { type: 'file', size: st.size } : null;
      } catch {
        return null;
      }
    },
    list(path) {
      try {
        return readdirSync(path);
      } catch {
        return null;
      }
    },
    readText(path) {
      try {
        if (statSync(path).size > MAX_TEXT_BYTES) return null;
        return readFileSync(path, 'utf8');
      } catch {
        return null;
      }
    },
  };
}
