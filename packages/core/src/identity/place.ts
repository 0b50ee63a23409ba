/**
 * Save key → path on a platform: the folder and file name that platform's emulator reads,
 * also when the ROM is missing there. Never a path outside the save folder or the root.
 */
import { InvalidSaveKeyError, parseSaveKey, type SaveKey } from '../key/save-key.js';
import type { FileSystem } from './fs.js';
import { baseSystem, extensionForSystem, stateSuffix } from './names.js';
import { basename, dirname, isInside, joinPath, segmentsBelow, underRoot } from './paths.js';
import { resolveProfile, type DirLayout, type Profile } from './profile.js';
import { RomIndex, type RomHit } from './roms.js';
import { sameFamily } from './systems.js';
import { tables } from './tables.js';

export interface PlaceOptions {
  /** Host folder that stands for the device's `/` (the CLI's `--root`); the result is under it. */
  root?: string;
  /** The device's files (device paths): ROM lookup, and which of several save folders exists. */
  fs?: FileSystem;
  /** A shared ROM index; made from `fs` when absent. */
  roms?: RomIndex;
}

export interface Placement {
  /** Where to write (under `root` when one was given). */
  path: string;
  /** The same path as the device sees it. */
  devicePath: string;
  kind: 'saves' | 'states';
  /** Write the bytes RZIP-compressed ({@link deflateRzip}) on this platform. */
  compress: boolean;
  /** The device's ROM this save belongs to, when one was found. */
  rom: string | null;
}

export type PlacementErrorCode =
  | 'invalid-key'
  | 'no-folder'
  | 'no-core'
  | 'core-mismatch'
  | 'slot-unsupported'
  | 'rom-extension-unknown'
  | 'unsafe-name'
  | 'outside-root';

export class PlacementError extends Error {
  override readonly name = 'PlacementError';
  constructor(
    readonly code: PlacementErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Names Windows (and FAT on many devices) reserve, with any extension. */
const RESERVED = /^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])(?:\..*)?$/i;
const MAX_NAME_BYTES = 255;

function chooseLayout(layouts: DirLayout[], fs: FileSystem | undefined, romRoots: string[], system: string): DirLayout | undefined {
  // A folder kept for one system (DraStic's backup/ for nds-dsv) takes that system's saves; the others take the rest.
  const own = layouts.filter((l) => l.placeable && l.system === system);
  const candidates = own.length > 0 ? own : layouts.filter((l) => l.placeable && l.system === null);
  const exists = (l: DirLayout) =>
    l.inContentDir ? romRoots.some((r) => fs?.stat(r)?.type === 'dir') : l.dir !== null && fs?.stat(l.dir)?.type === 'dir';
  return (fs ? candidates.find(exists) : undefined) ?? candidates.find((l) => l.primary) ?? candidates[0];
}

function findRom(roms: RomIndex | undefined, key: SaveKey): RomHit | null {
  const hits = roms?.find(key.game) ?? [];
  return (
    hits.find((h) => h.system === key.system) ??
    hits.find((h) => h.system !== null && sameFamily(h.system, key.system)) ??
    null
  );
}

/** MinUI's tag of a ROM folder: `Game Boy Advance (GBA)` → `GBA`. */
function tagOfFolder(folder: string): string {
  return /\(([^()]+)\)\s*$/u.exec(folder)?.[1] ?? folder;
}

function defaultRomExtension(system: string): string | null {
  for (const [ext, s] of tables().romExtension) if (s === system) return ext;
  return null;
}

/**
 * Where `platform` (an id, or a resolved {@link Profile}) keeps the save with this key.
 * Throws {@link PlacementError} when the key cannot be placed there (a state of another core,
 * a name the file system cannot hold, …).
 */
export function placeKey(platform: string | Profile, key: string, opts: PlaceOptions = {}): Placement {
  const profile = typeof platform === 'string' ? resolveProfile(platform) : platform;
  let parsed: SaveKey;
  try {
    parsed = parseSaveKey(key);
  } catch (err) {
    if (err instanceof InvalidSaveKeyError) throw new PlacementError('invalid-key', err.message);
    throw err;
  }
  const isState = parsed.kind.type === 'state';
  const roms = opts.roms ?? (opts.fs ? RomIndex.forProfile(opts.fs, profile) : undefined);
  const rom = findRom(roms, { ...parsed, system: baseSystem(parsed.system) });
  const list = isState ? profile.states : profile.saves;
  // <card>/saves_RA/…: the save goes on the card that holds the ROM.
  const onRomCard = rom
    ? list.find((l) => l.placeable && l.folders.includes('rompath') && l.dir !== null && isInside(dirname(l.dir), rom.path, profile.pathStyle))
    : undefined;
  const layout = onRomCard ?? chooseLayout(list, opts.fs, profile.romRoots, parsed.system);
  if (!layout) throw new PlacementError('no-folder', `${profile.platform.id} has no ${isState ? 'state' : 'save'} folder`);

  const prefix = profile.stateCorePrefix;
  const core = parsed.kind.type === 'state' ? parsed.kind.core : null;
  if (core !== null) {
    const ours = prefix === null ? !core.startsWith('minarch-') : core.startsWith(prefix);
    const fixedCore = !layout.folders.includes('core') && !layout.folders.includes('tag-core');
    if (!ours || (fixedCore && core !== profile.cores[parsed.system])) {
      throw new PlacementError(
        'core-mismatch',
        `${profile.platform.id} does not run ${core} for ${parsed.system}; states only sync between devices running the same core`,
      );
    }
  }

  const systemFolder = profile.systemFolders[parsed.system] ?? profile.systemFolders[baseSystem(parsed.system)] ?? parsed.system;
  const folders: string[] = [];
  for (const level of layout.folders) {
    if (level === 'core') {
      const c = core ?? profile.cores[parsed.system];
      if (!c) throw new PlacementError('no-core', `no core is set for ${parsed.system} on ${profile.platform.id}`);
      folders.push(c);
    } else if (level === 'rompath') {
      const card = dirname(layout.dir ?? '/');
      const romDir = rom ? dirname(rom.path) : joinPath(profile.romRoots.find((r) => isInside(card, r, profile.pathStyle)) ?? joinPath(card, 'Roms'), systemFolder);
      folders.push(...(segmentsBelow(card, joinPath(romDir, 'x'), profile.pathStyle) ?? [systemFolder, 'x']).slice(0, -1));
    } else if (level === 'content') {
      folders.push(rom ? basename(dirname(rom.path)) : systemFolder);
    } else if (level === 'system') {
      folders.push(rom?.systemFolder ?? systemFolder);
    } else if (level === 'tag') {
      folders.push(rom?.systemFolder ? tagOfFolder(rom.systemFolder) : systemFolder);
    } else {
      const tag = rom?.systemFolder ? tagOfFolder(rom.systemFolder) : systemFolder;
      folders.push(`${tag}-${(core ?? '').slice(prefix?.length ?? 0)}`);
    }
  }

  const romFile = rom?.file ?? (() => {
    const ext = defaultRomExtension(baseSystem(parsed.system));
    return ext === null ? null : `${parsed.game}${ext}`;
  })();
  const stem = rom?.stem ?? parsed.game;
  const minuiNames = layout.folders.some((f) => f === 'tag' || f === 'tag-core');
  const needsRomFile = minuiNames && (parsed.kind.type === 'rtc' || (isState ? layout.naming === 'minui' : layout.name === 'rom_file'));
  if (needsRomFile && romFile === null) {
    throw new PlacementError(
      'rom-extension-unknown',
      `${profile.platform.id} names the file after the ROM with its extension; put the ROM of "${parsed.game}" on the device first`,
    );
  }
  const base = needsRomFile ? (romFile as string) : stem;
  let file: string;
  if (parsed.kind.type === 'state') {
    const suffix = stateSuffix(layout.naming, parsed.kind.slot);
    if (suffix === null) {
      throw new PlacementError('slot-unsupported', `${profile.platform.id} has no state slot ${parsed.kind.slot}`);
    }
    file = base + suffix;
  } else {
    const ext = layout.system !== null ? layout.ext : (extensionForSystem(parsed.system) ?? layout.ext);
    file = base + (parsed.kind.type === 'rtc' ? '.rtc' : ext);
  }
  if (RESERVED.test(file) || Buffer.byteLength(file) > MAX_NAME_BYTES || [...folders, file].some((s) => s === '..' || /[/\\]/.test(s))) {
    throw new PlacementError('unsafe-name', `"${file}" cannot be written on ${profile.platform.id}`);
  }

  const dir = layout.inContentDir
    ? rom
      ? dirname(rom.path)
      : joinPath(profile.romRoots[0] ?? '/', systemFolder)
    : joinPath(layout.dir ?? '/', ...folders);
  const devicePath = joinPath(dir, file);
  const container = layout.inContentDir ? (rom?.root ?? profile.romRoots[0] ?? '/') : (layout.dir ?? '/');
  if (!isInside(container, devicePath, profile.pathStyle)) {
    throw new PlacementError('outside-root', `${devicePath} is outside ${container}`);
  }
  const path = underRoot(opts.root, devicePath);
  if (opts.root !== undefined && !isInside(opts.root, path)) {
    throw new PlacementError('outside-root', `${path} is outside ${opts.root}`);
  }
  return { path, devicePath, kind: isState ? 'states' : 'saves', compress: layout.compressed, rom: rom?.path ?? null };
}
