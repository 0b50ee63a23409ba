/**
 * File names: what kind of file a name is (battery save, clock, save state, thumbnail), the
 * game it belongs to, and the names each emulator family writes for a kind and slot.
 */
import type { StateNaming } from './data.js';
import { layouts } from './data.js';
import { tables } from './tables.js';

export type FileClass =
  | { class: 'battery'; stem: string; ext: string }
  | { class: 'rtc'; stem: string; ext: string }
  | { class: 'state'; stem: string; slot: string; naming: StateNaming }
  | { class: 'thumbnail' }
  | { class: 'other' };

/** Lower-case final extension with its dot (`.srm`), or '' when there is none. */
export function extensionOf(name: string): string {
  const i = name.lastIndexOf('.');
  return i <= 0 ? '' : name.slice(i).toLowerCase();
}

const STATE_RETROARCH = /^(.+)\.state(\d{1,3})?$/i;
const STATE_AUTO = /^(.+)\.state\.auto$/i;
const STATE_DOTTED = /^(.+)\.state\.(\d{1,3})$/i;
const STATE_MINUI = /^(.+)\.st(\d)$/i;
const STATE_THUMBNAIL = /\.(?:state(?:\d{1,3}|\.auto|\.\d{1,3})?|st\d)\.(?:png|bmp)$/i;
/** MinUI and NextUI keep their auto-resume state in slot 9. */
export const MINUI_AUTO_SLOT = '9';

/** Classifies a file name (not a path). */
export function classifyFile(name: string): FileClass {
  if (STATE_THUMBNAIL.test(name)) return { class: 'thumbnail' };
  let m = STATE_AUTO.exec(name);
  if (m?.[1]) return { class: 'state', stem: m[1], slot: 'auto', naming: 'retroarch' };
  m = STATE_DOTTED.exec(name);
  if (m?.[1] && m[2]) return { class: 'state', stem: m[1], slot: String(Number(m[2])), naming: 'nextui' };
  m = STATE_RETROARCH.exec(name);
  if (m?.[1]) return { class: 'state', stem: m[1], slot: m[2] ? String(Number(m[2])) : '0', naming: 'retroarch' };
  m = STATE_MINUI.exec(name);
  if (m?.[1] && m[2]) {
    return { class: 'state', stem: m[1], slot: m[2] === MINUI_AUTO_SLOT ? 'auto' : m[2], naming: 'minui' };
  }
  const ext = extensionOf(name);
  const stem = name.slice(0, name.length - ext.length);
  if (stem === '') return { class: 'other' };
  const t = tables();
  if (t.batteryExtensions.has(ext)) return { class: 'battery', stem, ext };
  if (t.rtcExtensions.has(ext)) return { class: 'rtc', stem, ext };
  return { class: 'other' };
}

/**
 * The system a battery save of `system` with extension `ext` is keyed under: `.dsv` (DraStic /
 * DeSmuME, raw save + footer) of nds is `nds-dsv`, kept apart from melonDS's raw nds saves.
 */
export function kindOfExtension(system: string, ext: string): string {
  const rule = layouts().sync_tables.extension_systems?.find((r) => r.ext === ext.toLowerCase() && r.system === system);
  return rule?.as ?? system;
}

/** The system whose ROMs and folders a save system uses (`nds-dsv` → nds). */
export function baseSystem(system: string): string {
  return layouts().sync_tables.extension_systems?.find((r) => r.as === system)?.system ?? system;
}

/** The extension a save system is written with, when it is tied to one (`nds-dsv` → `.dsv`). */
export function extensionForSystem(system: string): string | null {
  return layouts().sync_tables.extension_systems?.find((r) => r.as === system)?.ext ?? null;
}

/**
 * Splits a known ROM extension off a name (`Pokemon Emerald (USA).gba` → name + `.gba`). Only
 * extensions ROMs use are split, so `Mega Man X v1.1` keeps its `.1`.
 */
export function splitRomExtension(name: string): { game: string; romExt: string | null } {
  const ext = extensionOf(name);
  if (ext !== '' && tables().romExtensions.has(ext) && name.length > ext.length) {
    return { game: name.slice(0, name.length - ext.length), romExt: ext };
  }
  return { game: name, romExt: null };
}

/** The state file name suffix for a slot in a naming scheme, or null when the scheme has no such slot. */
export function stateSuffix(naming: StateNaming, slot: string): string | null {
  switch (naming) {
    case 'retroarch':
      if (slot === 'auto') return '.state.auto';
      return slot === '0' ? '.state' : `.state${slot}`;
    case 'nextui':
      return slot === 'auto' ? '.state.auto' : `.state.${slot}`;
    case 'minui':
      if (slot === 'auto') return `.st${MINUI_AUTO_SLOT}`;
      return /^[0-8]$/.test(slot) ? `.st${slot}` : null;
  }
}
