/**
 * Lookup tables derived once from the layout data: core → systems, tag → system,
 * system folder → system, ROM extension → system, system families, save sizes, extensions.
 */
import { normalizeName } from '../key/save-key.js';
import { layouts } from './data.js';

export interface Tables {
  /** libretro library_name (as written) → systems. */
  coreExact: ReadonlyMap<string, readonly string[]>;
  /** the same, by {@link normalizeName}. */
  coreFolded: ReadonlyMap<string, readonly string[]>;
  /** tag (folded) → system; null for tags that are not systems (e.g. `PAK`). */
  tagFolded: ReadonlyMap<string, string | null>;
  /** system folder (folded) → system. */
  folderFolded: ReadonlyMap<string, string>;
  /** `.gba` → `gba` (lower-case extension with its dot). */
  romExtension: ReadonlyMap<string, string>;
  /** Every extension a ROM file name may end with (system-specific and containers). */
  romExtensions: ReadonlySet<string>;
  batteryExtensions: ReadonlySet<string>;
  rtcExtensions: ReadonlySet<string>;
  /** system → the members of its family (itself included), e.g. gb → [gb, gbc]. */
  family: ReadonlyMap<string, readonly string[]>;
  /** system → battery save sizes its cores write (only for systems where this is known). */
  saveSizes: ReadonlyMap<string, readonly number[]>;
  /** Every canonical system id the tables know. */
  systems: ReadonlySet<string>;
  /** Generic default core per system, used where a platform names none. */
  defaultCores: Readonly<Record<string, string>>;
  /** Preferred folder name per system in EmulationStation-style (`es`) and tag-style (`tags`) trees. */
  folderName: { es: ReadonlyMap<string, string>; tags: ReadonlyMap<string, string> };
}

let cached: Tables | undefined;

export function tables(): Tables {
  cached ??= build();
  return cached;
}

function firstKeyPerValue(record: Record<string, string | null>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(record)) if (v && !out.has(v)) out.set(v, k);
  return out;
}

function build(): Tables {
  const data = layouts();
  const t = data.sync_tables;
  const coreExact = new Map(Object.entries(data.core_to_system));
  const coreFolded = new Map<string, string[]>();
  for (const [core, systems] of coreExact) {
    const key = normalizeName(core);
    coreFolded.set(key, [...new Set([...(coreFolded.get(key) ?? []), ...systems])]);
  }
  const tagFolded = new Map(Object.entries(data.tag_to_system).map(([k, v]) => [normalizeName(k), v] as const));
  const folderFolded = new Map(
    Object.entries(data.system_folder_to_system).map(([k, v]) => [normalizeName(k), v] as const),
  );
  const romExtension = new Map(Object.entries(t.rom_extension_to_system).map(([k, v]) => [k.toLowerCase(), v]));
  const family = new Map<string, string[]>();
  for (const members of t.system_families) for (const m of members) family.set(m, members);
  const saveSizes = new Map<string, number[]>();
  for (const [system, sizes] of Object.entries(t.save_sizes)) if (Array.isArray(sizes)) saveSizes.set(system, sizes);
  const systems = new Set<string>([
    ...[...coreExact.values()].flat(),
    ...[...tagFolded.values()].filter((v): v is string => v !== null),
    ...folderFolded.values(),
    ...romExtension.values(),
  ]);
  return {
    coreExact,
    coreFolded,
    tagFolded,
    folderFolded,
    romExtension,
    romExtensions: new Set([...romExtension.keys(), ...t.rom_container_extensions.map((e) => e.toLowerCase())]),
    batteryExtensions: new Set(t.battery_extensions.map((e) => e.toLowerCase())),
    rtcExtensions: new Set(t.rtc_extensions.map((e) => e.toLowerCase())),
    family,
    saveSizes,
    systems,
    defaultCores: t.default_cores,
    folderName: {
      es: firstKeyPerValue(data.system_folder_to_system),
      tags: firstKeyPerValue(data.tag_to_system),
    },
  };
}
