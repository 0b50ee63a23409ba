/**
 * The layout data (`packages/core/layouts/handheld-layouts.json`), read once at first use.
 *
 * The JSON is the single source shared with the shell and Lua clients; this module only types
 * the parts the TypeScript code reads. The URL is the same depth from `src/identity` and
 * `dist/identity`, so it works under vitest/tsx and after `tsc -b`.
 */
import { readFileSync } from 'node:fs';

export type FolderLevel = 'core' | 'content' | 'system' | 'tag' | 'tag-core' | 'rompath';
export type StateNaming = 'retroarch' | 'minui' | 'nextui';

export interface RawDirEntry {
  dir?: string;
  folders: FolderLevel[];
  name?: 'rom_stem' | 'rom_file';
  ext?: string;
  naming?: StateNaming;
  compressed?: boolean;
  auto_load?: boolean;
  in_content_dir?: boolean;
  retroarch?: boolean;
  legacy?: boolean;
  alias?: boolean;
  /** RetroArch's default before this version (flat): read, never written, unless retroarch.cfg sets the sort keys. */
  retroarch_before?: string;
  /** The folder holds one system's files only, with `ext` (DraStic's `backup/`: `nds-dsv`). */
  system?: string;
}

export interface RawMarker {
  path: string;
  contains?: string;
  starts_with?: string;
}

export interface RawDeviceTypeRule extends RawMarker {
  type: string;
}

export interface RawSync {
  device_type: string;
  device_type_rules?: RawDeviceTypeRule[];
  volumes: string[];
  markers: RawMarker[];
  retroarch_cfg?: string[];
  settings_file?: string;
  saves: RawDirEntry[];
  states: RawDirEntry[];
  save_formats?: Record<string, { name: 'rom_stem' | 'rom_file'; ext: string; compressed: boolean }>;
  state_formats?: Record<string, { naming: StateNaming; compressed: boolean }>;
  rom_roots: string[];
  folder_names: 'es' | 'tags';
  default_cores?: Record<string, string>;
  state_core_prefix?: string;
  path_style?: 'posix' | 'windows';
  best_guess?: string[];
  /** Folders holding RetroArch playlists (`*.lpl`, `content_history.lpl`). */
  playlists?: string[];
  /** Folder name per system on this platform (GarlicOS `Game Boy Advance`), over the `es` / `tags` names. */
  system_folders?: Record<string, string>;
  /** Path variables read from a shell-style settings file (EmuDeck's `emulationPath=`). */
  vars_from?: { file: string; var: string; key: string }[];
}

export interface RawPlatform {
  id: string;
  name: string;
  devices: string[];
  verified: string;
  notes?: string;
  sources: string[];
  sync: RawSync;
}

export interface RawIgnoreRule {
  names?: string[];
  prefixes?: string[];
  suffixes?: string[];
  dirs?: string[];
  /** Text anywhere in the name (`.bak_` of `Game.srm.bak_20240101`). */
  infixes?: string[];
}

export interface RawLayouts {
  schema_version: number;
  platforms: RawPlatform[];
  core_to_system: Record<string, string[]>;
  tag_to_system: Record<string, string | null>;
  system_folder_to_system: Record<string, string>;
  sync_tables: {
    detection_order: string[];
    default_vars: Record<string, string>;
    battery_extensions: string[];
    rtc_extensions: string[];
    default_cores: Record<string, string>;
    system_families: string[][];
    rom_extension_to_system: Record<string, string>;
    rom_container_extensions: string[];
    save_sizes: Record<string, number[] | string>;
    ignore: Record<string, RawIgnoreRule | string>;
    libretro_databases: { names: Record<string, string> };
    /** A battery extension that makes a save of another kind (`.dsv` of nds → nds-dsv). */
    extension_systems?: { ext: string; system: string; as: string }[];
  };
}

/** Where the data file lives (for tools that want to ship or print it). */
export const LAYOUTS_URL = new URL('../../layouts/handheld-layouts.json', import.meta.url);

let cached: RawLayouts | undefined;

/** The parsed layout data. */
export function layouts(): RawLayouts {
  cached ??= JSON.parse(readFileSync(LAYOUTS_URL, 'utf8')) as RawLayouts;
  return cached;
}
