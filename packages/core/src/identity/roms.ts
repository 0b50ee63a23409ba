/**
 * ROM lookup: the ROMs in a device's ROM roots, indexed by name, so a save in a folder that
 * serves several systems (mGBA, Gambatte, Genesis Plus GX, flat desktop folders) can be tied
 * to its system, and a save can be placed next to / named after the ROM a device has.
 */
import { normalizeName } from '../key/save-key.js';
import type { FileSystem } from './fs.js';
import { ignoreReason } from './ignore.js';
import { classifyFile, extensionOf } from './names.js';
import { basename, dirname, joinPath, segmentsBelow } from './paths.js';
import { playlistRoms } from './playlists.js';
import { systemForExtension, systemsForFolder } from './systems.js';

export interface RomHit {
  /** Device path of the ROM file. */
  path: string;
  /** ROM file name, extension included. */
  file: string;
  /** ROM name without its last extension: the name RetroArch gives the save. */
  stem: string;
  /** The ROM root it was found under. */
  root: string;
  /** First folder below the root (the system folder, e.g. `gba` or `Game Boy Advance (GBA)`). */
  systemFolder: string | null;
  /** The system of the ROM: from its extension, else from its system folder; null when neither says. */
  system: string | null;
}

/** How deep below a ROM root to look (system folder / sub folder / game folder). */
export const ROM_SCAN_DEPTH = 3;

/** Builds the {@link RomHit} for a ROM file path below `root`. */
export function romHit(root: string, path: string): RomHit {
  const file = basename(path);
  const ext = extensionOf(file);
  const below = segmentsBelow(root, path) ?? [file];
  const systemFolder = below.length > 1 ? (below[0] ?? null) : null;
  const folderSystems = systemFolder ? systemsForFolder(systemFolder) : [];
  return {
    path,
    file,
    stem: ext === '' ? file : file.slice(0, file.length - ext.length),
    root,
    systemFolder,
    system: systemForExtension(ext) ?? (folderSystems.length === 1 ? (folderSystems[0] ?? null) : null),
  };
}

/** A lazily built index of the ROMs under a device's ROM roots. Build one per scan and reuse it. */
export class RomIndex {
  private byName: Map<string, RomHit[]> | undefined;

  constructor(
    private readonly fs: FileSystem,
    private readonly roots: readonly string[],
    private readonly playlists: readonly string[] = [],
  ) {}

  /** The index for a device with this profile: its ROM roots (user roots first) and RetroArch playlists. */
  static forProfile(fs: FileSystem, profile: { romRoots: readonly string[]; playlists?: readonly string[] }): RomIndex {
    return new RomIndex(fs, profile.romRoots, profile.playlists ?? []);
  }

  /** ROMs whose name without extension equals `game` (compared NFC, case-folded, whitespace collapsed). */
  find(game: string): RomHit[] {
    this.byName ??= this.build();
    return this.byName.get(normalizeName(game)) ?? [];
  }

  /** ROMs next to a file (for saves kept in the content folder). */
  besides(path: string, game: string): RomHit[] {
    const dir = dirname(path);
    const want = normalizeName(game);
    const root = this.roots.find((r) => segmentsBelow(r, path) !== null) ?? dir;
    return (this.fs.list(dir) ?? [])
      .filter((name) => isRomFile(name))
      .map((name) => romHit(root, joinPath(dir, name)))
      .filter((hit) => normalizeName(hit.stem) === want);
  }

  private build(): Map<string, RomHit[]> {
    const map = new Map<string, RomHit[]>();
    const walk = (root: string, dir: string, depth: number): void => {
      for (const name of this.fs.list(dir) ?? []) {
        const path = joinPath(dir, name);
        const st = this.fs.stat(path);
        if (st?.type === 'dir') {
          if (depth < ROM_SCAN_DEPTH && !name.startsWith('.')) walk(root, path, depth + 1);
        } else if (st?.type === 'file' && isRomFile(name)) {
          const hit = romHit(root, path);
          const key = normalizeName(hit.stem);
          map.set(key, [...(map.get(key) ?? []), hit]);
        }
      }
    };
    for (const root of this.roots) walk(root, root, 1);
    // Playlists name ROMs wherever they are, with the system their database says.
    for (const hit of playlistRoms(this.fs, this.playlists)) {
      const key = normalizeName(hit.stem);
      const known = map.get(key) ?? [];
      if (!known.some((h) => h.path === hit.path && h.system === hit.system)) map.set(key, [...known, hit]);
    }
    return map;
  }
}

/** A file in a ROM folder that may be a ROM: not ignored, not a save, state or clock file. */
function isRomFile(name: string): boolean {
  return ignoreReason(name) === null && classifyFile(name).class === 'other' && !name.startsWith('.');
}
