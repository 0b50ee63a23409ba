/**
 * Path → save key: which save (if any) a file on a device is, as `<system>/<game>/<kind>`.
 */
import { formatSaveKey, InvalidSaveKeyError, normalizeName, type SaveKind } from '../key/save-key.js';
import type { FileSystem } from './fs.js';
import { ignoreReason } from './ignore.js';
import { classifyFile, extensionOf, kindOfExtension, splitRomExtension, type FileClass } from './names.js';
import { basename, dirname, joinPath, normalizePath, segmentsBelow } from './paths.js';
import { resolveProfile, type DirLayout, type Profile } from './profile.js';
import { RomIndex } from './roms.js';
import { resolveSystem, type Evidence } from './resolve-system.js';
import { systemsForCore, systemsForFolder, systemsForTag } from './systems.js';

export interface IdentifyContext {
  /** The device's files (device paths), for ROM lookup and file sizes. */
  fs?: FileSystem;
  /** A shared ROM index (build one per scan); made from `fs` when absent. */
  roms?: RomIndex;
  /** The file's size in bytes when known (else read from `fs`). */
  size?: number;
}


export type Identification =
  | {
      status: 'save';
      path: string;
      key: string;
      system: string;
      game: string;
      kind: SaveKind;
      /** This platform writes such files RZIP-compressed (inflate with {@link inflateRzip} before syncing). */
      compressed: boolean;
      /** An auto-load state: loaded at game start, over a freshly synced battery save. */
      autoLoad: boolean;
      evidence: Evidence;
    }
  | { status: 'ignored'; path: string; reason: string }
  | { status: 'ambiguous'; path: string; game: string; candidates: string[]; reason: string }
  | { status: 'unsupported'; path: string; reason: string };

interface Located {
  layout: DirLayout;
  /** Folder names at the layout's levels (for content-dir layouts: the system folder). */
  folders: string[];
}

function locate(profile: Profile, layouts: DirLayout[], path: string): Located | null {
  // Folders of one system and extension (DraStic's backup/) first: they may sit inside a ROM folder.
  const ext = extensionOf(basename(path));
  const ordered = [...layouts.filter((l) => l.system !== null && l.ext === ext), ...layouts.filter((l) => l.system === null)];
  for (const layout of ordered) {
    if (layout.inContentDir) {
      for (const root of profile.romRoots) {
        const segs = segmentsBelow(root, path, profile.pathStyle);
        if (segs && segs.length >= 2) return { layout, folders: [segs[0] as string] };
      }
    } else if (layout.dir !== null) {
      const segs = segmentsBelow(layout.dir, path, profile.pathStyle);
      if (!segs) continue;
      if (layout.folders.includes('rompath') ? segs.length >= 1 : segs.length === layout.folders.length + 1) {
        return { layout, folders: segs.slice(0, -1) };
      }
    }
  }
  return null;
}

function isUnderAny(profile: Profile, path: string): boolean {
  const dirs = [...profile.saves, ...profile.states].flatMap((l) => (l.inContentDir ? [] : l.dir ? [l.dir] : []));
  return dirs.some((d) => segmentsBelow(d, path, profile.pathStyle) !== null);
}

/** A folder's systems: the platform's own folder names first (GarlicOS `Game Boy Advance`), then the shared tables. */
function folderSystems(profile: Profile, name: string): string[] {
  const own = profile.folderSystems.get(normalizeName(name));
  return own ? [own] : systemsForFolder(name);
}

/** The device folder a `rompath` layout mirrors: the card (parent of the layout's folder) plus the sub-folders. */
function romDirOf(loc: Located): string {
  return joinPath(dirname(loc.layout.dir ?? '/'), ...loc.folders);
}

/** Systems the folders allow (null: any), the core they name, and what a MinUI-style name adds. */
function folderEvidence(profile: Profile, loc: Located): { candidates: string[] | null; core: string | null } {
  let candidates: string[] | null = null;
  let core: string | null = null;
  const narrow = (systems: string[]) => {
    if (systems.length === 0) return;
    const both = candidates?.filter((s) => systems.includes(s));
    candidates = candidates === null || both?.length === 0 ? systems : (both ?? systems);
  };
  if (loc.layout.system !== null) return { candidates: [loc.layout.system], core };
  if (loc.layout.inContentDir) {
    narrow(folderSystems(profile, loc.folders[0] ?? ''));
    return { candidates: candidates ?? [], core };
  }
  if (loc.layout.folders.includes('rompath')) {
    // <card>/saves_RA/<ROM folder relative to the card>/: the system folder is the one below a ROM root.
    const romDir = romDirOf(loc);
    const below = profile.romRoots.map((r) => segmentsBelow(r, joinPath(romDir, 'x'), profile.pathStyle)).find((x) => x && x.length >= 2);
    const folder = below?.[0] ?? loc.folders[loc.folders.length - 1];
    if (folder !== undefined) narrow(folderSystems(profile, folder));
    return { candidates: candidates ?? [], core };
  }
  loc.layout.folders.forEach((level, i) => {
    const name = loc.folders[i] ?? '';
    if (level === 'core') {
      core = name;
      narrow(systemsForCore(name));
    } else if (level === 'tag') {
      narrow(systemsForTag(name));
    } else if (level === 'tag-core') {
      const dash = name.indexOf('-');
      const tag = dash < 0 ? name : name.slice(0, dash);
      core = dash < 0 ? null : `${profile.stateCorePrefix ?? ''}${name.slice(dash + 1)}`;
      narrow(systemsForTag(tag));
    } else {
      narrow(folderSystems(profile, name));
    }
  });
  // A layout with folders that named no system knows nothing: [] (unknown), not null (any).
  return { candidates: loc.layout.folders.length === 0 ? null : (candidates ?? []), core };
}

function kindOf(fc: FileClass & { class: 'battery' | 'rtc' | 'state' }, core: string | null): SaveKind | string {
  if (fc.class === 'battery') return { type: 'battery' };
  if (fc.class === 'rtc') return { type: 'rtc' };
  if (core === null) return 'no core is known for this state';
  return { type: 'state', core, slot: fc.slot };
}

/**
 * Identifies a file on a device running `platform` (an id, or a resolved {@link Profile}).
 * Never guesses: a file whose system cannot be told apart comes back `ambiguous` with the
 * candidates; one that is not a save comes back `ignored` with the reason.
 */
export function identifyPath(platform: string | Profile, path: string, ctx: IdentifyContext = {}): Identification {
  const profile = typeof platform === 'string' ? resolveProfile(platform) : platform;
  const p = normalizePath(path, profile.pathStyle);
  const name = basename(p);
  const ignored = ignoreReason(p);
  if (ignored) return { status: 'ignored', path, reason: ignored };
  const fc = classifyFile(name);
  if (fc.class === 'thumbnail') return { status: 'ignored', path, reason: 'image' };
  if (fc.class === 'other') {
    return { status: 'ignored', path, reason: isUnderAny(profile, p) ? 'not-a-save-file' : 'outside-save-folders' };
  }
  const loc = locate(profile, fc.class === 'state' ? profile.states : profile.saves, p);
  if (!loc) return { status: 'ignored', path, reason: 'outside-save-folders' };
  if (fc.class === 'state' && loc.layout.naming === 'retroarch' && fc.naming !== 'retroarch') {
    return { status: 'ignored', path, reason: 'not-a-save-file' };
  }

  const minuiNames = loc.layout.folders.some((f) => f === 'tag' || f === 'tag-core');
  const { game, romExt } = minuiNames ? splitRomExtension(fc.stem) : { game: fc.stem, romExt: null };
  const evidence = folderEvidence(profile, loc);
  const roms = ctx.roms ?? (ctx.fs ? RomIndex.forProfile(ctx.fs, profile) : undefined);
  const besides = loc.layout.inContentDir ? p : loc.layout.folders.includes('rompath') ? joinPath(romDirOf(loc), name) : null;
  const decided = resolveSystem({
    candidates: evidence.candidates,
    romExt,
    game,
    findRoms: roms ? () => [...(besides !== null ? roms.besides(besides, game) : []), ...roms.find(game)] : undefined,
    size: () => ctx.size ?? (ctx.fs?.stat(p)?.size ?? undefined),
  });
  if (decided.status === 'ambiguous') {
    return { status: 'ambiguous', path, game, candidates: decided.candidates, reason: decided.reason };
  }
  const system = fc.class === 'battery' ? kindOfExtension(decided.system, fc.ext) : decided.system;
  const core = evidence.core ?? (fc.class === 'state' ? (profile.cores[system] ?? null) : null);
  const kind = kindOf(fc, core);
  if (typeof kind === 'string') return { status: 'unsupported', path, reason: `${kind} (set a core for ${system})` };
  let key: string;
  try {
    key = formatSaveKey({ system, game, kind });
  } catch (err) {
    if (err instanceof InvalidSaveKeyError) return { status: 'unsupported', path, reason: err.reason };
    throw err;
  }
  return {
    status: 'save',
    path,
    key,
    system,
    game,
    kind,
    compressed: loc.layout.compressed,
    autoLoad: kind.type === 'state' && kind.slot === 'auto' && loc.layout.autoLoad,
    evidence: decided.evidence,
  };
}
