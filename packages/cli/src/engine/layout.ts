/**
 * This device's save layout on the host: which folders to scan, which save a host file is, and
 * where a save key lands — all through `@retrosync/core` identity (no mapping rules here).
 * Host paths are `<root>/<device path>`; a root of `/` means the device is this machine.
 */
import { sep } from 'node:path';
import {
  detectPlatform,
  identifyPath,
  placeKey,
  resolveProfile,
  RomIndex,
  rootedFs,
  scanRoots,
  underRoot,
  type Profile,
} from '@retrosync/core';
import { nodeIdentityFs } from '../local-fs/identity-fs.js';

export interface IdentifiedSave {
  key: string;
  system: string;
  game: string;
  kind: 'battery' | 'rtc' | 'state';
  compressed: boolean;
  autoLoad: boolean;
}

export interface Placed {
  path: string;
  compress: boolean;
}

export interface DeviceLayout {
  readonly platform: string;
  readonly roots: readonly string[];
  /**
   * The only folders the client may write in: this platform's save and state folders (and ROM
   * folders where saves sit next to ROMs), under the root. Narrower than the root, so on a PC
   * (root `/`) a save can only ever land in a save folder.
   */
  readonly writeRoots: readonly string[];
  /** Host folders to walk for saves and states (existing ones only). */
  scanDirs(): string[];
  /** Starts a scan: a fresh ROM index for the calls that follow. */
  beginScan(): void;
  /** The save a host file is, or why not (`unclear`: it looks like a save but identity cannot tell which). */
  identify(hostPath: string, size: number): IdentifiedSave | { skip: string; unclear: boolean };
  /** Where this device keeps `key` (host path). Throws `PlacementError`. */
  place(key: string): Placed;
}

function toPosix(p: string): string {
  return sep === '\\' ? p.replace(/\\/g, '/') : p;
}

/** Device path of a host path under `root`, or null when it is not below it. */
export function devicePathOf(root: string, hostPath: string): string | null {
  const r = toPosix(root).replace(/\/+$/, '');
  const h = toPosix(hostPath);
  if (r === '' || r === '/') return h;
  if (!h.startsWith(`${r}/`)) return null;
  return h.slice(r.length);
}

/** The profile of this device; `romRoots` (host paths, the user's) are searched before the platform's ROM folders. */
export function profileFor(platform: string, root: string, vars: Readonly<Record<string, string>>, romRoots: readonly string[] = []): Profile {
  const fs = rootedFs(nodeIdentityFs, root);
  const extraRomRoots = romRoots.map((r) => devicePathOf(root, toPosix(r)) ?? toPosix(r));
  return (
    detectPlatform(fs, { platform, vars, profile: { extraRomRoots } })?.profile ?? resolveProfile(platform, { vars, extraRomRoots })
  );
}

export function deviceLayout(
  platform: string,
  roots: readonly string[],
  vars: Readonly<Record<string, string>> = {},
  romRoots: readonly string[] = [],
): DeviceLayout {
  const root = roots[0] ?? '/';
  const profile = profileFor(platform, root, vars, romRoots);
  const fs = rootedFs(nodeIdentityFs, root);
  let roms = RomIndex.forProfile(fs, profile);
  const folders = scanRoots(profile);
  const nextToRoms = [...profile.saves, ...profile.states].some((l) => l.inContentDir);
  const writeRoots = [...new Set([...folders.saves, ...folders.states, ...(nextToRoms ? folders.roms : [])])].map((d) => underRoot(root, d));
  return {
    platform,
    roots,
    writeRoots,
    scanDirs() {
      const s = scanRoots(profile);
      const dirs = [...new Set([...s.saves, ...s.states])].map((d) => underRoot(root, d));
      return dirs.filter((d) => nodeIdentityFs.stat(d)?.type === 'dir');
    },
    beginScan() {
      roms = RomIndex.forProfile(fs, profile);
    },
    identify(hostPath, size) {
      const devicePath = devicePathOf(root, hostPath);
      if (devicePath === null) return { skip: 'outside the root', unclear: false };
      const id = identifyPath(profile, devicePath, { fs, roms, size });
      if (id.status !== 'save') return { skip: id.reason, unclear: id.status === 'ambiguous' || id.status === 'unsupported' };
      return { key: id.key, system: id.system, game: id.game, kind: id.kind.type, compressed: id.compressed, autoLoad: id.autoLoad };
    },
    place(key) {
      const p = placeKey(profile, key, { root, fs, roms });
      return { path: p.path, compress: p.compress };
    },
  };
}
