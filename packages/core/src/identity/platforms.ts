/**
 * The platforms of the layout data: handheld firmwares and desktop RetroArch setups.
 */
import { layouts, type RawPlatform } from './data.js';

/** Device type codes of the pairing API. */
export const DEVICE_TYPES = ['rg35xx', 'miyoo_flip', 'miyoo_mini', 'windows', 'mac', 'linux', 'other'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

export interface PlatformInfo {
  id: string;
  name: string;
  devices: readonly string[];
  /** Device type when nothing more specific is detected. */
  deviceType: DeviceType;
  /** True when the data's save layout was read from the firmware's source (`verified` starts with "source"). */
  verifiedAgainstSource: boolean;
  /** The data's own words on how it was verified. */
  verified: string;
  /** Parts of RetroSync's layout for this platform that are best guesses (defaults a user can override). */
  bestGuess: readonly string[];
  sources: readonly string[];
}

export class UnknownPlatformError extends Error {
  override readonly name = 'UnknownPlatformError';
  constructor(readonly platformId: string) {
    super(`unknown platform "${platformId}"; known: ${listPlatforms().map((p) => p.id).join(', ')}`);
  }
}

function toDeviceType(code: string): DeviceType {
  return (DEVICE_TYPES as readonly string[]).includes(code) ? (code as DeviceType) : 'other';
}

function toInfo(p: RawPlatform): PlatformInfo {
  return {
    id: p.id,
    name: p.name,
    devices: p.devices,
    deviceType: toDeviceType(p.sync.device_type),
    verifiedAgainstSource: p.verified.trim().toLowerCase().startsWith('source'),
    verified: p.verified,
    bestGuess: p.sync.best_guess ?? [],
    sources: p.sources,
  };
}

/** Every platform, in the data's order. */
export function listPlatforms(): PlatformInfo[] {
  return layouts().platforms.map(toInfo);
}

/** The raw data entry of a platform; throws {@link UnknownPlatformError}. */
export function rawPlatform(id: string): RawPlatform {
  const p = layouts().platforms.find((x) => x.id === id);
  if (!p) throw new UnknownPlatformError(id);
  return p;
}

/** One platform by id; throws {@link UnknownPlatformError}. */
export function getPlatform(id: string): PlatformInfo {
  return toInfo(rawPlatform(id));
}

export { toDeviceType };
