/**
 * The device a command works on: the machine itself, or a folder standing for its `/`
 * (`--root DIR`: a mounted SD card's image, a test folder). Shared by identify, place, detect.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import {
  detectPlatform,
  getPlatform,
  rootedFs,
  UnknownPlatformError,
  type Detection,
  type FileSystem,
} from '@retrosync/core';
import { UsageError, type OptionSpec, type Values } from './command.js';
import type { Io } from './io.js';

/** `--rom-root DIR` (repeatable): where the user keeps ROMs, searched before the platform's own ROM folders. */
export const ROM_ROOT_OPTION: OptionSpec = { 'rom-root': { type: 'string', multiple: true } };

export const DEVICE_OPTIONS: OptionSpec = {
  platform: { type: 'string', short: 'p' },
  root: { type: 'string', short: 'r' },
  json: { type: 'boolean' },
  ...ROM_ROOT_OPTION,
};

/** The `--rom-root` values as absolute host folders (each must exist). */
export function romRootsOption(values: Values, io: Io): string[] {
  const given = values['rom-root'];
  const list = Array.isArray(given) ? given : typeof given === 'string' ? [given] : [];
  return list.map((r) => {
    const abs = /^[A-Za-z]:[\\/]/.test(r) ? r : resolve(io.cwd, r);
    if (io.fs.stat(abs)?.type !== 'dir') throw new UsageError(`--rom-root ${abs} is not a folder`);
    return abs.replace(/\\/g, '/');
  });
}

/** Host ROM roots as the device sees them: below `root` they become device paths; elsewhere they are refused. */
export function romRootsOnDevice(root: string | undefined, hostRoots: readonly string[]): string[] {
  return hostRoots.map((h) => {
    if (root === undefined) return h;
    const rel = relative(root, h);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new UsageError(`--rom-root ${h} is outside --root ${root}`);
    return `/${rel.split(/[\\/]/).join('/')}`;
  });
}

/** Nothing on the device matched a known platform. */
export class NotDetectedError extends Error {
  override readonly name = 'NotDetectedError';
  constructor(root: string | undefined) {
    super(`no known platform found${root ? ` under ${root}` : ' on this machine'}; name it with --platform (retrosync detect --help)`);
  }
}

export interface Device {
  /** Host folder standing for the device's `/`, absolute; undefined for the machine itself. */
  root: string | undefined;
  /** The device's files by device path. */
  fs: FileSystem;
  /** Detection result (platform, roots, retroarch.cfg settings, profile). */
  detection: Detection;
}

/** Path variables for desktop platforms, from this machine. */
export function machineVars(io: Io): Record<string, string | undefined> {
  const home = io.home.replace(/\\/g, '/');
  return {
    home,
    config: io.env.XDG_CONFIG_HOME?.replace(/\\/g, '/'),
    retroarch: io.env.RETROARCH_DIR?.replace(/\\/g, '/'),
  };
}

/** Opens the device named by `--root` / `--platform`: the platform given, or the one detected. */
export function openDevice(values: Values, io: Io): Device {
  const root = typeof values.root === 'string' ? resolve(io.cwd, values.root) : undefined;
  if (root !== undefined && io.fs.stat(root)?.type !== 'dir') throw new UsageError(`--root ${root} is not a folder`);
  const platform = typeof values.platform === 'string' ? values.platform : undefined;
  if (platform !== undefined) {
    try {
      getPlatform(platform);
    } catch (err) {
      if (err instanceof UnknownPlatformError) throw new UsageError(err.message);
      throw err;
    }
  }
  const fs = rootedFs(io.fs, root);
  const extraRomRoots = romRootsOnDevice(root, romRootsOption(values, io));
  const detection = detectPlatform(fs, {
    vars: machineVars(io),
    ...(platform ? { platform } : {}),
    ...(extraRomRoots.length ? { profile: { extraRomRoots } } : {}),
  });
  if (!detection) throw new NotDetectedError(root);
  return { root, fs, detection };
}

/** A path given on the command line as the device sees it: host paths under `--root` are mapped back. */
export function toDevicePath(device: Device, given: string, io: Io): string {
  if (/^[A-Za-z]:[\\/]/.test(given)) return given; // a Windows path, as a Windows platform sees it
  if (device.root === undefined) return isAbsolute(given) ? given : resolve(io.cwd, given);
  const host = resolve(io.cwd, given);
  const rel = relative(device.root, host);
  if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) return `/${rel.split(/[\\/]/).join('/')}`;
  return isAbsolute(given) ? given : host;
}
