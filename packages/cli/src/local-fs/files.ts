/**
 * The local file port the sync engine writes through. The node adapter replaces files
 * atomically: a temp file in the same folder (named so every client ignores it), fsync, rename,
 * fsync of the folder, then the file time. Tests drive the engine with the same adapter on a
 * temp folder or with a fake.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, promises as fsp, readdirSync, type Dirent } from 'node:fs';
import { dirname, join } from 'node:path';

export interface LocalStat {
  size: number;
  mtimeMs: number;
}

export interface WalkEntry extends LocalStat {
  path: string;
}

export interface LocalFiles {
  stat(path: string): Promise<LocalStat | null>;
  read(path: string): Promise<Uint8Array>;
  /** Replaces (or creates) `path` atomically with `bytes` and sets its modification time. */
  writeAtomic(path: string, bytes: Uint8Array, mtimeMs: number): Promise<LocalStat>;
  remove(path: string): Promise<void>;
  /** Regular files below `dir` (not following symlinks), at most `maxDepth` folders deep. */
  walk(dir: string, maxDepth: number): Promise<WalkEntry[]>;
}

/** Prefix of temp files: ignored by identity's `temporary` rule on every client. */
export const TEMP_PREFIX = '.retrosync-';

async function fsyncDir(dir: string): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open folders; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}

export function nodeFiles(): LocalFiles {
  return {
    async stat(path) {
      try {
        const st = await fsp.lstat(path);
        return st.isFile() ? { size: st.size, mtimeMs: Math.floor(st.mtimeMs) } : null;
      } catch {
        return null;
      }
    },
    async read(path) {
      return new Uint8Array(await fsp.readFile(path));
    },
    async writeAtomic(path, bytes, mtimeMs) {
      const dir = dirname(path);
      await fsp.mkdir(dir, { recursive: true });
      const temp = join(dir, `${TEMP_PREFIX}${randomBytes(6).toString('hex')}.tmp`);
      const handle = await fsp.open(temp, 'wx', 0o644);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } catch (err) {
        await handle.close();
        await fsp.rm(temp, { force: true });
        throw err;
      }
      await handle.close();
      const when = new Date(mtimeMs);
      try {
        await fsp.utimes(temp, when, when);
        await fsp.rename(temp, path);
      } catch (err) {
        await fsp.rm(temp, { force: true });
        throw err;
      }
      await fsyncDir(dir);
      const st = await fsp.stat(path);
      return { size: st.size, mtimeMs: Math.floor(st.mtimeMs) };
    },
    async remove(path) {
      await fsp.rm(path, { force: true });
    },
    async walk(dir, maxDepth) {
      // Synchronous on purpose: 10,000 stats through the thread pool cost ~10× more than
      // a tight loop of lstatSync, and a rescan should take milliseconds.
      const out: WalkEntry[] = [];
      const visit = (d: string, depth: number): void => {
        let entries: Dirent[];
        try {
          entries = readdirSync(d, { withFileTypes: true });
        } catch {
          return;
        }
        for (const e of entries) {
          const p = join(d, e.name);
          if (e.isDirectory()) {
            if (depth < maxDepth) visit(p, depth + 1);
          } else if (e.isFile() && !e.name.startsWith(TEMP_PREFIX)) {
            const st = lstatSync(p, { throwIfNoEntry: false });
            if (st?.isFile()) out.push({ path: p, size: st.size, mtimeMs: Math.floor(st.mtimeMs) });
          }
        }
      };
      visit(dir, 0);
      return out;
    },
  };
}
