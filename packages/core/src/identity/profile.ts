/**
 * A platform's concrete layout on one device: the data's defaults with the device's own
 * settings (`retroarch.cfg`, NextUI's formats) and the user's configuration applied.
 */
import type { FolderLevel, RawDirEntry, StateNaming } from './data.js';
import { layouts } from './data.js';
import { expandTemplate, normalizePath, segmentsBelow, type PathStyle } from './paths.js';
import { getPlatform, rawPlatform, type PlatformInfo } from './platforms.js';
import { retroArchDir, type RetroArchSettings } from './retroarch-cfg.js';
import { tables } from './tables.js';
import { normalizeName } from '../key/save-key.js';

/** Where one kind of file (battery saves or states) lives. */
export interface DirLayout {
  kind: 'saves' | 'states';
  /** Base folder (device path); null when files sit next to the ROM ({@link inContentDir}). */
  dir: string | null;
  /** Sub-folder levels below `dir`, outermost first (`core`, `content`, `system`, `tag`, `tag-core`). */
  folders: FolderLevel[];
  /** Files sit next to the ROM, below one of the ROM roots (`savefiles_in_content_dir`). */
  inContentDir: boolean;
  /** Battery file names: ROM name without (`rom_stem`) or with (`rom_file`, MinUI) its extension. */
  name: 'rom_stem' | 'rom_file';
  /** Battery extension this layout writes. */
  ext: string;
  /** State file naming. */
  naming: StateNaming;
  /** Files are written RZIP-compressed here. */
  compressed: boolean;
  /** Auto states here are loaded when a game starts (and would overwrite a synced battery save). */
  autoLoad: boolean;
  /** False for legacy or alternative folders that are read but never written to. */
  placeable: boolean;
  /** Prefer this layout for writing (false for aliases of the same folder). */
  primary: boolean;
  /** The folder is on the card / volume (`{sd}`), so a card mounted on a PC holds it. */
  onVolume: boolean;
  /** Only this system's files, with extension {@link ext}, live here (DraStic's `backup/`); null: any. */
  system: string | null;
}

export interface Profile {
  platform: PlatformInfo;
  pathStyle: PathStyle;
  /** Path variables in force: sd (card mount), home, config, retroarch, emulation. */
  vars: Readonly<Record<string, string>>;
  saves: DirLayout[];
  states: DirLayout[];
  romRoots: string[];
  /** Core (library_name) per system: the folder by-core layouts use, and the core states are named for. */
  cores: Readonly<Record<string, string>>;
  /** Folder name per system in system / content / tag folders (ROM folders and save folders). */
  systemFolders: Readonly<Record<string, string>>;
  folderNames: 'es' | 'tags';
  /** Prefix of the state core names (MinUI/NextUI `minarch-`), or null for RetroArch states. */
  stateCorePrefix: string | null;
  /** This platform's own system folder names (folded name → system), tried before the shared tables. */
  folderSystems: ReadonlyMap<string, string>;
  /** Folders holding RetroArch playlists (device paths), for ROM lookup. */
  playlists: string[];
}

/** What a user (or detection) can set for a device; everything is optional. */
export interface ProfileOptions {
  /** Path variables: `sd` (the card mount), `home`, `config`, `retroarch` (Windows RetroArch folder), `emulation` (EmuDeck). */
  vars?: Readonly<Record<string, string | undefined>>;
  /** Settings read from the device's retroarch.cfg. */
  retroarch?: RetroArchSettings;
  /** NextUI `minuisettings.txt` formats (saveFormat 0-3, stateFormat 0-4). */
  nextui?: { saveFormat?: string; stateFormat?: string };
  /** Replace the save / state folder (device path). */
  saveDir?: string;
  stateDir?: string;
  /** Replace the ROM roots. */
  romRoots?: readonly string[];
  /** ROM roots the user adds (config, `--rom-root`): searched first, before the platform's own. */
  extraRomRoots?: readonly string[];
  /** More folders with RetroArch playlists. */
  playlists?: readonly string[];
  /** Core per system (`{ gba: 'mGBA' }`). */
  cores?: Readonly<Record<string, string>>;
  /** Folder name per system (`{ genesis: 'genesis' }`). */
  systemFolders?: Readonly<Record<string, string>>;
  /** Write battery saves / states RZIP-compressed (or not), whatever the platform default. */
  compressSaves?: boolean;
  compressStates?: boolean;
}

function expandAll(template: string, vars: Record<string, string | undefined>, volumes: readonly string[]): string[] {
  const sdValues = template.includes('{sd}') && vars.sd === undefined ? volumes : [vars.sd];
  const out: string[] = [];
  for (const sd of sdValues) {
    const p = expandTemplate(template, { ...vars, sd });
    if (p !== null) out.push(p);
  }
  return out;
}

function toLayouts(
  kind: 'saves' | 'states',
  raw: RawDirEntry,
  vars: Record<string, string | undefined>,
  volumes: readonly string[],
  style: PathStyle,
): DirLayout[] {
  const base = {
    kind,
    folders: raw.folders,
    inContentDir: raw.in_content_dir === true,
    name: raw.name ?? 'rom_stem',
    ext: raw.ext ?? '.srm',
    naming: raw.naming ?? 'retroarch',
    compressed: raw.compressed ?? false,
    autoLoad: raw.auto_load ?? false,
    placeable: raw.legacy !== true,
    onVolume: raw.in_content_dir === true || raw.dir === undefined || raw.dir.includes('{sd}'),
    system: raw.system ?? null,
  };
  const first = raw.alias !== true && raw.system === undefined;
  if (raw.in_content_dir || raw.dir === undefined) return [{ ...base, dir: null, primary: first }];
  return expandAll(raw.dir, vars, volumes).map((dir, i) => ({
    ...base,
    dir: normalizePath(dir, style),
    primary: first && i === 0,
  }));
}

/** True when retroarch.cfg says how this kind of file is sorted (then RetroArch's old flat default does not apply). */
function sortIsSet(kind: 'saves' | 'states', s: RetroArchSettings): boolean {
  return kind === 'saves'
    ? s.sortSavefilesByCore !== undefined || s.sortSavefilesByContent !== undefined || s.savefilesInContentDir !== undefined
    : s.sortSavestatesByCore !== undefined || s.sortSavestatesByContent !== undefined || s.savestatesInContentDir !== undefined;
}

/**
 * Applies retroarch.cfg settings to a RetroArch-governed layout: RetroArch's own rule,
 * `savefile_dir[/<content dir>][/<core library name>]` (content first, then core), or next to
 * the ROM. `keepFolders` (RetroArch's pre-1.16 flat default) takes the folder but not the sorting.
 */
function applyRetroArch(l: DirLayout, s: RetroArchSettings, vars: Record<string, string | undefined>, style: PathStyle, keepFolders = false): DirLayout {
  const saves = l.kind === 'saves';
  const dir = saves ? s.savefileDirectory : s.savestateDirectory;
  const byCore = saves ? s.sortSavefilesByCore : s.sortSavestatesByCore;
  const byContent = saves ? s.sortSavefilesByContent : s.sortSavestatesByContent;
  const inContent = saves ? s.savefilesInContentDir : s.savestatesInContentDir;
  const compressed = saves ? s.saveFileCompression : s.savestateFileCompression;
  const out = { ...l };
  if (dir !== undefined) out.dir = normalizePath(retroArchDir(dir, vars), style);
  if (!keepFolders && l.folders.every((f) => f === 'core' || f === 'content')) {
    const content = byContent ?? l.folders.includes('content');
    const core = byCore ?? l.folders.includes('core');
    out.folders = [...(content ? (['content'] as const) : []), ...(core ? (['core'] as const) : [])];
  }
  if (!keepFolders && inContent !== undefined && (inContent || out.dir !== null)) out.inContentDir = inContent;
  if (!out.inContentDir && out.dir === null) out.inContentDir = true; // no folder known: stay next to the ROM
  if (compressed !== undefined) out.compressed = compressed;
  if (!saves && s.savestateAutoLoad !== undefined) out.autoLoad = s.savestateAutoLoad;
  return out;
}

/** Resolves a platform's layout with the given device settings and user configuration. */
export function resolveProfile(platformId: string, options: ProfileOptions = {}): Profile {
  const raw = rawPlatform(platformId);
  const sync = raw.sync;
  const t = tables();
  const style: PathStyle = sync.path_style ?? 'posix';
  const vars: Record<string, string | undefined> = { ...layouts().sync_tables.default_vars };
  for (const [k, v] of Object.entries(options.vars ?? {})) if (v !== undefined) vars[k] = v;
  if (sync.volumes.length === 1) vars.sd ??= sync.volumes[0];
  const ra = options.retroarch ?? {};

  const rawSaves = sync.saves.map((e) => ({ ...e }));
  const rawStates = sync.states.map((e) => ({ ...e }));
  const saveFormat = options.nextui?.saveFormat ?? '0';
  const stateFormat = options.nextui?.stateFormat ?? '0';
  const sf = sync.save_formats?.[saveFormat];
  if (sf && rawSaves[0]) Object.assign(rawSaves[0], { name: sf.name, ext: sf.ext, compressed: sf.compressed });
  const stf = sync.state_formats?.[stateFormat];
  if (stf && rawStates[0]) Object.assign(rawStates[0], { naming: stf.naming, compressed: stf.compressed });

  const build = (kind: 'saves' | 'states', entries: RawDirEntry[]) =>
    entries
      .filter((e) => !(e.retroarch_before !== undefined && sortIsSet(kind, ra)))
      .flatMap((e) =>
        toLayouts(kind, e, vars, sync.volumes, style).map((l) =>
          e.retroarch ? applyRetroArch(l, ra, vars, style, e.retroarch_before !== undefined) : l,
        ),
      );
  const saves = build('saves', rawSaves);
  const states = build('states', rawStates);
  const override = (list: DirLayout[], dir: string | undefined, compress: boolean | undefined) => {
    const first = list.find((l) => l.placeable && l.primary);
    if (first && dir !== undefined) Object.assign(first, { dir: normalizePath(dir, style), inContentDir: false });
    if (compress !== undefined) for (const l of list) l.compressed = compress;
  };
  override(saves, options.saveDir, options.compressSaves);
  override(states, options.stateDir, options.compressStates);

  const romRoots = [
    ...(options.extraRomRoots ?? []),
    ...(options.romRoots ?? [
      ...sync.rom_roots.flatMap((r) => expandAll(r, vars, sync.volumes)),
      ...(ra.contentDirectory ? [retroArchDir(ra.contentDirectory, vars)] : []),
    ]),
  ].map((r) => normalizePath(r, style));

  const folderNames = sync.folder_names;
  const systemFolders: Record<string, string> = {};
  for (const system of t.systems) systemFolders[system] = t.folderName[folderNames].get(system) ?? system;
  Object.assign(systemFolders, sync.system_folders ?? {}, options.systemFolders ?? {});
  const folderSystems = new Map<string, string>();
  for (const [system, folder] of Object.entries({ ...(sync.system_folders ?? {}), ...(options.systemFolders ?? {}) })) {
    folderSystems.set(normalizeName(folder), system);
  }
  const playlists = [
    ...(ra.playlistDirectory ? [retroArchDir(ra.playlistDirectory, vars)] : []),
    ...(ra.contentHistoryDirectory ? [retroArchDir(ra.contentHistoryDirectory, vars)] : []),
    ...(options.playlists ?? []),
    ...(sync.playlists ?? []).flatMap((p) => expandAll(p, vars, sync.volumes)),
  ].map((p) => normalizePath(p, style));

  return {
    platform: getPlatform(platformId),
    pathStyle: style,
    vars: Object.fromEntries(Object.entries(vars).filter((e): e is [string, string] => e[1] !== undefined)),
    saves,
    states,
    romRoots: [...new Set(romRoots)],
    cores: { ...t.defaultCores, ...(sync.default_cores ?? {}), ...(options.cores ?? {}) },
    systemFolders,
    folderNames,
    stateCorePrefix: sync.state_core_prefix ?? null,
    folderSystems,
    playlists: [...new Set(playlists)],
  };
}

/** The folders to scan for saves, states and ROMs on a device with this profile. */
export function scanRoots(profile: Profile): { saves: string[]; states: string[]; roms: string[] } {
  const dirs = (list: DirLayout[]) => {
    const all = [...new Set(list.flatMap((l) => (l.inContentDir ? profile.romRoots : l.dir !== null ? [l.dir] : [])))];
    // A folder inside another one (DraStic's backup/ inside a ROM root) is scanned with it, not twice.
    return all.filter((d) => !all.some((o) => o !== d && segmentsBelow(o, d, profile.pathStyle) !== null));
  };
  return { saves: dirs(profile.saves), states: dirs(profile.states), roms: profile.romRoots };
}
