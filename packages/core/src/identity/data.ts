/**
 * The layout data (`packages/core/layouts/handheld-layouts.json`), read once at first use.
 *
 * The JSON is the single source shared with the shell and Lua clients; this module only types
 * the parts the TypeScript code reads. The URL is the same depth from `src/identity` and
 * `dist/identity`, so it works under vitest/tsx and after `tsc -b`.
 */
import { readFileSync } from 'node:fs';

export type FolderLevel = 'core' | 'content' | 'system' | 'tag' | 'tag-core';
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
