/**
 * RetroArch Cloud Sync paths ↔ save keys.
 *
 * RetroArch's Cloud Sync uploads files under the configured WebDAV folder relative to its own
 * folders: `saves/…` (the savefile directory), `states/…` (the savestate directory), `config/…`,
 * `thumbnails/…`, `system/…`. Below `saves/` and `states/` the sub-folders follow the user's
 * RetroArch settings: none (flat), one per core (`sort_savefiles_enable`), one per content
 * folder (`sort_savefiles_by_content_enable`), or both (content, then core). What a path is,
 * is identity's rule (`identifyRetroArchRelative`); this module supplies the user's existing
 * saves as evidence (a
 * `saves/mGBA/Tetris.srm` is `gb/Tetris/battery` when that is the only Tetris save the user has,
 * exactly as a ROM named Tetris on a device would tell). It never guesses: without evidence a
 * path comes back `opaque` with the reason and the candidate systems. Placement (key → path)
 * goes through the desktop RetroArch layout with the folder names this RetroArch was seen to
 * use (`learnCloudLayout`), so a handheld's save lands in the folder the user's RetroArch reads.
 */
import { parseSaveKey } from '../key/save-key.js';
import { layouts } from '../identity/data.js';
import { memoryFs } from '../identity/fs.js';
import { placeKey, PlacementError } from '../identity/place.js';
import { resolveProfile, type Profile } from '../identity/profile.js';
import { identifyRetroArchRelative } from '../identity/retroarch-relative.js';
import { RomIndex } from '../identity/roms.js';

/** How RetroArch arranges one of its folders (`saves/` or `states/`). */
export type CloudFolders = 'flat' | 'core' | 'content' | 'content-core';

/** What RetroSync knows of one RetroArch's arrangement (learned from the paths it uploads). */
export interface CloudLayout {
  saves: CloudFolders;
  states: CloudFolders;
  /** Folder name per system, as seen in this RetroArch's content folders (`{ gba: 'Game Boy Advance' }`). */
  contentFolders: Readonly<Record<string, string>>;
  /** Core (library_name) per system, as seen in this RetroArch's core folders (`{ gba: 'gpSP' }`). */
  cores: Readonly<Record<string, string>>;
}

/** RetroArch's defaults with the per-core sorting the dashboard recommends. */
export const DEFAULT_CLOUD_LAYOUT: CloudLayout = { saves: 'core', states: 'core', contentFolders: {}, cores: {} };

export type CloudIdentification =
  | {
      status: 'save';
      key: string;
      system: string;
      /** The arrangement the path showed, and the folder names it used (to learn the layout). */
      area: 'saves' | 'states';
      folders: CloudFolders;
      contentFolder: string | null;
      core: string | null;
      evidence: string;
    }
  | { status: 'opaque'; reason: string; candidates: string[] };

/** The base the profiles are resolved at (paths are made absolute below it for `identity`). */
const BASE = '/retroarch';

function profileFor(saves: CloudFolders, states: CloudFolders, layout: CloudLayout): Profile {
  const has = (f: CloudFolders, level: 'core' | 'content') => f === level || f === 'content-core';
  return resolveProfile('retroarch_linux', {
    retroarch: {
      savefileDirectory: `${BASE}/saves`,
      savestateDirectory: `${BASE}/states`,
      sortSavefilesByCore: has(saves, 'core'),
      sortSavefilesByContent: has(saves, 'content'),
      sortSavestatesByCore: has(states, 'core'),
      sortSavestatesByContent: has(states, 'content'),
      savefilesInContentDir: false,
      savestatesInContentDir: false,
    },
    romRoots: [`${BASE}/.known`],
    cores: layout.cores,
    systemFolders: layout.contentFolders,
  });
}

/** The user's existing saves as stand-in ROMs `<root>/<system>/<game>.known`: the evidence `identity` reads. */
function knownRoms(knownKeys: readonly string[]): RomIndex {
  const files: string[] = [];
  for (const key of knownKeys) {
    try {
      const { system, game } = parseSaveKey(key);
      files.push(`${BASE}/.known/${system}/${game}.known`);
    } catch {
      /* not a key: no evidence */
    }
  }
  return new RomIndex(memoryFs(files), [`${BASE}/.known`]);
}

export interface IdentifyCloudOptions {
  /** The file's size (a save's size can tell systems apart). */
  size?: number;
  /** The user's existing save keys: evidence for the system of a game (like a ROM on a device). */
  knownKeys?: readonly string[];
  /** The layout known for this RetroArch (its arrangement is tried first). */
  layout?: CloudLayout;
}

function isCoreName(folder: string, layout: CloudLayout): boolean {
  const folded = folder.toLowerCase();
  return [...Object.keys(layouts().core_to_system), ...Object.values(layout.cores)].some((c) => c.toLowerCase() === folded);
}

/** Splits a RetroArch-relative path into its segments; null when it is not a clean relative path. */
export function cloudSegments(path: string): string[] | null {
  const segs = path.split('/');
  if (segs.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes('\0'))) return null;
  return segs;
}

/**
 * Which save (if any) a RetroArch Cloud Sync path is; `opaque` (with the reason) when it is not
 * one, or not provably one. The path rule is identity's ({@link identifyRetroArchRelative}: the
 * folder depth and known core names say how RetroArch sorts); this adds the user's saves as
 * evidence and reports the arrangement the path showed, to learn the device's layout.
 */
export function identifyCloudPath(path: string, options: IdentifyCloudOptions = {}): CloudIdentification {
  const segs = cloudSegments(path);
  const area = segs?.[0];
  if (!segs || (area !== 'saves' && area !== 'states')) return { status: 'opaque', reason: 'not in saves/ or states/', candidates: [] };
  if (segs.length > 4) return { status: 'opaque', reason: `too many folder levels under ${area}/`, candidates: [] };
  const layout = options.layout ?? DEFAULT_CLOUD_LAYOUT;
  const id = identifyRetroArchRelative(path, {
    roms: knownRoms(options.knownKeys ?? []),
    ...(options.size !== undefined ? { size: options.size } : {}),
  });
  if (id.status === 'save') {
    const below = segs.slice(1, -1);
    const folders: CloudFolders = below.length === 0 ? 'flat' : below.length === 2 ? 'content-core' : isCoreName(below[0] as string, layout) ? 'core' : 'content';
    return {
      status: 'save',
      key: id.key,
      system: id.system,
      area,
      folders,
      contentFolder: folders === 'content' || folders === 'content-core' ? (below[0] ?? null) : null,
      core: folders === 'core' ? (below[0] ?? null) : folders === 'content-core' ? (below[1] ?? null) : null,
      evidence: id.evidence,
    };
  }
  if (id.status === 'ambiguous') return { status: 'opaque', reason: `cannot tell the system: ${id.reason}`, candidates: id.candidates };
  const reason = 'reason' in id ? id.reason : 'not a save';
  return { status: 'opaque', reason: reason === 'outside-save-folders' ? 'not where RetroArch keeps saves' : reason, candidates: [] };
}

/** Where this RetroArch keeps the save with `key`, relative to its Cloud Sync folder; null when it cannot hold it (and why). */
export function cloudPathForKey(key: string, layout: CloudLayout = DEFAULT_CLOUD_LAYOUT): { path: string } | { path: null; reason: string } {
  try {
    const placed = placeKey(profileFor(layout.saves, layout.states, layout), key);
    return { path: placed.devicePath.slice(BASE.length + 1) };
  } catch (err) {
    if (err instanceof PlacementError) return { path: null, reason: err.message };
    throw err;
  }
}

/** Learns a RetroArch's arrangement from one identified upload (returns the same object when nothing changed). */
export function learnCloudLayout(layout: CloudLayout, id: Extract<CloudIdentification, { status: 'save' }>): CloudLayout {
  let next = layout;
  if (layout[id.area] !== id.folders) next = { ...next, [id.area]: id.folders };
  if (id.contentFolder !== null && next.contentFolders[id.system] !== id.contentFolder) {
    next = { ...next, contentFolders: { ...next.contentFolders, [id.system]: id.contentFolder } };
  }
  // A state's core is part of its key; only battery saves teach the core folder of a system.
  if (id.core !== null && id.area === 'saves' && next.cores[id.system] !== id.core) {
    next = { ...next, cores: { ...next.cores, [id.system]: id.core } };
  }
  return next;
}

/**
 * RetroArch's manifest order: paths compared byte by byte with ASCII letters folded to lower
 * case (its `strcasecmp`), so its three-way merge walks our list in step with its own.
 */
export function compareCloudPaths(a: string, b: string): number {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const cx = fold(x[i] as number);
    const cy = fold(y[i] as number);
    if (cx !== cy) return cx - cy;
  }
  return x.length - y.length;
}

function fold(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}
