/**
 * RetroArch-relative paths → save keys: `saves/mGBA/Game.srm`, `saves/gba/Game.srm`,
 * `saves/Game.srm`, `states/roms/Gambatte/Game.state1`. This is what RetroArch's Cloud Sync
 * uploads (paths below its save and state folders), so the WebDAV endpoint maps them here with
 * the same rule the desktop layouts use: `savefile_dir[/<content dir>][/<core library name>]`.
 *
 * When the device's settings are unknown the folder depth says how it sorts: none = flat,
 * two = content dir then core, one = a core when the name is a known core (`mGBA`), else a
 * content dir (`gba`, `Game Boy Advance`). A flat or multi-system folder needs a ROM (`roms`,
 * e.g. from the user's playlists) to tell the system; without one the answer is `ambiguous`.
 */
import { normalizeName } from '../key/save-key.js';
import type { FileSystem } from './fs.js';
import { identifyPath, type Identification } from './identify.js';
import { normalizePath } from './paths.js';
import { placeKey } from './place.js';
import { resolveProfile, type Profile } from './profile.js';
import type { RetroArchSettings } from './retroarch-cfg.js';
import type { RomIndex } from './roms.js';
import { tables } from './tables.js';

export interface RetroArchRelativeOptions {
  /** The RetroArch device's own settings, when known (its sort keys decide the folder levels). */
  settings?: RetroArchSettings;
  /** ROMs and playlists to tie flat / multi-system saves to a system. */
  roms?: RomIndex;
  fs?: FileSystem;
  size?: number;
}

function isCore(name: string): boolean {
  const t = tables();
  return t.coreExact.has(name) || t.coreFolded.has(normalizeName(name));
}

/**
 * Identifies a path relative to RetroArch's base (`saves/…` or `states/…`). Anything else —
 * `config/`, thumbnails, playlists — is `ignored`.
 */
export function identifyRetroArchRelative(relPath: string, opts: RetroArchRelativeOptions = {}): Identification {
  const rel = normalizePath(relPath.replace(/\\/g, '/')).replace(/^\/+/, '');
  const [top, ...rest] = rel.split('/');
  if ((top !== 'saves' && top !== 'states') || rest.length === 0) {
    return { status: 'ignored', path: relPath, reason: 'outside-save-folders' };
  }
  const folders = rest.slice(0, -1);
  const s = opts.settings ?? {};
  const saves = top === 'saves';
  const givenCore = saves ? s.sortSavefilesByCore : s.sortSavestatesByCore;
  const givenContent = saves ? s.sortSavefilesByContent : s.sortSavestatesByContent;
  let byCore: boolean;
  let byContent: boolean;
  if (givenCore !== undefined || givenContent !== undefined) {
    byCore = givenCore ?? true;
    byContent = givenContent ?? false;
  } else if (folders.length === 0) {
    byCore = false;
    byContent = false;
  } else if (folders.length >= 2) {
    byCore = true;
    byContent = true;
  } else {
    byCore = isCore(folders[0] as string);
    byContent = !byCore;
  }
  const profile = cloudProfile(byCore, byContent, s);
  const id = identifyPath(profile, `/${rel}`, {
    ...(opts.fs ? { fs: opts.fs } : {}),
    ...(opts.roms ? { roms: opts.roms } : {}),
    ...(opts.size !== undefined ? { size: opts.size } : {}),
  });
  return { ...id, path: relPath };
}

/** RetroArch's folders seen from its base: `/saves`, `/states`, sorted as given. */
function cloudProfile(byCore: boolean, byContent: boolean, s: RetroArchSettings): Profile {
  return resolveProfile('retroarch_linux', {
    vars: { config: '/retrosync-cloud' },
    retroarch: {
      savefileDirectory: '/saves',
      savestateDirectory: '/states',
      sortSavefilesByCore: byCore,
      sortSavefilesByContent: byContent,
      sortSavestatesByCore: byCore,
      sortSavestatesByContent: byContent,
      savefilesInContentDir: false,
      savestatesInContentDir: false,
      ...(s.saveFileCompression !== undefined ? { saveFileCompression: s.saveFileCompression } : {}),
      ...(s.savestateFileCompression !== undefined ? { savestateFileCompression: s.savestateFileCompression } : {}),
    },
    romRoots: [],
  });
}

/**
 * Save key → RetroArch-relative path (`saves/mGBA/Game.srm`): where a RetroArch with these
 * settings keeps the save (by core when they are unknown, RetroArch's default since 1.16; a
 * content folder named after the ROM's folder when `roms` knows the ROM, else the system id).
 * Throws {@link PlacementError} as {@link placeKey} does.
 */
export function placeRetroArchRelative(key: string, opts: { settings?: RetroArchSettings; roms?: RomIndex; fs?: FileSystem } = {}): {
  path: string;
  compress: boolean;
} {
  const s = opts.settings ?? {};
  const profile = cloudProfile(
    s.sortSavefilesByCore ?? s.sortSavestatesByCore ?? true,
    s.sortSavefilesByContent ?? s.sortSavestatesByContent ?? false,
    s,
  );
  const placed = placeKey(profile, key, { ...(opts.fs ? { fs: opts.fs } : {}), ...(opts.roms ? { roms: opts.roms } : {}) });
  return { path: placed.devicePath.replace(/^\/+/, ''), compress: placed.compress };
}
