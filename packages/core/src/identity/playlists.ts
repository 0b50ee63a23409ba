/**
 * RetroArch playlists (`playlists/*.lpl`, `content_history.lpl`): each entry names a ROM's path,
 * the core that ran it and the libretro database of its system ("Nintendo - Game Boy
 * Advance.lpl"). They tie a save in a flat or multi-system folder to its ROM and system on a PC
 * with nothing to configure.
 *
 * Two formats: JSON (RetroArch 1.7.6 and later: `{ "version", "items": [{ "path", "label",
 * "core_path", "core_name", "crc32", "db_name" }] }`) and the older six lines per entry (path,
 * label, core path, core name, crc, database name).
 */
import { layouts } from './data.js';
import type { FileSystem } from './fs.js';
import { extensionOf } from './names.js';
import { basename, dirname, joinPath, normalizePath } from './paths.js';
import type { RomHit } from './roms.js';
import { systemForExtension } from './systems.js';

export interface PlaylistEntry {
  path: string;
  coreName: string | null;
  /** The entry's database (`Nintendo - Game Boy Advance`, without `.lpl`), or null. */
  database: string | null;
}

/** The system a libretro database name stands for (`Nintendo - Game Boy Advance[.lpl]` → gba). */
export function systemForDatabase(name: string | null | undefined): string | null {
  if (!name) return null;
  const bare = name.replace(/\.lpl$/i, '').trim();
  return layouts().sync_tables.libretro_databases.names[bare] ?? null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' && v !== 'DETECT' ? v : null;
}

/** Parses one playlist file's text; unreadable entries are skipped, never guessed. */
export function parsePlaylist(text: string): PlaylistEntry[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch {
      return [];
    }
    const items = (doc as { items?: unknown }).items;
    if (!Array.isArray(items)) return [];
    return items.flatMap((it: Record<string, unknown>) => {
      const path = str(it?.path);
      return path ? [{ path, coreName: str(it.core_name), database: str(it.db_name)?.replace(/\.lpl$/i, '') ?? null }] : [];
    });
  }
  const lines = text.split(/\r?\n/);
  const out: PlaylistEntry[] = [];
  for (let i = 0; i + 5 < lines.length + 1 && lines[i] !== undefined; i += 6) {
    const path = str(lines[i]?.trim());
    if (path) out.push({ path, coreName: str(lines[i + 3]?.trim()), database: str(lines[i + 5]?.trim())?.replace(/\.lpl$/i, '') ?? null });
  }
  return out;
}

/** The ROM an entry names, as a {@link RomHit}: archives (`Game.zip#Game.gba`) by their member. */
export function playlistHit(entry: PlaylistEntry, playlistName: string): RomHit {
  const path = normalizePath(entry.path.replace(/\\/g, '/'));
  const hash = path.lastIndexOf('#');
  const file = basename(hash > path.lastIndexOf('/') ? path.slice(hash + 1) : path);
  const container = hash > path.lastIndexOf('/') ? path.slice(0, hash) : path;
  const ext = extensionOf(file);
  const fromName = /^content_(history|favorites)/i.test(playlistName) ? null : systemForDatabase(playlistName);
  return {
    path: container,
    file,
    stem: ext === '' ? file : file.slice(0, file.length - ext.length),
    root: dirname(container),
    systemFolder: basename(dirname(container)) || null,
    system: systemForDatabase(entry.database) ?? fromName ?? systemForExtension(ext),
  };
}

/** Every ROM named by the playlists in `dirs` (and one level of sub-folders, e.g. `builtin/`). */
export function playlistRoms(fs: FileSystem, dirs: readonly string[]): RomHit[] {
  const out: RomHit[] = [];
  const seen = new Set<string>();
  const visit = (dir: string, depth: number) => {
    for (const name of fs.list(dir) ?? []) {
      const path = joinPath(dir, name);
      if (seen.has(path)) continue;
      seen.add(path);
      if (/\.lpl$/i.test(name)) {
        const text = fs.readText(path);
        if (text !== null) for (const e of parsePlaylist(text)) out.push(playlistHit(e, name));
      } else if (depth > 0 && fs.stat(path)?.type === 'dir') {
        visit(path, depth - 1);
      }
    }
  };
  for (const d of dirs) visit(d, 1);
  return out;
}
