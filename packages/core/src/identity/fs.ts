/**
 * The file-system port of the identity module. It only ever reads: directory listings, sizes
 * and small text files (markers, `retroarch.cfg`). The CLI passes the real disk; tests pass
 * {@link memoryFs}.
 */
import { dirname, normalizePath, underRoot } from './paths.js';

export interface FileStat {
  type: 'file' | 'dir';
  size: number;
}

export interface FileSystem {
  /** What is at `path`, or null when nothing (readable) is there. */
  stat(path: string): FileStat | null;
  /** Entry names in a directory, or null when it is not a readable directory. */
  list(path: string): string[] | null;
  /** A small file's text (UTF-8), or null when it cannot be read. */
  readText(path: string): string | null;
}

/** Reads device paths under `root` as if `root` were `/` (the CLI's `--root DIR`). */
export function rootedFs(fs: FileSystem, root: string | undefined): FileSystem {
  if (root === undefined || root === '' || root === '/') return fs;
  return {
    stat: (p) => fs.stat(underRoot(root, p)),
    list: (p) => fs.list(underRoot(root, p)),
    readText: (p) => fs.readText(underRoot(root, p)),
  };
}

/** A file in {@link memoryFs}: its text, or just its size in bytes. */
export type MemoryFile = string | { size: number };

/**
 * An in-memory, read-only file system built from `{ path: content }`. Folders exist implicitly
 * (a path ending in `/` declares an empty one).
 */
export function memoryFs(files: Readonly<Record<string, MemoryFile>> | readonly string[] = {}): FileSystem {
  const entries: Record<string, MemoryFile> = Array.isArray(files)
    ? Object.fromEntries((files as readonly string[]).map((f) => [f, '']))
    : { ...(files as Record<string, MemoryFile>) };
  const fileMap = new Map<string, MemoryFile>();
  const dirs = new Map<string, Set<string>>([['/', new Set()]]);
  const addDir = (dir: string): void => {
    if (dirs.has(dir)) return;
    dirs.set(dir, new Set());
    const parent = dirname(dir);
    if (parent !== '' && parent !== dir) {
      addDir(parent);
      dirs.get(parent)?.add(dir.slice(dir.lastIndexOf('/') + 1));
    }
  };
  for (const [raw, content] of Object.entries(entries)) {
    const path = normalizePath(raw);
    if (raw.endsWith('/')) {
      addDir(path);
      continue;
    }
    fileMap.set(path, content);
    const parent = dirname(path);
    addDir(parent);
    dirs.get(parent)?.add(path.slice(path.lastIndexOf('/') + 1));
  }
  return {
    stat(p) {
      const path = normalizePath(p);
      const f = fileMap.get(path);
      if (f !== undefined) return { type: 'file', size: typeof f === 'string' ? Buffer.byteLength(f) : f.size };
      return dirs.has(path) ? { type: 'dir', size: 0 } : null;
    },
    list(p) {
      const d = dirs.get(normalizePath(p));
      return d ? [...d].sort() : null;
    },
    readText(p) {
      const f = fileMap.get(normalizePath(p));
      return typeof f === 'string' ? f : null;
    },
  };
}
