/**
 * Which platform a device runs, from marker files and strings in the layout data, with the
 * device's own settings (retroarch.cfg, NextUI formats) folded into its profile.
 */
import type { RawMarker, RawPlatform } from './data.js';
import { layouts } from './data.js';
import type { FileSystem } from './fs.js';
import { expandTemplate, normalizePath } from './paths.js';
import { rawPlatform, toDeviceType, type DeviceType } from './platforms.js';
import { parseRetroArchCfg, type RetroArchSettings } from './retroarch-cfg.js';
import { resolveProfile, scanRoots, type Profile, type ProfileOptions } from './profile.js';

export interface Detection {
  platform: string;
  name: string;
  deviceType: DeviceType;
  /** The marker that identified the platform (device path). */
  marker: string;
  /** The card / partition mount the saves are on, when the platform has several candidates. */
  volume: string | null;
  saveRoots: string[];
  stateRoots: string[];
  romRoots: string[];
  /** The retroarch.cfg read (device path) and the layout settings found in it. */
  retroarch: { config: string | null; settings: RetroArchSettings };
  /** NextUI's save / state formats, when read. */
  nextui: { saveFormat?: string; stateFormat?: string } | null;
  profile: Profile;
}

export interface DetectOptions {
  /** Path variables (home, config, retroarch, emulation) for desktop platforms. */
  vars?: Readonly<Record<string, string | undefined>>;
  /** Only consider this platform (a user's configured platform id): detection then fills in its settings. */
  platform?: string;
  /** User configuration applied on top of what the device says. */
  profile?: Omit<ProfileOptions, 'vars' | 'retroarch' | 'nextui'>;
}

function matches(fs: FileSystem, marker: RawMarker, path: string): boolean {
  if (!fs.stat(path)) return false;
  if (marker.contains === undefined && marker.starts_with === undefined) return true;
  const text = fs.readText(path);
  if (text === null) return false;
  if (marker.contains !== undefined && !text.includes(marker.contains)) return false;
  return marker.starts_with === undefined || text.startsWith(marker.starts_with);
}

/**
 * Where to look for markers: on the platform's volumes, or (`card`) with the volume at `/` —
 * a mounted SD card or partition whose top is the folder read, rather than a copy of the
 * device's whole tree.
 */
function volumesFor(template: string, p: RawPlatform, card: boolean): (string | undefined)[] {
  if (!template.includes('{sd}')) return card ? [] : [undefined];
  return card ? ['/'] : p.sync.volumes;
}

function findMarker(fs: FileSystem, p: RawPlatform, vars: Record<string, string | undefined>, card: boolean) {
  for (const marker of p.sync.markers) {
    for (const sd of volumesFor(marker.path, p, card)) {
      const expanded = expandTemplate(marker.path, { ...vars, sd: sd ?? vars.sd });
      const path = expanded === null ? null : normalizePath(expanded);
      if (path !== null && matches(fs, marker, path)) return { path, volume: sd ?? null };
    }
  }
  return null;
}

/** The first volume holding one of the platform's save folders (or the first volume). */
function pickVolume(fs: FileSystem, p: RawPlatform, vars: Record<string, string | undefined>): string | null {
  if (p.sync.volumes.length <= 1) return p.sync.volumes[0] ?? null;
  for (const sd of p.sync.volumes) {
    for (const e of p.sync.saves) {
      const dir = e.dir && e.dir.includes('{sd}') ? expandTemplate(e.dir, { ...vars, sd }) : null;
      if (dir && fs.stat(dir)?.type === 'dir') return sd;
    }
  }
  return p.sync.volumes[0] ?? null;
}

function firstExisting(fs: FileSystem, templates: readonly string[], vars: Record<string, string | undefined>) {
  for (const t of templates) {
    const path = expandTemplate(t, vars);
    if (path !== null && fs.stat(path)?.type === 'file') return normalizePath(path);
  }
  return null;
}

/**
 * Path variables a platform keeps in a shell-style settings file (EmuDeck's `settings.sh`:
 * `emulationPath="/run/media/deck/SD"/Emulation`, quotes around part of the value). The user's
 * own variables win.
 */
function settingsVars(
  fs: FileSystem,
  p: RawPlatform,
  vars: Record<string, string | undefined>,
  given: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  const out = { ...vars };
  for (const rule of p.sync.vars_from ?? []) {
    if (given[rule.var] !== undefined) continue;
    const path = expandTemplate(rule.file, out);
    const text = path === null ? null : fs.readText(normalizePath(path));
    if (text === null) continue;
    const m = new RegExp(`^\\s*(?:export\\s+)?${rule.key}=(.*)$`, 'm').exec(text);
    const value = m?.[1]?.trim().replace(/["']/g, '').replace(/\/+$/, '');
    if (value) {
      out[rule.var] = value;
      break;
    }
  }
  return out;
}

function readNextUi(fs: FileSystem, path: string | null) {
  const text = path ? fs.readText(path) : null;
  if (text === null) return null;
  const get = (k: string) => new RegExp(`^${k}=(\\d+)`, 'm').exec(text)?.[1];
  const out: { saveFormat?: string; stateFormat?: string } = {};
  const sf = get('saveFormat');
  const stf = get('stateFormat');
  if (sf !== undefined) out.saveFormat = sf;
  if (stf !== undefined) out.stateFormat = stf;
  return out;
}

/**
 * Detects the platform of the device whose files `fs` reads (device paths), or null when none
 * matches. Whole device trees are tried first, then a card mounted at `/` (its `Saves/`,
 * `.system/`, `MUOS/` … at the top): then the card's paths are reported from `/`.
 */
export function detectPlatform(fs: FileSystem, opts: DetectOptions = {}): Detection | null {
  const order = opts.platform ? [opts.platform] : layouts().sync_tables.detection_order;
  const given = Object.fromEntries(Object.entries(opts.vars ?? {}).filter((e) => e[1] !== undefined));
  const baseVars: Record<string, string | undefined> = { ...layouts().sync_tables.default_vars, ...given };
  const candidates = [false, true].flatMap((card) => order.map((id) => ({ id, card })));
  for (const { id, card } of candidates) {
    const p = rawPlatform(id);
    const found = findMarker(fs, p, baseVars, card);
    if (!found && (!opts.platform || !card)) continue;
    const volume = found?.volume ?? pickVolume(fs, p, baseVars);
    const vars = { ...settingsVars(fs, p, { ...baseVars, ...(volume ? { sd: volume } : {}) }, opts.vars ?? {}), ...(volume ? { sd: volume } : {}) };
    const config = firstExisting(fs, p.sync.retroarch_cfg ?? [], vars);
    const settings = config ? parseRetroArchCfg(fs.readText(config) ?? '') : {};
    const settingsFile = p.sync.settings_file ? expandTemplate(p.sync.settings_file, vars) : null;
    const nextui = readNextUi(fs, settingsFile);
    const rule = (p.sync.device_type_rules ?? []).find((r) => {
      const path = expandTemplate(r.path, vars);
      return path !== null && matches(fs, r, path);
    });
    const profile = resolveProfile(id, {
      ...opts.profile,
      vars,
      retroarch: settings,
      ...(nextui ? { nextui } : {}),
    });
    if (found?.volume === '/') {
      // A card mounted on a PC holds only the folders on the card (not /run/muos/…, not the other card).
      const onCard = (list: typeof profile.saves) => (list.some((l) => l.onVolume) ? list.filter((l) => l.onVolume) : list);
      profile.saves = onCard(profile.saves);
      profile.states = onCard(profile.states);
    }
    const roots = scanRoots(profile);
    return {
      platform: id,
      name: p.name,
      deviceType: toDeviceType(rule?.type ?? p.sync.device_type),
      marker: found?.path ?? '',
      volume,
      saveRoots: roots.saves,
      stateRoots: roots.states,
      romRoots: roots.roms,
      retroarch: { config, settings },
      nextui,
      profile,
    };
  }
  return null;
}
